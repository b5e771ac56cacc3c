/**
 * An invoice's on-chain state is a fold of its logs: pure, so the same logs at the same head always give the same
 * status and fields (re-running a poll writes nothing new), and a reorg is handled by deleting the removed blocks'
 * logs and folding again.
 */
import type { InvoiceStatus } from "../invoices/types.js";

/** A stored log of one invoice (escrow, deposit router, or an ERC-20 Transfer to its deposit address). */
export interface FoldLog {
  /** InvoicePaid, PaymentSettled, PaymentRefunded, SettledPaymentRefunded, DisputeOpened, DisputeResolved,
   * InvoiceCancelled, DepositReturned, Transfer. */
  event: string;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: string;
  /** Emitting contract, lower-case (for a Transfer: the token). */
  address: string;
  /** Integers as decimal strings, addresses lower-case. */
  args: Readonly<Record<string, string>>;
}

/** The invoice's own terms the fold needs. */
export interface FoldInvoice {
  amount: bigint;
  /** Lower-case; the zero address for ETH. */
  token: string;
  expiry: bigint;
}

export interface FoldHead {
  /** The block the fold is judged at (the newest block read). */
  number: bigint;
  /** Its timestamp, unix seconds. */
  timestamp: bigint;
  /** Confirmations a log needs to count (0 or 1: at once). A log in block b has head - b + 1. */
  confirmations: number;
}

export type FoldedStatus = Exclude<InvoiceStatus, "cancelling">;

export interface FoldedDeposit {
  /** Total received at the deposit address (since the last return), base units. */
  amount: bigint;
  /** Sender of the last transfer, lower-case. */
  from: string;
  transactionHash: string;
  blockNumber: bigint;
}

export interface FoldedInvoice {
  status: FoldedStatus;
  paidBy: string | null;
  paidTransaction: string | null;
  paidBlock: bigint | null;
  paidAmount: bigint | null;
  refundedAmount: bigint | null;
  releaseAt: bigint | null;
  /** Funds were seen (a deposit, or a payment, confirmed or not). */
  fundsSeen: boolean;
  deposit: FoldedDeposit | null;
  /** The last log that counted (what the status change is attributed to); null when none did. */
  cause: FoldLog | null;
}

function isConfirmed(log: FoldLog, head: FoldHead): boolean {
  if (head.confirmations <= 1) return log.blockNumber <= head.number;
  return head.number - log.blockNumber + 1n >= BigInt(head.confirmations);
}

function num(args: Readonly<Record<string, string>>, name: string): bigint {
  const value = args[name];
  if (value === undefined) throw new Error(`log argument ${name} missing`);
  return BigInt(value);
}

/** Folds the invoice's logs (any order; sorted here) at `head` into its status and derived fields. */
export function foldInvoiceState(invoice: FoldInvoice, logs: readonly FoldLog[], head: FoldHead): FoldedInvoice {
  const sorted = [...logs].sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
  const out: FoldedInvoice = {
    status: "open",
    paidBy: null,
    paidTransaction: null,
    paidBlock: null,
    paidAmount: null,
    refundedAmount: null,
    releaseAt: null,
    fundsSeen: false,
    deposit: null,
    cause: null,
  };
  let pendingPayment: FoldLog | null = null;
  const token = invoice.token.toLowerCase();

  for (const log of sorted) {
    if (log.blockNumber > head.number) continue;
    if (log.event === "Transfer") {
      // A deposit counts at 0 confirmations: "seen" is by definition not final. Only before the payment.
      if (out.paidBlock !== null || pendingPayment !== null || log.address.toLowerCase() !== token) continue;
      const previous = out.deposit?.amount ?? 0n;
      out.deposit = { amount: previous + num(log.args, "value"), from: log.args["from"] ?? "", transactionHash: log.transactionHash, blockNumber: log.blockNumber };
      out.fundsSeen = true;
      if (out.status === "open") out.cause = log;
      continue;
    }
    if (!isConfirmed(log, head)) {
      // Logs are in chain order: everything after an unconfirmed one is unconfirmed too.
      if (log.event === "InvoicePaid" && out.paidBlock === null) {
        pendingPayment = log;
        out.fundsSeen = true;
      }
      break;
    }
    switch (log.event) {
      case "InvoicePaid":
        out.status = "held";
        out.paidBy = (log.args["payer"] ?? "").toLowerCase();
        out.paidTransaction = log.transactionHash;
        out.paidBlock = log.blockNumber;
        out.paidAmount = num(log.args, "amount");
        out.refundedAmount = 0n;
        out.releaseAt = num(log.args, "releaseAt");
        out.fundsSeen = true;
        break;
      case "PaymentSettled":
        if (out.paidBlock === null) continue;
        out.status = "settled";
        break;
      case "PaymentRefunded": {
        if (out.paidBlock === null || out.paidAmount === null) continue;
        out.refundedAmount = num(log.args, "totalRefunded");
        if (out.refundedAmount >= out.paidAmount) out.status = "refunded";
        // A partial refund of a disputed payment leaves it disputed (the escrow keeps its state).
        else if (out.status !== "disputed") out.status = "partially_refunded";
        break;
      }
      case "SettledPaymentRefunded": {
        if (out.paidBlock === null || out.paidAmount === null) continue;
        out.refundedAmount = (out.refundedAmount ?? 0n) + num(log.args, "amount");
        // A partial refund of a settled payment leaves it settled; the refunded amount shows it.
        if (out.refundedAmount >= out.paidAmount) out.status = "refunded";
        break;
      }
      case "DisputeOpened":
        if (out.paidBlock === null) continue;
        out.status = "disputed";
        out.releaseAt = num(log.args, "deadline");
        break;
      case "DisputeResolved":
        // The same transaction's PaymentRefunded / PaymentSettled carry the outcome.
        continue;
      case "InvoiceCancelled":
        out.status = "cancelled";
        break;
      case "DepositReturned":
        // The deposit went back to its sender (the invoice could no longer be paid).
        if (out.paidBlock === null) out.deposit = null;
        break;
      default:
        continue;
    }
    out.cause = log;
  }

  if (out.status === "open") {
    if (pendingPayment !== null) {
      out.status = "seen";
      out.cause = pendingPayment;
    } else if (out.deposit !== null && out.deposit.amount > 0n) {
      out.status = "seen";
    } else {
      out.deposit = null;
      if (invoice.expiry < head.timestamp) out.status = "expired";
    }
  }
  return out;
}
