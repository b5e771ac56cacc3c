/**
 * Store: the `events` log and the invoice status transitions that write it. Every status change goes through
 * `transitionInvoice`, which updates the invoice only if it is still in an expected status (compare-and-set: two
 * writers, e.g. two gateway instances or the indexer and a cancel request, cannot both apply one transition) and,
 * in the same transaction, appends the event and its webhook deliveries (the outbox).
 */
import { randomUUID } from "node:crypto";

import { sql, type Kysely, type Transaction, type Updateable } from "kysely";

import type { Database, EventRow, InvoiceRow, InvoicesTable } from "./schema.js";

/** An event as the store returns it (`seq` as bigint on both drivers). */
export interface StoredEvent {
  seq: bigint;
  /** `evt_<32 hex>`: stable, what receivers de-duplicate by. */
  id: string;
  merchantId: string;
  invoiceId: string | null;
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface NewEvent {
  merchantId: string;
  invoiceId: string | null;
  type: string;
  data: Record<string, unknown>;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    seq: BigInt(row.seq),
    id: row.id,
    merchantId: row.merchant_id,
    invoiceId: row.invoice_id,
    type: row.type,
    data: row.data,
    createdAt: row.created_at,
  };
}

/** `<prefix>_<32 hex>`: a random id that says what it names (`evt_`, `we_`, `whd_`, `wha_`). */
export function prefixedId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}

export function newEventId(): string {
  return prefixedId("evt");
}

/**
 * Appends an event and, in the same statement's transaction, one pending webhook delivery per enabled endpoint of
 * the merchant that subscribes to its type (`*` or the type itself). Call it inside a transaction together with the
 * state change the event describes.
 */
export async function recordEvent(trx: Transaction<Database>, event: NewEvent): Promise<StoredEvent> {
  const row = await trx
    .insertInto("events")
    .values({
      id: newEventId(),
      merchant_id: event.merchantId,
      invoice_id: event.invoiceId,
      type: event.type,
      data: JSON.stringify(event.data),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("webhook_deliveries")
    .columns(["id", "endpoint_id", "event_id", "merchant_id"])
    .expression(
      trx
        .selectFrom("webhook_endpoints")
        .select([
          sql<string>`'whd_' || replace(gen_random_uuid()::text, '-', '')`.as("id"),
          "webhook_endpoints.id as endpoint_id",
          sql<string>`${row.id}`.as("event_id"),
          "webhook_endpoints.merchant_id",
        ])
        .where("merchant_id", "=", event.merchantId)
        .where("enabled", "=", true)
        .where(sql<boolean>`('*' = any(${sql.ref("event_types")}) or ${event.type} = any(${sql.ref("event_types")}))`),
    )
    .execute();
  return toStoredEvent(row);
}

export interface InvoiceTransition {
  invoiceId: string;
  /** The statuses the invoice may be in for the transition to apply (compare-and-set). */
  from: readonly string[];
  /** The new status. */
  to: string;
  /** Other columns to set with it (what the indexer derived). */
  patch?: Omit<Updateable<InvoicesTable>, "status" | "status_changed_at" | "id" | "merchant_id">;
  /** The event to record; its `invoiceId` and `merchantId` are the invoice's. */
  event: { type: string; data: (after: InvoiceRow) => Record<string, unknown> };
}

/**
 * Applies one invoice transition inside `trx`: the update only matches while the invoice is in one of `from`, and
 * only then is the event recorded. Returns the invoice and the event, or undefined when the invoice was not in an
 * expected status (someone else moved it first: nothing was written).
 */
export async function transitionInvoice(
  trx: Transaction<Database>,
  transition: InvoiceTransition,
): Promise<{ invoice: InvoiceRow; event: StoredEvent } | undefined> {
  if (transition.from.length === 0) return undefined;
  const invoice = await trx
    .updateTable("invoices")
    .set({ ...transition.patch, status: transition.to, status_changed_at: new Date() })
    .where("id", "=", transition.invoiceId)
    .where("status", "in", [...transition.from])
    .returningAll()
    .executeTakeFirst();
  if (invoice === undefined) return undefined;
  const event = await recordEvent(trx, {
    merchantId: invoice.merchant_id,
    invoiceId: invoice.id,
    type: transition.event.type,
    data: transition.event.data(invoice),
  });
  return { invoice, event };
}

export interface ListEventsQuery {
  merchantId: string;
  invoiceId?: string;
  /** Only events with a larger `seq` (a cursor, or where a live stream resumes). */
  afterSeq?: bigint;
  types?: readonly string[];
  limit: number;
}

/** The merchant's events in `seq` order (oldest first), after `afterSeq`. */
export async function listEvents(db: Kysely<Database>, query: ListEventsQuery): Promise<StoredEvent[]> {
  let q = db.selectFrom("events").selectAll().where("merchant_id", "=", query.merchantId);
  if (query.invoiceId !== undefined) q = q.where("invoice_id", "=", query.invoiceId);
  if (query.afterSeq !== undefined) q = q.where("seq", ">", query.afterSeq.toString() as never);
  if (query.types !== undefined && query.types.length > 0) q = q.where("type", "in", [...query.types]);
  const rows = await q.orderBy("seq", "asc").limit(query.limit).execute();
  return rows.map(toStoredEvent);
}

/** The largest `seq` written so far (0 when none): where a live stream that wants only new events starts. */
export async function latestEventSeq(db: Kysely<Database>): Promise<bigint> {
  const row = await db.selectFrom("events").select(sql<string>`coalesce(max(seq), 0)::text`.as("seq")).executeTakeFirstOrThrow();
  return BigInt(row.seq);
}

/**
 * Every merchant's events after `afterSeq`, plus those with a `seq` in `alsoSeqs` (gaps the live feed is still
 * waiting for: a transaction that took a smaller `seq` may commit after a larger one), in `seq` order.
 */
export async function readEventFeed(
  db: Kysely<Database>,
  query: { afterSeq: bigint; alsoSeqs: readonly bigint[]; limit: number },
): Promise<StoredEvent[]> {
  const after = query.afterSeq.toString() as never;
  const also = query.alsoSeqs.map((s) => s.toString() as never);
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where((eb) => (also.length === 0 ? eb("seq", ">", after) : eb.or([eb("seq", ">", after), eb("seq", "in", also)])))
    .orderBy("seq", "asc")
    .limit(query.limit)
    .execute();
  return rows.map(toStoredEvent);
}

/** An invoice by id alone, whichever merchant it belongs to: only for what may be public (its checkout status). */
export async function findInvoiceForCheckout(db: Kysely<Database>, id: string): Promise<InvoiceRow | undefined> {
  return db.selectFrom("invoices").selectAll().where("id", "=", id).executeTakeFirst();
}
