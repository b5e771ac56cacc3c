/**
 * 0001: merchants (with the encrypted signer key), API keys, per-merchant invoice counters and invoices.
 * Released: never edit; add 0002_... instead.
 */
import { sql, type Kysely } from "kysely";

const numeric = sql`numeric(78, 0)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("merchants")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("chain_id", numeric, (c) => c.notNull())
    .addColumn("on_chain_id", numeric, (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("signer_address", "text", (c) => c.notNull())
    .addColumn("signer_key_ciphertext", "text", (c) => c.notNull())
    .addColumn("signer_key_iv", "text", (c) => c.notNull())
    .addColumn("signer_key_tag", "text", (c) => c.notNull())
    .addColumn("signer_key_master_id", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("merchants_chain_merchant_unique", ["chain_id", "on_chain_id"])
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("scopes", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("revoked_at", "timestamptz")
    .execute();
  await db.schema.createIndex("api_keys_merchant_idx").on("api_keys").column("merchant_id").execute();

  await db.schema
    .createTable("invoice_counters")
    .addColumn("merchant_id", "text", (c) => c.primaryKey().references("merchants.id").onDelete("cascade"))
    .addColumn("last_number", numeric, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("invoices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
    .addColumn("invoice_number", numeric, (c) => c.notNull())
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("amount", numeric, (c) => c.notNull().check(sql`amount > 0`))
    .addColumn("expiry", numeric, (c) => c.notNull())
    .addColumn("payer", "text", (c) => c.notNull())
    .addColumn("points_award", numeric, (c) => c.notNull())
    .addColumn("points_redeem", numeric, (c) => c.notNull())
    .addColumn("order_ref", "text", (c) => c.notNull())
    .addColumn("metadata", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open"))
    .addColumn("idempotency_key", "text")
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("invoices_merchant_number_unique", ["merchant_id", "invoice_number"])
    .addUniqueConstraint("invoices_merchant_idempotency_unique", ["merchant_id", "idempotency_key"])
    .execute();
  await db.schema
    .createIndex("invoices_merchant_created_idx")
    .on("invoices")
    .columns(["merchant_id", "created_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("invoices").execute();
  await db.schema.dropTable("invoice_counters").execute();
  await db.schema.dropTable("api_keys").execute();
  await db.schema.dropTable("merchants").execute();
}
