/**
 * Store: what the chain indexer keeps (`chain_cursors`, `chain_blocks`, `chain_logs`) and the invoice reads and
 * writes it needs (by on-chain key, by deposit address, by status). Numbers cross this boundary as bigint; the
 * columns are NUMERIC(78,0) written as decimal strings.
 */
import { sql, type Kysely, type Transaction } from "kysely";

import type { ChainLogRow, Database, InvoiceRow, NewChainLogRow } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** A block as the indexer stores it. */
export interface StoredBlock {
  number: bigint;
  hash: string;
  parentHash: string;
  /** Unix seconds. */
  timestamp: bigint;
}

/** An invoice's on-chain key: the registry's merchant id and the invoice number. */
export interface OnChainInvoiceKey {
  onChainMerchantId: bigint;
  invoiceNumber: bigint;
}

/** An invoice row with its merchant's registry id (what chain logs name it by). */
export type IndexedInvoiceRow = InvoiceRow & { on_chain_merchant_id: string };

/** The cursor's next block to read; undefined when the indexer never ran for it. */
export async function getChainCursor(db: Db, cursorId: string): Promise<bigint | undefined> {
  const row = await db.selectFrom("chain_cursors").select("next_block").where("id", "=", cursorId).executeTakeFirst();
  return row === undefined ? undefined : BigInt(row.next_block);
}

/** Creates the cursor at `fromBlock` unless it exists; returns its next block either way. */
export async function ensureChainCursor(db: Db, cursorId: string, fromBlock: bigint): Promise<bigint> {
  await db
    .insertInto("chain_cursors")
    .values({ id: cursorId, next_block: fromBlock.toString() })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  return (await getChainCursor(db, cursorId)) as bigint;
}

/** The cursor's next block, row-locked until the transaction ends (so two writers of one step serialize). */
export async function lockChainCursor(db: Transaction<Database>, cursorId: string): Promise<bigint | undefined> {
  const row = await db.selectFrom("chain_cursors").select("next_block").where("id", "=", cursorId).forUpdate().executeTakeFirst();
  return row === undefined ? undefined : BigInt(row.next_block);
}

export async function setChainCursor(db: Db, cursorId: string, nextBlock: bigint): Promise<void> {
  await db
    .updateTable("chain_cursors")
    .set({ next_block: nextBlock.toString(), updated_at: sql<Date>`now()` as never })
    .where("id", "=", cursorId)
    .execute();
}

/** The stored blocks, newest first (at most `limit`). */
export async function recentChainBlocks(db: Db, cursorId: string, limit: number): Promise<StoredBlock[]> {
  const rows = await db
    .selectFrom("chain_blocks")
    .selectAll()
    .where("cursor_id", "=", cursorId)
    .orderBy("number", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ number: BigInt(r.number), hash: r.hash, parentHash: r.parent_hash, timestamp: BigInt(r.timestamp) }));
}

/** Stores read blocks (a block already stored keeps its row: after a reorg its old row was deleted first). */
export async function insertChainBlocks(db: Db, cursorId: string, blocks: readonly StoredBlock[]): Promise<void> {
  if (blocks.length === 0) return;
  await db
    .insertInto("chain_blocks")
    .values(
      blocks.map((b) => ({
        cursor_id: cursorId,
        number: b.number.toString(),
        hash: b.hash,
        parent_hash: b.parentHash,
        timestamp: b.timestamp.toString(),
      })),
    )
    .onConflict((oc) => oc.columns(["cursor_id", "number"]).doNothing())
    .execute();
}

/** Deletes stored blocks below `number` (outside the reorg window). */
export async function pruneChainBlocks(db: Db, cursorId: string, below: bigint): Promise<void> {
  await db.deleteFrom("chain_blocks").where("cursor_id", "=", cursorId).where("number", "<", below.toString()).execute();
}

/**
 * Inserts logs; a log already stored (same block and index: a step that ran twice) is skipped. Returns the invoices
 * the inserted logs name.
 */
export async function insertChainLogs(db: Db, rows: readonly NewChainLogRow[]): Promise<OnChainInvoiceKey[]> {
  if (rows.length === 0) return [];
  const inserted: { on_chain_merchant_id: string; invoice_number: string }[] = [];
  // Chunked: PostgreSQL takes at most 65,535 parameters per statement (11 per row).
  for (let i = 0; i < rows.length; i += 1000) {
    inserted.push(
      ...(await db
        .insertInto("chain_logs")
        .values(rows.slice(i, i + 1000))
        .onConflict((oc) => oc.columns(["cursor_id", "block_number", "log_index"]).doNothing())
        .returning(["on_chain_merchant_id", "invoice_number"])
        .execute()),
    );
  }
  return uniqueKeys(inserted);
}

/**
 * Deletes the blocks and logs above `forkBlock` (a reorg replaced them). Returns the invoices whose logs were
 * deleted: their state must be folded again.
 */
export async function deleteChainAbove(db: Db, cursorId: string, forkBlock: bigint): Promise<OnChainInvoiceKey[]> {
  const deleted = await db
    .deleteFrom("chain_logs")
    .where("cursor_id", "=", cursorId)
    .where("block_number", ">", forkBlock.toString())
    .returning(["on_chain_merchant_id", "invoice_number"])
    .execute();
  await db.deleteFrom("chain_blocks").where("cursor_id", "=", cursorId).where("number", ">", forkBlock.toString()).execute();
  return uniqueKeys(deleted);
}

function uniqueKeys(rows: readonly { on_chain_merchant_id: string; invoice_number: string }[]): OnChainInvoiceKey[] {
  const seen = new Map<string, OnChainInvoiceKey>();
  for (const r of rows) {
    const key = `${r.on_chain_merchant_id}:${r.invoice_number}`;
    if (!seen.has(key)) seen.set(key, { onChainMerchantId: BigInt(r.on_chain_merchant_id), invoiceNumber: BigInt(r.invoice_number) });
  }
  return [...seen.values()];
}

