import { invoiceStatus, type InvoiceStatusInfo } from "../../../../src/chain/invoiceStatus.js";
import type { PaymentEscrow } from "../../../../typechain-types/index.js";
import { InvoiceNotSignedError } from "../../errors.js";
import type { InvoiceView } from "../invoices/invoiceView.js";

/**
 * The escrow's view of the invoice's number: its status (judged with the invoice's expiry and epoch, so an unpaid
 * one reads Expired or Voided) and the held-payment record, if any.
 */
export async function paymentOnChain(escrow: PaymentEscrow, view: InvoiceView): Promise<InvoiceStatusInfo> {
  const r = view.record;
  if (r.epoch === null) throw new InvoiceNotSignedError(r.id);
  return invoiceStatus(escrow, view.onChainMerchantId, r.invoiceNumber, { expiry: r.expiry, epoch: r.epoch });
}
