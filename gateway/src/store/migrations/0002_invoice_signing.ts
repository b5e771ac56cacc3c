/**
 * 0002: what the API needs on an invoice row. The signed terms read from the chain when it was signed (hold period,
 * epoch) and the signature; the token as the payer sees it (symbol, decimals, index in the escrow's list) so reading
 * an invoice or drawing its QR code needs no RPC call; the text an `orderRef` was hashed from; when cancellation was
 * asked for. Every column is nullable: rows made by `createInvoiceRecord` alone (no signing) have none of them.
 * An index on (merchant_id, created_at, id) serves the API's keyset pagination.
 * Released: never edit; add 0003_... instead.
 */
import { sql, type Kysely } from "kysely";

const numeric = sql`numeric(78, 0)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("invoices")
    .addColumn("token_symbol", "text")
    .addColumn("token_decimals", "integer")
    .addColumn("token_index", "integer")
    .addColumn("hold_period", numeric)
    .addColumn("epoch", numeric)
    .addColumn("signature", "text")
    .addColumn("order_ref_text", "text")
    .addColumn("cancel_requested_at", "timestamptz")
    .execute();
  await db.schema
    .createIndex("invoices_merchant_created_id_idx")
    .on("invoices")
    .columns(["merchant_id", "created_at", "id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("invoices_merchant_created_id_idx").execute();
  await db.schema
    .alterTable("invoices")
    .dropColumn("token_symbol")
    .dropColumn("token_decimals")
    .dropColumn("token_index")
    .dropColumn("hold_period")
    .dropColumn("epoch")
    .dropColumn("signature")
    .dropColumn("order_ref_text")
    .dropColumn("cancel_requested_at")
    .execute();
}
