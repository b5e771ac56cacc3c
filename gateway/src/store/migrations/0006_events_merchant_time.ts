/**
 * 0006: an index on `events (merchant_id, created_at)` for the dashboard's daily report (store/reports.ts), which
 * reads a merchant's events by time; without it the report scans every event of the merchant (the existing index
 * orders them by `seq`). Released: never edit; add 0007_... instead.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("events_merchant_created_idx").on("events").columns(["merchant_id", "created_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("events_merchant_created_idx").execute();
}
