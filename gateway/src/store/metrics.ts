/**
 * Store: the counts `/metrics` exposes. Aggregates only (no merchant data leaves through them); each is one indexed
 * or small-table query, cheap enough for a scrape every few seconds.
 */
import { sql, type Kysely } from "kysely";

import type { Database } from "./schema.js";

/** Invoices per stored status, plus how many stored `open` ones are past their expiry at `now` (shown as expired). */
export async function countInvoicesByStatus(
  db: Kysely<Database>,
  now: bigint,
): Promise<{ byStatus: Map<string, bigint>; openPastExpiry: bigint }> {
  const rows = await db
    .selectFrom("invoices")
    .select(["status", sql<string>`count(*)::text`.as("n")])
    .groupBy("status")
    .execute();
  const expired = await db
    .selectFrom("invoices")
    .select(sql<string>`count(*)::text`.as("n"))
    .where("status", "=", "open")
    .where("expiry", "<", now.toString())
    .executeTakeFirstOrThrow();
  return { byStatus: new Map(rows.map((r) => [r.status, BigInt(r.n)])), openPastExpiry: BigInt(expired.n) };
}

/** Webhook deliveries per status (`pending`, `succeeded`, `failed`). */
export async function countWebhookDeliveriesByStatus(db: Kysely<Database>): Promise<Map<string, bigint>> {
  const rows = await db
    .selectFrom("webhook_deliveries")
    .select(["status", sql<string>`count(*)::text`.as("n")])
    .groupBy("status")
    .execute();
  return new Map(rows.map((r) => [r.status, BigInt(r.n)]));
}

/** How many events the log holds. */
export async function countEvents(db: Kysely<Database>): Promise<bigint> {
  const row = await db.selectFrom("events").select(sql<string>`count(*)::text`.as("n")).executeTakeFirstOrThrow();
  return BigInt(row.n);
}
