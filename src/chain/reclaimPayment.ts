import type { PaymentEscrow } from "../../typechain-types/index.js";
import { sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/**
 * Takes back what is left of a disputed payment once the arbiter's deadline has passed. Payer only. A dispute
 * opened after the refund window (only possible while the merchant is suspended) can be reclaimed only while the
 * merchant is still suspended; once it is reinstated, `releasePayments` settles it to the merchant.
 * @throws ScanPayContractError PaymentEscrowInvalidState, PaymentEscrowNotPayer, PaymentEscrowDisputeNotExpired,
 *   PaymentEscrowMerchantReinstated.
 */
export async function reclaimPayment(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  options: TxOptions = {},
): Promise<TxResult> {
  return sendTx("reclaim", () => escrow.reclaim(merchantId, invoiceNumber), options);
}
