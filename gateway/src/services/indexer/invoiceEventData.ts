/**
 * The `data` of an invoice event the indexer records: the invoice as it is after the change (amounts as decimal
 * strings of base units), the status it had before, and the chain facts that caused it. Webhook receivers get
 * exactly this inside the event envelope.
 */
import type { InvoiceRow } from "../../store/index.js";
import type { FoldLog, FoldedDeposit } from "./foldInvoiceState.js";

export interface InvoiceEventData extends Record<string, unknown> {
  previousStatus: string;
  invoice: {
    id: string;
    status: string;
    onChainMerchantId: string;
    invoiceNumber: string;
    token: string;
    amount: string;
    orderRef: string;
    paidBy: string | null;
    paidTransaction: string | null;
    paidBlock: string | null;
    paidAmount: string | null;
    refundedAmount: string | null;
    releaseAt: string | null;
    seenAt: string | null;
  };
  /** The log the change is attributed to; null for expiry (a matter of time, not of a log). */
  chain: { chainId: string; blockNumber: string; transactionHash: string; event: string } | null;
  /** Set when the change is about funds at the invoice's deposit address. */
  deposit?: { amount: string; from: string; transactionHash: string };
}

export interface InvoiceEventFacts {
  chainId: bigint;
  onChainMerchantId: bigint;
  previousStatus: string;
  cause: FoldLog | null;
  deposit: FoldedDeposit | null;
}

export function invoiceEventData(after: InvoiceRow, facts: InvoiceEventFacts): InvoiceEventData {
  const data: InvoiceEventData = {
    previousStatus: facts.previousStatus,
    invoice: {
      id: after.id,
      status: after.status,
      onChainMerchantId: facts.onChainMerchantId.toString(),
      invoiceNumber: after.invoice_number,
      token: after.token,
      amount: after.amount,
      orderRef: after.order_ref,
      paidBy: after.paid_by,
      paidTransaction: after.paid_transaction,
      paidBlock: after.paid_block,
      paidAmount: after.paid_amount,
      refundedAmount: after.refunded_amount,
      releaseAt: after.release_at,
      seenAt: after.seen_at === null ? null : after.seen_at.toISOString(),
    },
    chain:
      facts.cause === null
        ? null
        : {
            chainId: facts.chainId.toString(),
            blockNumber: facts.cause.blockNumber.toString(),
            transactionHash: facts.cause.transactionHash,
            event: facts.cause.event,
          },
  };
  if (after.status === "seen" && facts.deposit !== null && facts.cause?.event === "Transfer") {
    data.deposit = { amount: facts.deposit.amount.toString(), from: facts.deposit.from, transactionHash: facts.deposit.transactionHash };
  }
  return data;
}
