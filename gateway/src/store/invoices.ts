/** Store: the `invoice_counters` and `invoices` tables. */
import { sql, type Kysely } from "kysely";

import type { Database, InvoiceRow, NewInvoiceRow } from "./schema.js";

/**
 * Hands out the merchant's next invoice number: one row per merchant, bumped by a single
 * `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, which row-locks the counter until the caller's transaction
 * ends. Call it inside the transaction that inserts the invoice, so a rolled-back insert gives its number back
 * and two transactions (on any number of gateway instances) never get the same one. The result is at least
 * `highestUsedOnChain + 1`.
 */
export async function allocateInvoiceNumber(
  db: Kysely<Database>,
  merchantId: string,
  highestUsedOnChain: bigint,
): Promise<bigint> {
  const first = (highestUsedOnChain + 1n).toString();
  const row = await db
    .insertInto("invoice_counters")
    .values({ merchant_id: merchantId, last_number: first })
    .onConflict((oc) =>
      oc.column("merchant_id").doUpdateSet({
        last_number: sql<string>`greatest(${sql.ref("invoice_counters.last_number")} + 1, ${sql.ref("excluded.last_number")})`,
      }),
    )
    .returning("last_number")
    .executeTakeFirstOrThrow();
  return BigInt(row.last_number);
}

export async function insertInvoice(db: Kysely<Database>, row: NewInvoiceRow): Promise<InvoiceRow> {
  return db.insertInto("invoices").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findInvoiceByIdempotencyKey(
  db: Kysely<Database>,
  merchantId: string,
  idempotencyKey: string,
): Promise<InvoiceRow | undefined> {
  return db
    .selectFrom("invoices")
    .selectAll()
    .where("merchant_id", "=", merchantId)
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

export async function findInvoiceById(
  db: Kysely<Database>,
  merchantId: string,
  id: string,
): Promise<InvoiceRow | undefined> {
  return db.selectFrom("invoices").selectAll().where("merchant_id", "=", merchantId).where("id", "=", id).executeTakeFirst();
}

/** True when `error` is the database's unique violation on `constraint` (same SQLSTATE on PGlite and pg). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { code?: unknown; constraint?: unknown };
  return e.code === "23505" && e.constraint === constraint;
}
