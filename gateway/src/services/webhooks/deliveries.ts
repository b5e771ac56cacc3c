/** The delivery log of an endpoint (with every attempt), and manual redelivery. Only the merchant's own. */
import { InvalidInputError, NotFoundError } from "../../errors.js";
import {
  findDeliveryLogRow,
  findDeliveryRow,
  insertDeliveryRow,
  listAttemptRows,
  listDeliveryRows,
  type DeliveryLogRow,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
} from "../../store/index.js";
import { decodeKeysetCursor, encodeKeysetCursor } from "../keysetCursor.js";
import { WebhookEndpointDisabledError } from "./errors.js";
import { merchantEndpoint } from "./manageEndpoints.js";
import { isWebhookDeliveryId } from "./normalizeEndpointInput.js";
import type { WebhookDeliveryPage, WebhookDeliveryView, WebhookServiceContext } from "./types.js";

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERIES_DEFAULT_LIMIT = 20;
export const DELIVERIES_MAX_LIMIT = 100;

export interface ListWebhookDeliveriesQuery {
  status?: DeliveryStatus;
  cursor?: string;
  /** 1..100, default 20. */
  limit?: number;
}


/** A delivery row with its event type and attempts → what the API shows. */
export function deliveryView(row: WebhookDeliveryRow, eventType: string, attempts: readonly WebhookAttemptRow[]): WebhookDeliveryView {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType,
    status: row.status,
    attemptCount: row.attempts,
    nextAttemptAt: row.status === "pending" ? row.next_attempt_at : null,
    lastAttemptAt: row.last_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
    createdAt: row.created_at,
    attempts: attempts.map((a) => ({ attemptedAt: a.attempted_at, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
  };
}

/** The endpoint's deliveries, newest first, each with its attempts; NOT_FOUND for another merchant's endpoint. */
export async function listWebhookDeliveries(
  ctx: Pick<WebhookServiceContext, "db">,
  merchantId: string,
  endpointId: string,
  query: ListWebhookDeliveriesQuery = {},
): Promise<WebhookDeliveryPage> {
  const limit = query.limit ?? DELIVERIES_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > DELIVERIES_MAX_LIMIT) {
    throw new InvalidInputError("limit", `limit must be a whole number from 1 to ${DELIVERIES_MAX_LIMIT}`);
  }
  if (query.status !== undefined && !DELIVERY_STATUSES.includes(query.status)) {
    throw new InvalidInputError("status", `status must be one of ${DELIVERY_STATUSES.join(", ")}`);
  }
  await merchantEndpoint(ctx, merchantId, endpointId);
  const rows: DeliveryLogRow[] = await listDeliveryRows(ctx.db, {
    merchantId,
    endpointId,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.cursor === undefined ? {} : { after: decodeKeysetCursor(query.cursor, isWebhookDeliveryId) }),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const attempts = await listAttemptRows(ctx.db, page.map((r) => r.id));
  const byDelivery = new Map<string, WebhookAttemptRow[]>();
  for (const a of attempts) byDelivery.set(a.delivery_id, [...(byDelivery.get(a.delivery_id) ?? []), a]);
  const last = page[page.length - 1];
  return {
    deliveries: page.map((r) => deliveryView(r, r.event_type, byDelivery.get(r.id) ?? [])),
    nextCursor: rows.length > limit && last !== undefined ? encodeKeysetCursor({ createdAt: last.position, id: last.id }) : null,
  };
}

/**
 * Manual redelivery: a new pending delivery of the same event (same event id, so the receiver can de-duplicate) to
 * the same endpoint, due at once, with a fresh retry schedule. The old delivery and its log stay as they are.
 * WEBHOOK_ENDPOINT_DISABLED if the endpoint is disabled.
 */
export async function redeliverWebhook(
  ctx: Pick<WebhookServiceContext, "db">,
  merchantId: string,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDeliveryView> {
  const endpoint = await merchantEndpoint(ctx, merchantId, endpointId);
  const original = isWebhookDeliveryId(deliveryId) ? await findDeliveryRow(ctx.db, merchantId, endpointId, deliveryId) : undefined;
  if (original === undefined) throw new NotFoundError("webhook delivery");
  if (!endpoint.enabled) throw new WebhookEndpointDisabledError(endpoint.id);
  const row = await insertDeliveryRow(ctx.db, { endpointId, eventId: original.event_id, merchantId });
  const logged = await findDeliveryLogRow(ctx.db, merchantId, endpointId, row.id);
  return deliveryView(row, logged?.event_type ?? "", []);
}
