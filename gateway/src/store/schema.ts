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

/** A nullable column that may be left out on insert. */
export type NullableColumn<T> = ColumnType<T | null, T | null | undefined, T | null>;

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
  // 0002: set when the gateway signs the invoice (null on rows made by createInvoiceRecord alone).
  token_symbol: NullableColumn<string>;
  /** ERC-20 decimals (0..255). */
  token_decimals: NullableColumn<number>;
  /** Index in the escrow's token list (uint16; 0 = ETH). */
  token_index: NullableColumn<number>;
  /** The refund window the invoice signs (uint32 seconds). */
  hold_period: NullableColumn<string>;
  /** The merchant's epoch it was signed in (uint32). */
  epoch: NullableColumn<string>;
  /** The signer's signature, 0x-hex (64-byte EIP-2098). */
  signature: NullableColumn<string>;
  /** The text `order_ref` is the keccak256 of, when the caller gave text rather than 32 bytes. */
  order_ref_text: NullableColumn<string>;
  cancel_requested_at: NullableColumn<Date>;
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
