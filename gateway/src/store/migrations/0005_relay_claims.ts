/**
 * 0005: `relay_claims`, one row per invoice whose one-signature (EIP-3009) payment the gateway relays for the
 * customer's checkout page: claimed before anything is sent, so two submissions (two tabs, a double click, two
 * gateway instances) never both relay. `pending` while the checks and the send run, `sent` once the transaction is
 * broadcast (its hash), `done` after its receipt; `error` when it failed after broadcasting (the row stays: the
 * authorization may still be mined). A failure before broadcasting deletes the row so the customer can try again.
 * Released: never edit; add 0006_... instead.
 */
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("relay_claims")
    .addColumn("invoice_id", "text", (c) => c.primaryKey().references("invoices.id").onDelete("cascade"))
    .addColumn("payer", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("transaction_hash", "text")
    .addColumn("error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("relay_claims").execute();
}
