/** What a caller asks for when it creates an invoice (amounts in base units). */
export interface InvoiceRequest {
  /** Zero address for ETH, otherwise the ERC-20 address (0x + 40 hex; stored lower-case). */
  token: string;
  /** Base units, 1 .. 2^96-1. */
  amount: bigint;
  /** Last unix second the invoice can be paid (uint40). */
  expiry: bigint;
  /** Only this account may pay; zero address (default) = anyone. */
  payer?: string;
  pointsAward?: bigint;
  pointsRedeem?: bigint;
  /** 32 bytes as 0x-hex; zero (default) if unused. */
  orderRef?: string;
  /** Free-form JSON object, returned as given. */
  metadata?: Record<string, unknown>;
}

/**
 * Stored statuses: `open` (payable until its expiry), `cancelling` (the merchant asked to cancel; the on-chain
 * `cancelInvoice` is the merchant's to send). Read views add `expired` for an open invoice past its expiry.
 */
export type InvoiceStatus = "open" | "cancelling" | "expired";

/** A stored invoice. */
export interface InvoiceRecord {
  id: string;
  merchantId: string;
  invoiceNumber: bigint;
  token: string;
  amount: bigint;
  expiry: bigint;
  payer: string;
  pointsAward: bigint;
  pointsRedeem: bigint;
  orderRef: string;
  metadata: Record<string, unknown>;
  status: string;
  idempotencyKey: string | null;
  createdAt: Date;
  /** Set when the gateway signed it (null for records made by createInvoiceRecord without `finish`). */
  tokenSymbol: string | null;
  tokenDecimals: number | null;
  tokenIndex: number | null;
  holdPeriod: bigint | null;
  epoch: bigint | null;
  signature: string | null;
  /** The text `orderRef` is the keccak256 of, if the caller gave text. */
  orderRefText: string | null;
  cancelRequestedAt: Date | null;
}

/** What `createInvoiceRecord`'s `finish` adds to the row once the number is known (signing, token facts). */
export interface InvoiceCompletion {
  tokenSymbol: string;
  tokenDecimals: number;
  tokenIndex: number;
  holdPeriod: bigint;
  epoch: bigint;
  signature: string;
  orderRefText: string | null;
}
