/**
 * 0003: what the indexer, the event log, webhooks and live status need.
 *
 * - `chain_cursors`: one row per followed escrow (`<chainId>:<escrow lower-case>`): the next block to read.
 * - `chain_blocks`: the hash of every block read within the reorg window, to find where a reorg forked.
 * - `chain_logs`: the escrow's (and its deposit router's) invoice events as read, keyed by block and log index;
 *   an invoice's on-chain state is a fold of its logs, so a reorg deletes the logs of the removed blocks and the
 *   state is folded again.
 * - `invoices`: what the indexer derived (payer, refunded amount, release time, the paying transaction), the
 *   deposit address (indexed: deposits are matched by address), when the status last changed.
 * - `events`: the merchant's event log (what `GET /v1/events`, webhooks and live status show). `seq` orders it.
 * - `webhook_endpoints`, `webhook_deliveries` (the outbox: written in the transaction that records the event),
 *   `webhook_attempts` (the delivery log).
 * Released: never edit; add 0004_... instead.
 */
import { sql, type Kysely } from "kysely";

const numeric = sql`numeric(78, 0)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("chain_cursors")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("next_block", numeric, (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("chain_blocks")
    .addColumn("cursor_id", "text", (c) => c.notNull().references("chain_cursors.id").onDelete("cascade"))
    .addColumn("number", numeric, (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("parent_hash", "text", (c) => c.notNull())
    .addColumn("timestamp", numeric, (c) => c.notNull())
    .addPrimaryKeyConstraint("chain_blocks_pk", ["cursor_id", "number"])
    .execute();

  await db.schema
    .createTable("chain_logs")
    .addColumn("cursor_id", "text", (c) => c.notNull().references("chain_cursors.id").onDelete("cascade"))
    .addColumn("block_number", numeric, (c) => c.notNull())
    .addColumn("block_hash", "text", (c) => c.notNull())
    .addColumn("log_index", "integer", (c) => c.notNull())
    .addColumn("transaction_hash", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("on_chain_merchant_id", numeric, (c) => c.notNull())
    .addColumn("invoice_number", numeric, (c) => c.notNull())
    .addColumn("args", "jsonb", (c) => c.notNull())
    .addPrimaryKeyConstraint("chain_logs_pk", ["cursor_id", "block_number", "log_index"])
    .execute();
  await db.schema
    .createIndex("chain_logs_invoice_idx")
    .on("chain_logs")
    .columns(["cursor_id", "on_chain_merchant_id", "invoice_number"])
    .execute();

  await db.schema
    .alterTable("invoices")
    .addColumn("deposit_address", "text")
    .addColumn("paid_by", "text")
    .addColumn("paid_transaction", "text")
    .addColumn("paid_block", numeric)
    .addColumn("paid_amount", numeric)
    .addColumn("refunded_amount", numeric)
    .addColumn("release_at", numeric)
    .addColumn("seen_at", "timestamptz")
    .addColumn("status_changed_at", "timestamptz")
    .execute();
  await db.schema.createIndex("invoices_deposit_address_idx").on("invoices").column("deposit_address").execute();
  await db.schema.createIndex("invoices_status_idx").on("invoices").columns(["status", "merchant_id"]).execute();

  await db.schema
    .createTable("events")
    .addColumn("seq", "bigint", (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
    .addColumn("invoice_id", "text", (c) => c.references("invoices.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("data", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("events_merchant_seq_idx").on("events").columns(["merchant_id", "seq"]).execute();
  await db.schema.createIndex("events_invoice_seq_idx").on("events").columns(["invoice_id", "seq"]).execute();

  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("event_types", sql`text[]`, (c) => c.notNull())
    .addColumn("secret_ciphertext", "text", (c) => c.notNull())
    .addColumn("secret_iv", "text", (c) => c.notNull())
    .addColumn("secret_tag", "text", (c) => c.notNull())
    .addColumn("secret_master_id", "text", (c) => c.notNull())
    .addColumn("enabled", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("webhook_endpoints_merchant_idx").on("webhook_endpoints").column("merchant_id").execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("endpoint_id", "text", (c) => c.notNull().references("webhook_endpoints.id").onDelete("cascade"))
    .addColumn("event_id", "text", (c) => c.notNull().references("events.id").onDelete("cascade"))
    .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_attempt_at", "timestamptz")
    .addColumn("last_status_code", "integer")
    .addColumn("last_error", "text")
    .addColumn("delivered_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_due_idx")
    .on("webhook_deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_endpoint_idx")
    .on("webhook_deliveries")
    .columns(["endpoint_id", "created_at"])
    .execute();

  await db.schema
    .createTable("webhook_attempts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("delivery_id", "text", (c) => c.notNull().references("webhook_deliveries.id").onDelete("cascade"))
    .addColumn("endpoint_id", "text", (c) => c.notNull().references("webhook_endpoints.id").onDelete("cascade"))
    .addColumn("attempted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("status_code", "integer")
    .addColumn("error", "text")
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("webhook_attempts_endpoint_idx")
    .on("webhook_attempts")
    .columns(["endpoint_id", "attempted_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("webhook_attempts").execute();
  await db.schema.dropTable("webhook_deliveries").execute();
  await db.schema.dropTable("webhook_endpoints").execute();
  await db.schema.dropTable("events").execute();
  await db.schema.dropIndex("invoices_status_idx").execute();
  await db.schema.dropIndex("invoices_deposit_address_idx").execute();
  await db.schema
    .alterTable("invoices")
    .dropColumn("deposit_address")
    .dropColumn("paid_by")
    .dropColumn("paid_transaction")
    .dropColumn("paid_block")
    .dropColumn("paid_amount")
    .dropColumn("refunded_amount")
    .dropColumn("release_at")
    .dropColumn("seen_at")
    .dropColumn("status_changed_at")
    .execute();
  await db.schema.dropTable("chain_logs").execute();
  await db.schema.dropTable("chain_blocks").execute();
  await db.schema.dropTable("chain_cursors").execute();
}
