import type { PaymentEscrow } from "../../typechain-types/index.js";
import { sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/**
 * Opens a dispute on a held payment, before its release time (or after it while the merchant is suspended: the
 * record then reads "DisputedWhileSuspended"). Payer only. Release is then blocked until the
 * arbiter decides (`resolveDispute`) or its deadline passes (`reclaimPayment`).
 * @throws ScanPayContractError PaymentEscrowInvalidState, PaymentEscrowNotPayer, PaymentEscrowDisputeWindowClosed.
 */
export async function openDispute(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  options: TxOptions = {},
): Promise<TxResult> {
  return sendTx("openDispute", () => escrow.openDispute(merchantId, invoiceNumber), options);
}
