/**
 * Store queries of the payments slice: listing a merchant's API keys (management API) and the invoices the deposit
 * keeper watches. Other tables' writers live in their own files; these only read.
 */
import type { Kysely } from "kysely";

import type { ApiKeyRow, Database, InvoiceRow, MerchantRow } from "./schema.js";

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
    .where("invoices.status", "in", ["open", "seen", "expired"])
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
