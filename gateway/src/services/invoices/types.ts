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
 * An invoice's statuses (docs/gateway.md, "Invoice states"), stored and shown:
 * - `open`: payable until its expiry; `expired`: open past its expiry (shown at once, stored by the indexer);
 * - `seen`: funds seen for it but not final (a deposit at its address, or a payment with fewer confirmations
 *   than the network's depth);
 * - `held`: paid and confirmed, held by the escrow through the refund window; `settled`: paid to the merchant
 *   (at once, on release, or by a dispute split);
 * - `partially_refunded`: held, part of it refunded; `refunded`: all of it refunded;
 * - `disputed`: the payer opened a dispute; the arbiter decides;
 * - `cancelling`: the merchant asked to cancel, the on-chain cancellation is not confirmed; `cancelled`: it is.
 * The confirmation of a payment is the event `invoice.paid` (its status then is `held` or `settled`).
 */
export const INVOICE_STATUSES = [
  "open",
  "expired",
  "seen",
  "held",
  "settled",
  "partially_refunded",
  "refunded",
  "disputed",
  "cancelling",
  "cancelled",
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

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
  /** The invoice's deposit address (lower-case); null when it has none (it redeems points, or was never signed). */
  depositAddress: string | null;
  /** What the indexer derived from the chain (null until then). Who paid (lower-case), in which transaction. */
  paidBy: string | null;
  paidTransaction: string | null;
  paidBlock: bigint | null;
  paidAmount: bigint | null;
  /** Total refunded so far. */
  refundedAmount: bigint | null;
  /** When a held payment can be released (unix seconds); while disputed, the dispute deadline. */
  releaseAt: bigint | null;
  seenAt: Date | null;
  statusChangedAt: Date | null;
}

/** What `createInvoiceRecord`'s `finish` adds to the row once the number is known (signing, token facts). */
export interface InvoiceCompletion {
  /** The deposit address (any case), or null when the invoice has none. */
  depositAddress: string | null;
  tokenSymbol: string;
  tokenDecimals: number;
  tokenIndex: number;
  holdPeriod: bigint;
  epoch: bigint;
  signature: string;
  orderRefText: string | null;
}
