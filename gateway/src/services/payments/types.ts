import type { InvoiceStatusName } from "../../../../src/chain/types.js";
import type { UnsignedTransaction } from "../invoices/cancelInvoice.js";

/** `unsigned`: return the transactions for the merchant's own wallet; `send`: the gateway sends with the merchant's signer key. */
export const PAYMENT_MODES = ["unsigned", "send"] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];

/** What a refund or release does, as the escrow will see it. Amounts in base units. */
export interface PaymentSummary {
  /** The escrow function: `refund` (held or disputed), `refundSettled` (settled, merchant-funded), `release`. */
  action: "refund" | "refundSettled" | "release";
  invoiceId: string;
  onChainMerchantId: bigint;
  invoiceNumber: bigint;
  /** The escrow's payment id, `merchantId << 64 | invoiceNumber`. */
  paymentId: bigint;
  /** The escrow's `invoiceStatus` before the transaction (Held, PartiallyRefunded, Disputed, Settled). */
  chainStatus: InvoiceStatusName;
  /** Zero address for ETH. */
  token: string;
  tokenSymbol: string | null;
  tokenDecimals: number | null;
  /** Who paid: the refund goes to this account. */
  payer: string;
  /** Refund: the amount refunded. Release: what settles (paid minus refunded, before the platform fee). */
  amount: bigint;
  /** What was left to refund before this transaction (refunds only). */
  refundable: bigint | null;
  /** A refund of everything left (it returns the redeemed points too). */
  full: boolean;
  /** refundSettled only: points minted back to the payer, and clawed back from it. */
  pointsToRestore: bigint | null;
  pointsToClawBack: bigint | null;
  /** Release only: when the refund window ended (unix seconds). */
  releaseAt: bigint | null;
  /** Who may send the transactions: for refunds the merchant's owner or signer; a release anyone. */
  sender: string;
}

/** A transaction the gateway sent and saw mined. */
export interface SentPaymentTransaction {
  hash: string;
  blockNumber: number;
  gasUsed: bigint;
  /** The merchant's signer address that sent it. */
  from: string;
}

export type PaymentActionResult =
  | { mode: "unsigned"; transactions: UnsignedTransaction[]; summary: PaymentSummary; replayed?: boolean }
  | {
      mode: "send";
      sent: SentPaymentTransaction;
      summary: PaymentSummary;
      /** True when this is the stored answer to an earlier request under the same Idempotency-Key (nothing sent now). */
      replayed?: boolean;
    };

export interface RefundRequest {
  /** Decimal in the token's units ("2.50"); at most one of amount and amountBaseUnits; neither = all that is left. */
  amount?: string;
  amountBaseUnits?: string;
  mode: PaymentMode;
  /** For `send`: a retry under the same key never sends a second transaction (see sendOnce). */
  idempotencyKey?: string;
}

export interface ReleaseRequest {
  mode: PaymentMode;
  idempotencyKey?: string;
}
