/**
 * Store queries of the payments slice: listing a merchant's API keys (management API), the invoices the deposit
 * keeper watches, and the Idempotency-Key records of refunds and releases sent by the gateway.
 */
import type { ColumnType, Kysely, Selectable } from "kysely";

import type { ApiKeyRow, CreatedAt, Database, InvoiceRow, MerchantRow, NullableColumn } from "./schema.js";

/** The merchant's API keys, newest first (revoked ones included: the caller shows `revoked_at`). */
export async function listApiKeyRows(db: Kysely<Database>, merchantId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom("api_keys")
    .selectAll()
    .where("merchant_id", "=", merchantId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** One of the merchant's API keys; undefined for another merchant's id. */
export async function findMerchantApiKey(db: Kysely<Database>, merchantId: string, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom("api_keys").selectAll().where("id", "=", id).where("merchant_id", "=", merchantId).executeTakeFirst();
}

/** An invoice the keeper may settle, with the on-chain id of its merchant. */
export interface DepositCandidateRow {
  invoice: InvoiceRow;
  merchant: Pick<MerchantRow, "id" | "on_chain_id" | "chain_id">;
}

export interface DepositCandidatesQuery {
  chainId: bigint;
  /** Only invoices whose expiry is at or after this (unix seconds): old expired invoices are not polled for ever. */
  expiryFrom: bigint;
  limit: number;
  /** Stored statuses to consider; default open, seen and expired. */
  statuses?: readonly string[];
}

/**
 * Signed invoices with a deposit address that may still receive a deposit to settle: stored as open, seen or
 * expired (statuses only the indexer moves), on the given chain, expiring at or after `expiryFrom`; oldest expiry
 * first so a long backlog is worked through in order.
 */
export async function findDepositCandidates(db: Kysely<Database>, query: DepositCandidatesQuery): Promise<DepositCandidateRow[]> {
  const rows = await db
    .selectFrom("invoices")
    .innerJoin("merchants", "merchants.id", "invoices.merchant_id")
    .selectAll("invoices")
    .select(["merchants.on_chain_id as m_on_chain_id", "merchants.chain_id as m_chain_id"])
    .where("invoices.deposit_address", "is not", null)
    .where("invoices.signature", "is not", null)
    .where("invoices.status", "in", [...(query.statuses ?? ["open", "seen", "expired"])])
    .where("merchants.chain_id", "=", query.chainId.toString())
    .where("invoices.expiry", ">=", query.expiryFrom.toString())
    .orderBy("invoices.expiry", "asc")
    .orderBy("invoices.id", "asc")
    .limit(query.limit)
    .execute();
  return rows.map(({ m_on_chain_id, m_chain_id, ...invoice }) => ({
    invoice,
    merchant: { id: invoice.merchant_id, on_chain_id: m_on_chain_id, chain_id: m_chain_id },
  }));
}

/**
 * The `payment_requests` table (migration 0004). Declared here rather than in schema.ts, and reached through
 * `db.withTables`, so only this slice's store knows it.
 */
export interface PaymentRequestsTable {
  merchant_id: string;
  idempotency_key: string;
  /** SHA-256 of the canonical request (action, invoice, amount, mode). */
  request_hash: string;
  /** pending | sent | done */
  state: ColumnType<string, string | undefined, string>;
  transaction_hash: NullableColumn<string>;
  /** The service result, JSON (bigints tagged), once done. */
  response: NullableColumn<string>;
  /** Why a request that had sent a transaction failed afterwards. */
  error: NullableColumn<string>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
export type PaymentRequestRow = Selectable<PaymentRequestsTable>;

const requests = (db: Kysely<Database>) => db.withTables<{ payment_requests: PaymentRequestsTable }>();

/**
 * Claims (merchant, key) for a new request: true if this call inserted the row (it runs the request), else the row
 * that was there (a retry, or another request under the same key).
 */
export async function claimPaymentRequest(
  db: Kysely<Database>,
  merchantId: string,
  key: string,
  requestHash: string,
): Promise<{ claimed: true } | { claimed: false; row: PaymentRequestRow }> {
  const inserted = await requests(db)
    .insertInto("payment_requests")
    .values({ merchant_id: merchantId, idempotency_key: key, request_hash: requestHash })
    .onConflict((oc) => oc.columns(["merchant_id", "idempotency_key"]).doNothing())
    .returning("state")
    .executeTakeFirst();
  if (inserted !== undefined) return { claimed: true };
  const row = await requests(db)
    .selectFrom("payment_requests")
    .selectAll()
    .where("merchant_id", "=", merchantId)
    .where("idempotency_key", "=", key)
    .executeTakeFirstOrThrow();
  return { claimed: false, row };
}

/** Records the hash of the transaction the request broadcast (before its receipt is awaited). */
export async function markPaymentRequestSent(db: Kysely<Database>, merchantId: string, key: string, hash: string): Promise<void> {
  await requests(db)
    .updateTable("payment_requests")
    .set({ state: "sent", transaction_hash: hash, updated_at: new Date() })
    .where("merchant_id", "=", merchantId)
    .where("idempotency_key", "=", key)
    .execute();
}

/** Stores the response of a finished request. */
export async function completePaymentRequest(db: Kysely<Database>, merchantId: string, key: string, response: string): Promise<void> {
  await requests(db)
    .updateTable("payment_requests")
    .set({ state: "done", response, updated_at: new Date() })
    .where("merchant_id", "=", merchantId)
    .where("idempotency_key", "=", key)
    .execute();
}

/** Records why a request failed after its transaction was broadcast (the row stays: a retry must not send again). */
export async function failPaymentRequest(db: Kysely<Database>, merchantId: string, key: string, error: string): Promise<void> {
  await requests(db)
    .updateTable("payment_requests")
    .set({ error, updated_at: new Date() })
    .where("merchant_id", "=", merchantId)
    .where("idempotency_key", "=", key)
    .execute();
}

/** Forgets a request that failed before anything was broadcast, so the same key may be tried again. */
export async function releasePaymentRequest(db: Kysely<Database>, merchantId: string, key: string): Promise<void> {
  await requests(db)
    .deleteFrom("payment_requests")
    .where("merchant_id", "=", merchantId)
    .where("idempotency_key", "=", key)
    .where("state", "=", "pending")
    .execute();
}
