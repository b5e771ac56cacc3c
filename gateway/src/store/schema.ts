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
  // 0003: what the indexer derived from the chain, and the deposit address (lower-case) deposits are matched by.
  deposit_address: NullableColumn<string>;
  /** Who paid (the escrow's payer of record), lower-case. */
  paid_by: NullableColumn<string>;
  paid_transaction: NullableColumn<string>;
  paid_block: NullableColumn<string>;
  paid_amount: NullableColumn<string>;
  /** Total refunded so far (held refunds, dispute splits, refunds of settled payments). */
  refunded_amount: NullableColumn<string>;
  /** When a held payment can be released (unix seconds); while disputed, the dispute deadline. */
  release_at: NullableColumn<string>;
  /** When funds were first seen for it (a deposit, or a payment not yet confirmed). */
  seen_at: NullableColumn<Date>;
  status_changed_at: NullableColumn<Date>;
}

/** The next block to read, per followed escrow (`<chainId>:<escrow lower-case>`). */
export interface ChainCursorsTable {
  id: string;
  next_block: Numeric;
  updated_at: CreatedAt;
}

/** Hashes of the blocks read within the reorg window. */
export interface ChainBlocksTable {
  cursor_id: string;
  number: Numeric;
  hash: string;
  parent_hash: string;
  /** Unix seconds. */
  timestamp: Numeric;
}

/** An invoice event the indexer read from the escrow or its deposit router. */
export interface ChainLogsTable {
  cursor_id: string;
  block_number: Numeric;
  block_hash: string;
  log_index: number;
  transaction_hash: string;
  /** Emitting contract, lower-case. */
  address: string;
  /** Event name, e.g. "InvoicePaid". */
  event: string;
  on_chain_merchant_id: Numeric;
  invoice_number: Numeric;
  /** The event's other arguments; integers as decimal strings, addresses lower-case. */
  args: ColumnType<Record<string, string>, string, string>;
}

/**
 * The merchant's event log: one row per invoice status transition (and other merchant events). `seq` is the order
 * (PGlite reads int8 as a number, pg as a string: the store converts). `id` (`evt_…`) is what webhook receivers
 * de-duplicate by.
 */
export interface EventsTable {
  seq: ColumnType<string | number, never, never>;
  id: string;
  merchant_id: string;
  invoice_id: string | null;
  type: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
}

export interface WebhookEndpointsTable {
  id: string;
  merchant_id: string;
  url: string;
  description: ColumnType<string, string | undefined, string>;
  /** Event types it receives; `*` = all. */
  event_types: ColumnType<string[], string[], string[]>;
  /** The signing secret, sealed with the master key like signer keys (AES-256-GCM, base64 fields). */
  secret_ciphertext: string;
  secret_iv: string;
  secret_tag: string;
  secret_master_id: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

/** The outbox: one row per (endpoint, event) to deliver, written in the event's transaction. */
export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  merchant_id: string;
  /** pending | succeeded | failed */
  status: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  last_attempt_at: NullableColumn<Date>;
  last_status_code: NullableColumn<number>;
  last_error: NullableColumn<string>;
  delivered_at: NullableColumn<Date>;
  created_at: CreatedAt;
}

/** The delivery log: one row per HTTP attempt. */
export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  endpoint_id: string;
  attempted_at: CreatedAt;
  status_code: NullableColumn<number>;
  error: NullableColumn<string>;
  duration_ms: number;
}

export interface Database {
  merchants: MerchantsTable;
  api_keys: ApiKeysTable;
  invoice_counters: InvoiceCountersTable;
  invoices: InvoicesTable;
  chain_cursors: ChainCursorsTable;
  chain_blocks: ChainBlocksTable;
  chain_logs: ChainLogsTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type MerchantRow = Selectable<MerchantsTable>;
export type NewMerchantRow = Insertable<MerchantsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
export type InvoiceRow = Selectable<InvoicesTable>;
export type NewInvoiceRow = Insertable<InvoicesTable>;
export type ChainLogRow = Selectable<ChainLogsTable>;
export type NewChainLogRow = Insertable<ChainLogsTable>;
export type EventRow = Selectable<EventsTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type NewWebhookEndpointRow = Insertable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
