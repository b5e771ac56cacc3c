import type { PaymentEscrow } from "../../typechain-types/index.js";
import { readCall, sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

export interface RefundOptions extends TxOptions {
  /** Amount to refund in base units; default everything not yet refunded (a full refund). */
  amount?: bigint;
}

export interface RefundResult {
  tx: TxResult;
  amount: bigint;
  /** Whether this refund emptied the payment (it then returns the redeemed points too). */
  full: boolean;
}

/**
 * Refunds a held or disputed payment, in part or in full, to its payer. Merchant owner or signer.
 * A full refund also mints back the points the payer redeemed on it.
 * @throws ScanPayContractError PaymentEscrowInvalidState (not held), PaymentEscrowRefundTooLarge,
 *   PaymentEscrowNotMerchant.
 */
export async function refundPayment(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  options: RefundOptions = {},
): Promise<RefundResult> {
  const record = await readCall(() => escrow.paymentOf(merchantId, invoiceNumber));
  const left = record.amount - record.refunded;
  const amount = options.amount ?? left;
  const tx = await sendTx("refund", () => escrow.refund(merchantId, invoiceNumber, amount), options);
  return { tx, amount, full: amount === left && left > 0n };
}
