import type { PaymentEscrow } from "../../typechain-types/index.js";
import { sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/**
 * Resolves a dispute before the arbiter's deadline: `refundAmount` goes back to the payer, the rest settles to the
 * merchant (to its frozen balance while it is suspended: see `merchantBalance`). Arbiter only: the escrow asks its
 * registry (`escrow.registry()`), which holds the platform roles, whether the sender has `ARBITER_ROLE`.
 * @throws ScanPayContractError PaymentEscrowInvalidState, PaymentEscrowRefundTooLarge, PaymentEscrowDisputeExpired
 *   (at or after the deadline: the payer may reclaim), AccessControlUnauthorizedAccount.
 */
export async function resolveDispute(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  refundAmount: bigint,
  options: TxOptions = {},
): Promise<TxResult> {
  return sendTx("resolveDispute", () => escrow.resolveDispute(merchantId, invoiceNumber, refundAmount), options);
}
