/**
 * Cancelling an invoice. The database record moves to `cancelling` at once (the gateway stops showing its QR
 * code); what makes it unpayable is the escrow's `cancelInvoice(merchantId, invoiceNumber)`, which only the
 * merchant's owner or signer may send. The gateway does not send transactions (it holds no gas): it returns the
 * unsigned transaction for the merchant's own wallet. The indexer (next slice) moves the record to `cancelled`
 * when it sees `InvoiceCancelled`, or to paid if a payment got there first.
 */
import { PaymentEscrow__factory } from "../../../../typechain-types/index.js";
import { InvoiceNotOpenError, NotFoundError } from "../../errors.js";
import { markInvoiceCancelling } from "../../store/index.js";
import { nowOf, type GatewayContext } from "../context.js";
import { getMerchant } from "../merchants/getMerchant.js";
import { getInvoice } from "./readInvoices.js";
import { invoiceView, type InvoiceView } from "./invoiceView.js";
import { toInvoiceRecord } from "./toInvoiceRecord.js";

/** A transaction for the merchant's wallet to sign and send. */
export interface UnsignedTransaction {
  chainId: bigint;
  to: string;
  data: string;
  value: bigint;
}

export interface CancelInvoiceResult {
  view: InvoiceView;
  transaction: UnsignedTransaction;
}

const escrowInterface = PaymentEscrow__factory.createInterface();

/**
 * Marks the merchant's invoice `cancelling` and returns the on-chain cancellation to send. Asking again while it
 * is `cancelling` returns the same answer. An expired invoice can be cancelled too (a deposit may still arrive
 * late; cancelling makes the number unusable for good).
 * @throws NotFoundError (also for another merchant's id), InvoiceNotOpenError for any other status.
 */
export async function cancelInvoice(ctx: GatewayContext, merchantId: string, id: string): Promise<CancelInvoiceResult> {
  const current = await getInvoice(ctx, merchantId, id);
  if (current.record.status !== "open" && current.record.status !== "cancelling") {
    throw new InvoiceNotOpenError(id, current.record.status);
  }
  const row = await markInvoiceCancelling(ctx.db, merchantId, id, new Date());
  if (row === undefined) throw new NotFoundError("invoice");
  if (row.status !== "cancelling") throw new InvoiceNotOpenError(id, row.status);
  const merchant = await getMerchant(ctx.db, merchantId);
  const view = invoiceView(toInvoiceRecord(row), merchant, ctx.chain.location, await nowOf(ctx));
  return {
    view,
    transaction: {
      chainId: ctx.chain.location.chainId,
      to: ctx.chain.location.escrow,
      data: escrowInterface.encodeFunctionData("cancelInvoice", [merchant.onChainId, view.record.invoiceNumber]),
      value: 0n,
    },
  };
}