/** The invoices with stored logs in block `fromBlock` or later (those that may still gain confirmations). */
export async function invoiceKeysWithLogsFrom(db: Db, cursorId: string, fromBlock: bigint): Promise<OnChainInvoiceKey[]> {
  const rows = await db
    .selectFrom("chain_logs")
    .select(["on_chain_merchant_id", "invoice_number"])
    .distinct()
    .where("cursor_id", "=", cursorId)
    .where("block_number", ">=", fromBlock.toString())
    .execute();
  return uniqueKeys(rows);
}

/** The stored logs of the given invoices, in chain order. */
export async function chainLogsOfInvoices(db: Db, cursorId: string, keys: readonly OnChainInvoiceKey[]): Promise<ChainLogRow[]> {
  const out: ChainLogRow[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    out.push(
      ...(await db
        .selectFrom("chain_logs")
        .selectAll()
        .where("cursor_id", "=", cursorId)
        .where((eb) =>
          eb.or(
            chunk.map((k) =>
              eb.and([eb("on_chain_merchant_id", "=", k.onChainMerchantId.toString()), eb("invoice_number", "=", k.invoiceNumber.toString())]),
            ),
          ),
        )
        .orderBy("block_number", "asc")
        .orderBy("log_index", "asc")
        .execute()),
    );
  }
  return out;
}

/**
 * The highest invoice number of the merchant that the indexer saw used on chain (paid or cancelled); 0 when none.
 * What invoice-number allocation needs instead of a log scan per create (as far as the indexer has read).
 */
export async function highestIndexedInvoiceNumber(db: Db, cursorId: string, onChainMerchantId: bigint): Promise<bigint> {
  const row = await db
    .selectFrom("chain_logs")
    .select(sql<string>`coalesce(max(invoice_number), 0)::text`.as("n"))
    .where("cursor_id", "=", cursorId)
    .where("on_chain_merchant_id", "=", onChainMerchantId.toString())
    .where("event", "in", ["InvoicePaid", "InvoiceCancelled"])
    .executeTakeFirstOrThrow();
  return BigInt(row.n);
}

function indexedInvoices(db: Db) {
  return db
    .selectFrom("invoices")
    .innerJoin("merchants", "merchants.id", "invoices.merchant_id")
    .selectAll("invoices")
    .select("merchants.on_chain_id as on_chain_merchant_id");
}

function invoicesOfChain(db: Db, chainId: bigint) {
  return indexedInvoices(db).where("merchants.chain_id", "=", chainId.toString());
}

/** The chain's invoices with these on-chain keys (unknown keys, e.g. invoices another gateway made, are absent). */
export async function invoicesByOnChainKeys(db: Db, chainId: bigint, keys: readonly OnChainInvoiceKey[]): Promise<IndexedInvoiceRow[]> {
  const out: IndexedInvoiceRow[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    out.push(
      ...(await invoicesOfChain(db, chainId)
        .where((eb) =>
          eb.or(
            chunk.map((k) =>
              eb.and([eb("merchants.on_chain_id", "=", k.onChainMerchantId.toString()), eb("invoices.invoice_number", "=", k.invoiceNumber.toString())]),
            ),
          ),
        )
        .execute()),
    );
  }
  return out;
}

/** Open invoices of the chain whose expiry is before `time` (unix seconds). */
export async function openInvoicesExpiredAt(db: Db, chainId: bigint, time: bigint): Promise<IndexedInvoiceRow[]> {
  return invoicesOfChain(db, chainId).where("invoices.status", "=", "open").where("invoices.expiry", "<", time.toString()).execute();
}

/**
 * Invoices whose deposit address is watched: open or expired (a late deposit still counts) with a deposit address,
 * and an expiry at or after `expiredSince` (unix seconds), so the list does not grow with every invoice that ever
 * expired.
 */
export async function depositWatchList(
  db: Db,
  chainId: bigint,
  expiredSince: bigint,
): Promise<{ id: string; depositAddress: string; token: string; onChainMerchantId: bigint; invoiceNumber: bigint }[]> {
  const rows = await invoicesOfChain(db, chainId)
    .where("invoices.status", "in", ["open", "expired"])
    .where("invoices.deposit_address", "is not", null)
    .where("invoices.expiry", ">=", expiredSince.toString())
    .execute();
  return rows.map((r) => ({
    id: r.id,
    depositAddress: (r.deposit_address as string).toLowerCase(),
    token: r.token.toLowerCase(),
    onChainMerchantId: BigInt(r.on_chain_merchant_id),
    invoiceNumber: BigInt(r.invoice_number),
  }));
}

/** The indexer-derived columns of an invoice. */
export interface InvoiceDerivedColumns {
  paid_by: string | null;
  paid_transaction: string | null;
  paid_block: string | null;
  paid_amount: string | null;
  refunded_amount: string | null;
  release_at: string | null;
  seen_at: Date | null;
}

/** Sets the derived columns of an invoice while it is still in `status` (no status change, no event). */
export async function updateInvoiceDerived(db: Db, invoiceId: string, status: string, patch: InvoiceDerivedColumns): Promise<boolean> {
  const result = await db.updateTable("invoices").set(patch).where("id", "=", invoiceId).where("status", "=", status).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** One invoice by id (re-read after a compare-and-set lost). */
export async function indexedInvoiceById(db: Db, invoiceId: string): Promise<IndexedInvoiceRow | undefined> {
  return indexedInvoices(db).where("invoices.id", "=", invoiceId).executeTakeFirst();
}
