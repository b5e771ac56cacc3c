/**
 * Table types of the gateway database: the single source of truth for Kysely's typed queries. Money and
 * on-chain integers are NUMERIC(78,0) columns, read back as decimal strings (both drivers do so) and converted
 * to bigint by the store functions; never a float.
 */
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/** NUMERIC column: written as a decimal string, read as a decimal string. */
export type Numeric = ColumnType<string, string, string>;
/** Timestamp with time zone that the database fills in by default. */
export type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface MerchantsTable {
  /** Gateway id of the merchant (UUID). */
  id: string;
  chain_id: Numeric;
  /** Registry id on chain (uint32). */
  on_chain_id: Numeric;
  name: string;
  /** Checksummed address of the invoice signer (public; the key itself is only stored encrypted). */
  signer_address: string;
  /** AES-256-GCM ciphertext of the signer's private key, base64. */
  signer_key_ciphertext: string;
  /** 12-byte GCM nonce, base64. */
  signer_key_iv: string;
  /** 16-byte GCM tag, base64. */
  signer_key_tag: string;
  /** Id of the master key that encrypted it, so the master key can rotate. */
  signer_key_master_id: string;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  /** Public key id, also embedded in the secret (`sp_live_<id>_<random>`). */
  id: string;
  merchant_id: string;
  /** SHA-256 of the whole secret, hex. */
  secret_hash: string;
  /** Space-separated scopes, e.g. "read create". */
  scopes: string;
  label: string;
  created_at: CreatedAt;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface InvoiceCountersTable {
  merchant_id: string;
  /** Last invoice number handed out for the merchant. */
  last_number: Numeric;
}

export interface InvoicesTable {
  /** Gateway id of the invoice (UUID). */
  id: string;
  merchant_id: string;
  invoice_number: Numeric;
  token: string;
  amount: Numeric;
  expiry: Numeric;
  payer: string;
  points_award: Numeric;
  points_redeem: Numeric;
  order_ref: string;
  metadata: ColumnType<Record<string, unknown>, string, string>;
  status: Generated<string>;
  idempotency_key: string | null;
  /** SHA-256 of the canonical request, to tell a retry from a different request under the same key. */
  request_hash: string;
  created_at: CreatedAt;
}

export interface Database {
  merchants: MerchantsTable;
  api_keys: ApiKeysTable;
  invoice_counters: InvoiceCountersTable;
  invoices: InvoicesTable;
}

export type MerchantRow = Selectable<MerchantsTable>;
export type NewMerchantRow = Insertable<MerchantsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
export type InvoiceRow = Selectable<InvoicesTable>;
export type NewInvoiceRow = Insertable<InvoicesTable>;
