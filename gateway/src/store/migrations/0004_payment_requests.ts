/**
 * 0004: `payment_requests`, the Idempotency-Key record of refunds and releases the gateway sends (mode "send"): a
 * retry under the same key gets the first answer instead of a second transaction. One row per (merchant, key):
 * `pending` while the request runs, `sent` once a transaction was broadcast (its hash), `done` with the response.
 * Released: never edit; add 0005_... instead.
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("payment_requests")
    .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("transaction_hash", "text")
    .addColumn("response", "text")
    .addColumn("error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("payment_requests_pk", ["merchant_id", "idempotency_key"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("payment_requests").execute();
}
