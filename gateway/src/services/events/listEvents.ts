/**
 * `GET /v1/events` and an invoice's events: the merchant's event log, oldest first, read forward from a cursor.
 * The cursor is the `seq` of the last event a caller has (the same number an SSE stream sends as `id:` and takes
 * back as `Last-Event-ID`), so a caller can page through history and then keep polling, or switch to the stream,
 * without a gap or a repeat.
 */
import { InvalidInputError, NotFoundError } from "../../errors.js";
import { findInvoiceById, listEvents as listEventRows } from "../../store/index.js";
import type { GatewayContext } from "../context.js";
import { eventEnvelope, type EventEnvelope } from "./eventEnvelope.js";

export const EVENTS_DEFAULT_LIMIT = 20;
export const EVENTS_MAX_LIMIT = 100;
/** At most this many `type` filters per request. */
export const EVENTS_MAX_TYPES = 20;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TYPE_RE = /^[a-z][a-z0-9_.]{0,63}$/;

export interface ListEventsRequest {
  /** Only events after this `seq` (decimal string); default: from the first. */
  after?: string;
  /** Event types to keep (`invoice.paid`, ...); each item may itself be a comma list. */
  types?: readonly string[];
  invoiceId?: string;
  /** 1..100, default 20. */
  limit?: number;
}

export interface EventPage {
  events: EventEnvelope[];
  /**
   * `seq` of the page's last event when more events follow it now; null on the last page. To follow new events by
   * polling, pass the last event's `seq` you hold as `after`.
   */
  nextCursor: string | null;
}

/** A `seq` cursor / Last-Event-ID: decimal digits that fit a bigint column. */
export function parseSeq(field: string, value: string): bigint {
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > 2n ** 63n - 1n) {
    throw new InvalidInputError(field, `${field} must be an event seq (a whole number) this API returned`);
  }
  return BigInt(value);
}

/** The `type` filter as a list: repeated parameters and comma lists both accepted; empty items ignored. */
export function parseEventTypes(types: readonly string[] | undefined): string[] | undefined {
  if (types === undefined) return undefined;
  const list = [...new Set(types.flatMap((t) => t.split(",")).map((t) => t.trim()).filter((t) => t !== ""))];
  if (list.length === 0) return undefined;
  if (list.length > EVENTS_MAX_TYPES) throw new InvalidInputError("type", `at most ${EVENTS_MAX_TYPES} event types`);
  for (const t of list) {
    if (!TYPE_RE.test(t)) throw new InvalidInputError("type", `"${t.slice(0, 64)}" is not an event type (like invoice.paid)`);
  }
  return list;
}

/** The merchant's events, oldest first, after `after`; never another merchant's. */
export async function listMerchantEvents(ctx: Pick<GatewayContext, "db">, merchantId: string, request: ListEventsRequest = {}): Promise<EventPage> {
  const limit = request.limit ?? EVENTS_DEFAULT_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > EVENTS_MAX_LIMIT) {
    throw new InvalidInputError("limit", `limit must be a whole number from 1 to ${EVENTS_MAX_LIMIT}`);
  }
  const afterSeq = request.after === undefined ? undefined : parseSeq("after", request.after);
  const types = parseEventTypes(request.types);
  // Invoice ids are UUIDs: anything else matches no invoice, so the database is not asked.
  if (request.invoiceId !== undefined && !UUID_RE.test(request.invoiceId)) return { events: [], nextCursor: null };
  const rows = await listEventRows(ctx.db, {
    merchantId,
    ...(request.invoiceId === undefined ? {} : { invoiceId: request.invoiceId }),
    ...(afterSeq === undefined ? {} : { afterSeq }),
    ...(types === undefined ? {} : { types }),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { events: page.map(eventEnvelope), nextCursor: rows.length > limit && last !== undefined ? last.seq.toString() : null };
}

/** One invoice's events (its story), oldest first; NOT_FOUND if the merchant has no such invoice. */
export async function listInvoiceEvents(
  ctx: Pick<GatewayContext, "db">,
  merchantId: string,
  invoiceId: string,
  request: Omit<ListEventsRequest, "invoiceId"> = {},
): Promise<EventPage> {
  await requireOwnInvoice(ctx, merchantId, invoiceId);
  return listMerchantEvents(ctx, merchantId, { ...request, invoiceId });
}

/** NOT_FOUND unless the merchant has this invoice (another merchant's included: ids do not leak). */
export async function requireOwnInvoice(ctx: Pick<GatewayContext, "db">, merchantId: string, invoiceId: string): Promise<void> {
  if (!UUID_RE.test(invoiceId) || (await findInvoiceById(ctx.db, merchantId, invoiceId)) === undefined) {
    throw new NotFoundError("invoice");
  }
}
