import type { PaymentEscrow } from "../../typechain-types/index.js";
import { sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/**
 * Cancels an unpaid invoice number so it can never be paid. Merchant owner or signer.
 * @throws ScanPayContractError PaymentEscrowInvoiceUsed (already paid or cancelled), PaymentEscrowNotMerchant.
 */
export async function cancelInvoice(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  options: TxOptions = {},
): Promise<TxResult> {
  return sendTx("cancelInvoice", () => escrow.cancelInvoice(merchantId, invoiceNumber), options);
}
