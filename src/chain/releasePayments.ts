import type { PaymentEscrow } from "../../typechain-types/index.js";
import { InvalidArgumentError } from "./errors.js";
import { sendTx } from "./internal/send.js";
import { paymentId } from "./paymentId.js";
import type { PaymentRef, TxOptions, TxResult } from "./types.js";

/** One payment a release settled, from its `PaymentSettled` event. */
export interface SettledPayment extends PaymentRef {
  /** What the merchant's payout received (or was credited). */
  merchantAmount: bigint;
  /** Platform fee accrued to the treasury. */
  fee: bigint;
  /** Loyalty points minted to the payer. */
  pointsAwarded: bigint;
}

export interface ReleaseResult {
  tx: TxResult;
  settled: SettledPayment[];
}

/**
 * Releases held payments whose hold period has ended, all in one transaction (anyone may call; the funds go to
 * each merchant's payout and the points to each payer). Sort by merchant to read each merchant's terms once.
 * @throws InvalidArgumentError for an empty list; ScanPayContractError PaymentEscrowNotReleasable,
 *   PaymentEscrowInvalidState, PaymentEscrowMerchantSuspended (the whole batch reverts).
 */
export async function releasePayments(
  escrow: PaymentEscrow,
  payments: readonly PaymentRef[],
  options: TxOptions = {},
): Promise<ReleaseResult> {
  if (payments.length === 0) throw new InvalidArgumentError("payments", "give at least one payment to release");
  const ids = payments.map((p) => paymentId(p.merchantId, p.invoiceNumber));
  const tx = await sendTx("release", () => escrow.release(ids), options);
  const address = (await escrow.getAddress()).toLowerCase();
  const settled: SettledPayment[] = [];
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = escrow.interface.parseLog(log);
    if (parsed?.name !== "PaymentSettled") continue;
    settled.push({
      merchantId: parsed.args.merchantId as bigint,
      invoiceNumber: parsed.args.invoiceNumber as bigint,
      merchantAmount: parsed.args.merchantAmount as bigint,
      fee: parsed.args.fee as bigint,
      pointsAwarded: parsed.args.pointsAwarded as bigint,
    });
  }
  return { tx, settled };
}
