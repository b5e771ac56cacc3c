/**
 * Store: webhook endpoints, the delivery outbox (`webhook_deliveries`, whose rows `recordEvent` writes in the event's
 * transaction) and the attempt log. Every merchant-facing query filters by merchant; the sender's queries do not
 * (it works for all merchants) and only touch what it claimed.
 */
import { sql, type Kysely, type Transaction, type Updateable } from "kysely";

import { prefixedId } from "./events.js";
import { positionOf, type KeysetPosition } from "./keyset.js";

import type {
  Database,
  EventRow,
  NewWebhookEndpointRow,
  WebhookAttemptRow,
  WebhookDeliveryRow,
  WebhookEndpointRow,
  WebhookEndpointsTable,
} from "./schema.js";


export async function insertWebhookEndpoint(db: Kysely<Database>, row: NewWebhookEndpointRow): Promise<WebhookEndpointRow> {
  return db.insertInto("webhook_endpoints").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function countWebhookEndpoints(db: Kysely<Database>, merchantId: string): Promise<number> {
  const row = await db
    .selectFrom("webhook_endpoints")
    .select((e) => e.fn.countAll<string | number>().as("n"))
    .where("merchant_id", "=", merchantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findWebhookEndpoint(
  db: Kysely<Database>,
  merchantId: string,
  id: string,
): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom("webhook_endpoints").selectAll().where("merchant_id", "=", merchantId).where("id", "=", id).executeTakeFirst();
}

/** The merchant's endpoints, oldest first. */
export async function listWebhookEndpointRows(db: Kysely<Database>, merchantId: string): Promise<WebhookEndpointRow[]> {
  return db
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("merchant_id", "=", merchantId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** What may change on an endpoint (its secret included, sealed). */
export type WebhookEndpointPatch = Omit<Updateable<WebhookEndpointsTable>, "id" | "merchant_id" | "created_at">;

/** Updates the merchant's endpoint; undefined if the merchant has no such endpoint. */
export async function updateWebhookEndpointRow(
  db: Kysely<Database>,
  merchantId: string,
  id: string,
  patch: WebhookEndpointPatch,
): Promise<WebhookEndpointRow | undefined> {
  if (Object.keys(patch).length === 0) return findWebhookEndpoint(db, merchantId, id);
  return db
    .updateTable("webhook_endpoints")
    .set(patch)
    .where("merchant_id", "=", merchantId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the merchant's endpoint with its deliveries and attempts (cascade); false if there was none. */
export async function deleteWebhookEndpointRow(db: Kysely<Database>, merchantId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom("webhook_endpoints").where("merchant_id", "=", merchantId).where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows === 1n;
}

/** A delivery the sender claimed, with what it needs to send it. */
export interface ClaimedDelivery {
  delivery: WebhookDeliveryRow;
  endpoint: WebhookEndpointRow;
  event: EventRow;
}

/**
 * Locks up to `limit` due deliveries (pending, `next_attempt_at <= now`, endpoint enabled), oldest due first, with
 * `FOR UPDATE SKIP LOCKED`: rows another transaction holds are passed over, so two senders on one PostgreSQL never
 * pick the same row. Must run inside a transaction (the locks last until it ends). Returns their ids.
 */
export async function lockDueDeliveries(trx: Transaction<Database>, now: Date, limit: number): Promise<string[]> {
  const rows = await trx
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", now)
    .where("endpoint_id", "in", (eb) => eb.selectFrom("webhook_endpoints").select("id").where("enabled", "=", true))
    .orderBy("next_attempt_at")
    .orderBy("id")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Claims up to `limit` due deliveries in one transaction: locks them (SKIP LOCKED), counts the attempt and leases
 * them until `leaseUntil` (their `next_attempt_at`), so no other sender takes them while this one sends, and a
 * sender that dies mid-send leaves them to be retried once the lease passes. The HTTP request happens after the
 * transaction, never inside it.
 */
export async function claimDueDeliveries(
  db: Kysely<Database>,
  options: { now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  return db.transaction().execute(async (trx) => {
    const ids = await lockDueDeliveries(trx, options.now, options.limit);
    if (ids.length === 0) return [];
    const deliveries = await trx
      .updateTable("webhook_deliveries")
      .set((eb) => ({ attempts: eb("attempts", "+", 1), next_attempt_at: options.leaseUntil, last_attempt_at: options.now }))
      .where("id", "in", ids)
      .returningAll()
      .execute();
    const endpoints = await trx
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("id", "in", [...new Set(deliveries.map((d) => d.endpoint_id))])
      .execute();
    const events = await trx
      .selectFrom("events")
      .selectAll()
      .where("id", "in", [...new Set(deliveries.map((d) => d.event_id))])
      .execute();
    const endpointById = new Map(endpoints.map((e) => [e.id, e]));
    const eventById = new Map(events.map((e) => [e.id, e]));
    const order = new Map(ids.map((id, i) => [id, i]));
    return deliveries
      .sort((x, y) => (order.get(x.id) ?? 0) - (order.get(y.id) ?? 0))
      .map((delivery) => ({
        delivery,
        endpoint: endpointById.get(delivery.endpoint_id) as WebhookEndpointRow,
        event: eventById.get(delivery.event_id) as EventRow,
      }));
  });
}

/** What became of a delivery after an attempt. */
export type DeliveryOutcome =
  | { status: "succeeded"; at: Date }
  | { status: "pending"; nextAttemptAt: Date }
  | { status: "failed" };

export interface DeliveryAttempt {
  deliveryId: string;
  endpointId: string;
  /** The `attempts` value of the claim: the update applies only if no other claim came since (a fencing token). */
  claimedAttempts: number;
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  outcome: DeliveryOutcome;
}

/**
 * Logs an attempt and moves its delivery on, in one transaction. The delivery is only updated while it is still the
 * pending claim this attempt belongs to (`attempts` unchanged): a sender whose lease ran out and was re-claimed
 * elsewhere still logs its attempt but does not overwrite the newer claim. Returns whether the delivery was updated.
 */
export async function recordDeliveryAttempt(db: Kysely<Database>, attempt: DeliveryAttempt): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto("webhook_attempts")
      .values({
        id: prefixedId("wha"),
        delivery_id: attempt.deliveryId,
        endpoint_id: attempt.endpointId,
        attempted_at: attempt.attemptedAt,
        status_code: attempt.statusCode,
        error: attempt.error,
        duration_ms: attempt.durationMs,
      })
      .execute();
    const { outcome } = attempt;
    const result = await trx
      .updateTable("webhook_deliveries")
      .set({
        status: outcome.status,
        last_status_code: attempt.statusCode,
        last_error: attempt.error,
        ...(outcome.status === "succeeded" ? { delivered_at: outcome.at } : {}),
        ...(outcome.status === "pending" ? { next_attempt_at: outcome.nextAttemptAt } : {}),
      })
      .where("id", "=", attempt.deliveryId)
      .where("status", "=", "pending")
      .where("attempts", "=", attempt.claimedAttempts)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  });
}

/** A delivery as the delivery log shows it: with its event's type and its position for keyset paging. */
export type DeliveryLogRow = WebhookDeliveryRow & { event_type: string; position: string };

/** Where a page of deliveries starts (see KeysetPosition). */
export type DeliveryPosition = KeysetPosition;

export interface ListDeliveryRowsQuery {
  merchantId: string;
  endpointId: string;
  status?: string;
  after?: DeliveryPosition;
  limit: number;
}

/** A merchant's delivery log rows (each with its event's type and keyset position), to narrow further. */
export function merchantDeliveryLogQuery(db: Kysely<Database>, merchantId: string) {
  return db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("events as e", "e.id", "d.event_id")
    .selectAll("d")
    .select("e.type as event_type")
    .select(positionOf("d.created_at").as("position"))
    .where("d.merchant_id", "=", merchantId);
}

function deliveryLogQuery(db: Kysely<Database>, merchantId: string, endpointId: string) {
  return merchantDeliveryLogQuery(db, merchantId).where("d.endpoint_id", "=", endpointId);
}

/** One delivery of the merchant's endpoint as the log shows it. */
export async function findDeliveryLogRow(
  db: Kysely<Database>,
  merchantId: string,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryLogRow | undefined> {
  return deliveryLogQuery(db, merchantId, endpointId).where("d.id", "=", deliveryId).executeTakeFirst();
}

/** The endpoint's deliveries, newest first (keyset on created_at, id), only the merchant's own. */
export async function listDeliveryRows(db: Kysely<Database>, query: ListDeliveryRowsQuery): Promise<DeliveryLogRow[]> {
  let q = deliveryLogQuery(db, query.merchantId, query.endpointId);
  if (query.status !== undefined) q = q.where("d.status", "=", query.status);
  if (query.after !== undefined) {
    const { createdAt, id } = query.after;
    q = q.where(sql<boolean>`(${sql.ref("d.created_at")}, ${sql.ref("d.id")}) < (${createdAt}::timestamptz, ${id})`);
  }
  return q.orderBy("d.created_at", "desc").orderBy("d.id", "desc").limit(query.limit).execute();
}

/** The attempts of these deliveries, oldest first. */
export async function listAttemptRows(db: Kysely<Database>, deliveryIds: readonly string[]): Promise<WebhookAttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom("webhook_attempts")
    .selectAll()
    .where("delivery_id", "in", [...deliveryIds])
    .orderBy("attempted_at")
    .orderBy("id")
    .execute();
}

export async function findDeliveryRow(
  db: Kysely<Database>,
  merchantId: string,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDeliveryRow | undefined> {
  return db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("merchant_id", "=", merchantId)
    .where("endpoint_id", "=", endpointId)
    .where("id", "=", deliveryId)
    .executeTakeFirst();
}

/** A new pending delivery of an event to an endpoint (manual redelivery), due at once. */
export async function insertDeliveryRow(
  db: Kysely<Database>,
  row: { endpointId: string; eventId: string; merchantId: string },
): Promise<WebhookDeliveryRow> {
  return db
    .insertInto("webhook_deliveries")
    .values({ id: prefixedId("whd"), endpoint_id: row.endpointId, event_id: row.eventId, merchant_id: row.merchantId })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Pending deliveries to enabled endpoints (due now or later, leased ones included): the queue depth for /metrics. */
export async function webhookQueueDepth(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .select((e) => e.fn.countAll<string | number>().as("n"))
    .where("status", "=", "pending")
    .where("endpoint_id", "in", (eb) => eb.selectFrom("webhook_endpoints").select("id").where("enabled", "=", true))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Endpoints whose secret is sealed under a master key other than `masterKeyId` (rotation work list). */
export async function findWebhookEndpointsNotUnderMasterKey(db: Kysely<Database>, masterKeyId: string): Promise<WebhookEndpointRow[]> {
  return db.selectFrom("webhook_endpoints").selectAll().where("secret_master_id", "<>", masterKeyId).orderBy("id").execute();
}

/**
 * Replaces an endpoint's sealed secret only if it is still sealed under `fromMasterKeyId` (compare-and-set: two
 * rotations at once, or a secret rotated by its merchant meanwhile, are not overwritten). True if it was updated.
 */
export async function resealWebhookEndpointSecret(
  db: Kysely<Database>,
  id: string,
  fromMasterKeyId: string,
  sealed: Pick<WebhookEndpointRow, "secret_ciphertext" | "secret_iv" | "secret_tag" | "secret_master_id">,
): Promise<boolean> {
  const result = await db
    .updateTable("webhook_endpoints")
    .set(sealed)
    .where("id", "=", id)
    .where("secret_master_id", "=", fromMasterKeyId)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
