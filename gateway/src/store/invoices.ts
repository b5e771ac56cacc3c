/** Store: the `invoice_counters` and `invoices` tables. */
import { sql, type ExpressionBuilder, type Kysely } from "kysely";

import { positionOf, type KeysetPosition } from "./keyset.js";
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

/** Where a page of invoices starts (see KeysetPosition). */
export type InvoicePosition = KeysetPosition;

export interface ListInvoiceRowsQuery {
  merchantId: string;
  /** Stored status to match, and for "open" rows whether they are past their expiry at `now` (unix seconds). */
  status?: { stored: string; expired?: boolean; now: bigint };
  createdFrom?: Date;
  createdBefore?: Date;
  /** Text search (see invoiceSearch). */
  search?: string;
  after?: InvoicePosition;
  limit: number;
}

/** `text` as a literal inside a LIKE pattern: `\`, `%` and `_` escaped with `\` (PostgreSQL's default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * Invoices a person's search text finds: the order reference text contains it (case-insensitive, wildcards taken
 * literally), or it is exactly the invoice's number, id, 32-byte order reference, or the address that may pay or paid.
 */
function invoiceSearch(text: string) {
  const q = text.trim();
  return (eb: ExpressionBuilder<Database, "invoices">) => {
    const terms = [eb("order_ref_text", "ilike", `%${escapeLike(q)}%`)];
    if (/^\d{1,20}$/.test(q)) terms.push(eb("invoice_number", "=", BigInt(q).toString()));
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(q)) terms.push(eb("id", "=", q.toLowerCase()));
    if (/^0x[0-9a-f]{64}$/i.test(q)) terms.push(eb("order_ref", "=", q.toLowerCase()));
    if (/^0x[0-9a-f]{40}$/i.test(q)) {
      terms.push(eb(eb.fn("lower", ["payer"]), "=", q.toLowerCase()));
      terms.push(eb("paid_by", "=", q.toLowerCase()));
    }
    return eb.or(terms);
  };
}

/**
 * The merchant's invoices, newest first, ordered by (created_at, id) descending: a keyset page. Each row carries
 * its `position` (created_at to the microsecond as text, so no row is skipped or repeated between pages even when
 * several share a millisecond).
 */
export async function listInvoiceRows(
  db: Kysely<Database>,
  query: ListInvoiceRowsQuery,
): Promise<(InvoiceRow & { position: string })[]> {
  let q = db
    .selectFrom("invoices")
    .selectAll()
    .select(positionOf("created_at").as("position"))
    .where("merchant_id", "=", query.merchantId);
  if (query.status !== undefined) {
    const { stored, expired, now } = query.status;
    if (expired === true) {
      // Open past its expiry, or already stored as expired by the indexer.
      q = q.where((eb) =>
        eb.or([eb.and([eb("status", "=", "open"), eb("expiry", "<", now.toString())]), eb("status", "=", "expired")]),
      );
    } else {
      q = q.where("status", "=", stored);
      if (expired === false) q = q.where("expiry", ">=", now.toString());
    }
  }
  if (query.createdFrom !== undefined) q = q.where("created_at", ">=", query.createdFrom);
  if (query.createdBefore !== undefined) q = q.where("created_at", "<", query.createdBefore);
  if (query.search !== undefined && query.search.trim() !== "") q = q.where(invoiceSearch(query.search));
  if (query.after !== undefined) {
    const { createdAt, id } = query.after;
    q = q.where(sql<boolean>`(${sql.ref("created_at")}, ${sql.ref("id")}) < (${createdAt}::timestamptz, ${id})`);
  }
  return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(query.limit).execute();
}

/**
 * Moves the merchant's invoice from `open` to `cancelling` (first request time kept). Returns the row as it is
 * afterwards, whatever its status; undefined if the merchant has no such invoice.
 */
export async function markInvoiceCancelling(
  db: Kysely<Database>,
  merchantId: string,
  id: string,
  at: Date,
): Promise<InvoiceRow | undefined> {
  await db
    .updateTable("invoices")
    .set({ status: "cancelling", cancel_requested_at: at })
    .where("merchant_id", "=", merchantId)
    .where("id", "=", id)
    .where("status", "=", "open")
    .execute();
  return findInvoiceById(db, merchantId, id);
}

/** One round trip to the database (readiness probe). */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
