import type { TransactionReceipt } from "ethers";

/** Options every transaction-sending function takes. */
export interface TxOptions {
  /**
   * Blocks to wait for after inclusion (default 1: the receipt). On a local chain that mines only on demand, more
   * than 1 waits until someone mines those blocks.
   */
  confirmations?: number;
  /** Called as soon as a transaction is broadcast (e.g. to show "waiting for 0xabc..."). */
  onSent?: (tx: SentTransaction) => void;
}

/** A broadcast transaction, as `TxOptions.onSent` sees it. */
export interface SentTransaction {
  /** What the transaction does ("approve", "payPacked", "register", ...). */
  label: string;
  hash: string;
}

/** A mined, successful transaction. */
export interface TxResult {
  label: string;
  hash: string;
  receipt: TransactionReceipt;
  gasUsed: bigint;
  blockNumber: number;
  /** gasUsed * effective gas price, in wei. */
  fee: bigint;
  /**
   * The sender's nonce the transaction used. A function that sends several transactions in a row passes
   * `nonce + 1` to the next one explicitly: ethers providers cache identical RPC reads for 250 ms, so letting the
   * signer read the nonce again right after a fast (local) block can return the old one ("nonce has already been
   * used").
   */
  nonce: number;
}

/** A payment is named by (merchantId, invoiceNumber); its id on chain is `merchantId << 64 | invoiceNumber`. */
export interface PaymentRef {
  merchantId: bigint;
  invoiceNumber: bigint;
}

/** `IMerchantRegistry.MerchantStatus` by name. */
export type MerchantStatusName = "None" | "Active" | "Suspended";
/**
 * `IPaymentEscrow.PaymentState` by name. A settled payment keeps no record ("None"). "DisputedWhileSuspended":
 * disputed after its refund window while the merchant was suspended (`invoiceStatus` reports it as "Disputed").
 */
export type PaymentStateName = "None" | "Held" | "Disputed" | "Refunded" | "DisputedWhileSuspended";
/** `IPaymentEscrow.InvoiceStatus` by name. */
export type InvoiceStatusName =
  | "Unpaid"
  | "Expired"
  | "Held"
  | "Disputed"
  | "Settled"
  | "PartiallyRefunded"
  | "Refunded"
  | "Cancelled"
  | "Voided";
