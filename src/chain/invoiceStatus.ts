import type { PaymentEscrow } from "../../typechain-types/index.js";
import { INVOICE_STATUSES, PAYMENT_STATES } from "./contractErrorMessages.js";
import { readCall } from "./internal/send.js";
import type { InvoiceStatusName, PaymentStateName } from "./types.js";

/** The escrow's record of a held payment (merchants with a hold period). */
export interface HeldPayment {
  payer: string;
  /** When it can be released; while disputed, the arbiter's deadline. */
  releaseAt: bigint;
  state: PaymentStateName;
  tokenIndex: number;
  amount: bigint;
  refunded: bigint;
  pointsAward: bigint;
  pointsRedeem: bigint;
  feeBps: bigint;
}

export interface InvoiceStatusInfo {
  status: InvoiceStatusName;
  /** The held-payment record; undefined if there is none (unpaid, cancelled, or settled at once). */
  payment: HeldPayment | undefined;
}

export interface InvoiceStatusOptions {
  /** The invoice's expiry, if known: an unpaid invoice past it reads as "Expired". */
  expiry?: bigint;
  /**
   * The invoice's epoch, if known: an unpaid invoice signed for an epoch before the merchant's current one reads
   * as "Voided". Without it, voiding is not judged.
   */
  epoch?: bigint;
}

/** Without a known epoch: the largest uint32, which no merchant epoch exceeds (so never "Voided"). */
const UNKNOWN_EPOCH = (1n << 32n) - 1n;

/**
 * Status of an invoice number (`Unpaid`, `Held`, `Settled`, `Refunded`, `Voided`, ...) and its held-payment
 * record. A dispute opened during a suspension reads "Disputed" with `payment.state` "DisputedWhileSuspended".
 */
export async function invoiceStatus(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  options: InvoiceStatusOptions = {},
): Promise<InvoiceStatusInfo> {
  const [status, record] = await readCall(() =>
    Promise.all([
      escrow.invoiceStatus(merchantId, invoiceNumber, options.expiry ?? 0n, options.epoch ?? UNKNOWN_EPOCH),
      escrow.paymentOf(merchantId, invoiceNumber),
    ]),
  );
  const state = PAYMENT_STATES[Number(record.state)] ?? "None";
  return {
    status: INVOICE_STATUSES[Number(status)] ?? "Unpaid",
    payment:
      state === "None"
        ? undefined
        : {
            payer: record.payer,
            releaseAt: record.releaseAt,
            state,
            tokenIndex: Number(record.tokenIndex),
            amount: record.amount,
            refunded: record.refunded,
            pointsAward: record.pointsAward,
            pointsRedeem: record.pointsRedeem,
            feeBps: record.feeBps,
          },
  };
}
