/**
 * A merchant's webhook endpoints: create (returns the secret once), read, update, delete, rotate the secret. Every
 * operation is scoped to the merchant: another merchant's endpoint id is NOT_FOUND.
 */
import { NotFoundError } from "../../errors.js";
import {
  countWebhookEndpoints,
  deleteWebhookEndpointRow,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookEndpointRows,
  prefixedId,
  updateWebhookEndpointRow,
  type WebhookEndpointPatch,
  type WebhookEndpointRow,
} from "../../store/index.js";
import { checkWebhookUrl } from "./checkWebhookUrl.js";
import { WebhookEndpointLimitError } from "./errors.js";
import {
  WEBHOOK_MAX_ENDPOINTS,
  isWebhookEndpointId,
  normalizeDescription,
  normalizeEventTypes,
} from "./normalizeEndpointInput.js";
import { newWebhookSecret, sealWebhookSecret } from "./secret.js";
import {
  webhookEndpointView,
  type WebhookEndpointView,
  type WebhookEndpointWithSecret,
  type WebhookServiceContext,
} from "./types.js";

export interface CreateWebhookEndpointInput {
  url: string;
  /** Default `["*"]`. */
  eventTypes?: readonly string[];
  description?: string;
}

export interface UpdateWebhookEndpointInput {
  url?: string;
  eventTypes?: readonly string[];
  enabled?: boolean;
  description?: string;
}

/**
 * Creates an endpoint for the merchant after the SSRF check (a name is resolved: every address must be public,
 * unless `allowPrivateUrls`). Returns it with its signing secret, which is stored only sealed and never shown again.
 */
export async function createWebhookEndpoint(
  ctx: WebhookServiceContext,
  merchantId: string,
  input: CreateWebhookEndpointInput,
): Promise<WebhookEndpointWithSecret> {
  const url = (await checkWebhookUrl(input.url, ctx.webhooks ?? {})).href;
  const eventTypes = normalizeEventTypes(input.eventTypes ?? ["*"]);
  const description = normalizeDescription(input.description ?? "");
  // Not atomic with the insert: two concurrent creations may pass one over the limit, which only bounds fan-out.
  if ((await countWebhookEndpoints(ctx.db, merchantId)) >= WEBHOOK_MAX_ENDPOINTS) throw new WebhookEndpointLimitError(WEBHOOK_MAX_ENDPOINTS);
  const id = prefixedId("we");
  const secret = newWebhookSecret();
  const row = await insertWebhookEndpoint(ctx.db, {
    id,
    merchant_id: merchantId,
    url,
    description,
    event_types: eventTypes,
    ...sealWebhookSecret(ctx.keyring, id, secret),
  });
  return { endpoint: webhookEndpointView(row), secret };
}

/** The merchant's endpoint row, or NOT_FOUND (also for another merchant's id). */
export async function merchantEndpoint(ctx: Pick<WebhookServiceContext, "db">, merchantId: string, id: string): Promise<WebhookEndpointRow> {
  const row = isWebhookEndpointId(id) ? await findWebhookEndpoint(ctx.db, merchantId, id) : undefined;
  if (row === undefined) throw new NotFoundError("webhook endpoint");
  return row;
}

export async function getWebhookEndpoint(ctx: Pick<WebhookServiceContext, "db">, merchantId: string, id: string): Promise<WebhookEndpointView> {
  return webhookEndpointView(await merchantEndpoint(ctx, merchantId, id));
}

/** The merchant's endpoints, oldest first (at most WEBHOOK_MAX_ENDPOINTS, so no paging). */
export async function listWebhookEndpoints(ctx: Pick<WebhookServiceContext, "db">, merchantId: string): Promise<WebhookEndpointView[]> {
  return (await listWebhookEndpointRows(ctx.db, merchantId)).map(webhookEndpointView);
}

/**
 * Changes url (checked again), event types, enabled, description. Disabling stops sending: pending deliveries wait
 * (they resume when it is enabled again) and new events make none for it.
 */
export async function updateWebhookEndpoint(
  ctx: WebhookServiceContext,
  merchantId: string,
  id: string,
  input: UpdateWebhookEndpointInput,
): Promise<WebhookEndpointView> {
  await merchantEndpoint(ctx, merchantId, id);
  const patch: WebhookEndpointPatch = {};
  if (input.url !== undefined) patch.url = (await checkWebhookUrl(input.url, ctx.webhooks ?? {})).href;
  if (input.eventTypes !== undefined) patch.event_types = normalizeEventTypes(input.eventTypes);
  if (input.description !== undefined) patch.description = normalizeDescription(input.description);
  if (input.enabled !== undefined) patch.enabled = input.enabled;
  const row = await updateWebhookEndpointRow(ctx.db, merchantId, id, patch);
  if (row === undefined) throw new NotFoundError("webhook endpoint");
  return webhookEndpointView(row);
}

/** Deletes the endpoint, its pending deliveries and its delivery log. */
export async function deleteWebhookEndpoint(ctx: Pick<WebhookServiceContext, "db">, merchantId: string, id: string): Promise<void> {
  if (!isWebhookEndpointId(id) || !(await deleteWebhookEndpointRow(ctx.db, merchantId, id))) throw new NotFoundError("webhook endpoint");
}

/**
 * Replaces the endpoint's signing secret and returns the new one (once). Deliveries sent from now on are signed with
 * it only; a receiver still on the old secret fails them until it is updated, and they are retried on the usual
 * schedule meanwhile (so nothing is lost; see docs/webhooks.md).
 */
export async function rotateWebhookSecret(
  ctx: WebhookServiceContext,
  merchantId: string,
  id: string,
): Promise<WebhookEndpointWithSecret> {
  await merchantEndpoint(ctx, merchantId, id);
  const secret = newWebhookSecret();
  const row = await updateWebhookEndpointRow(ctx.db, merchantId, id, sealWebhookSecret(ctx.keyring, id, secret));
  if (row === undefined) throw new NotFoundError("webhook endpoint");
  return { endpoint: webhookEndpointView(row), secret };
}
