/**
 * An invoice as a customer's wallet is about to pay it: found by its id alone (the capability), open, signed and
 * not expired, with the SDK's invoice, its signature and the merchant. Shared by the payment plan and the relay.
 */
import { getAddress } from "ethers";

import type { Invoice } from "../../../../src/invoice/types.js";
import { ZERO_ADDRESS } from "../../../../src/invoice/types.js";
import { InvoiceNotOpenError, InvoiceNotSignedError, NotFoundError } from "../../errors.js";
import { findInvoiceForCheckout } from "../../store/index.js";
import { nowOf, type GatewayContext } from "../context.js";
import { invoiceView, type InvoiceView } from "../invoices/invoiceView.js";
import { toInvoiceRecord } from "../invoices/toInvoiceRecord.js";
import { getMerchant } from "../merchants/getMerchant.js";
import type { Merchant } from "../merchants/types.js";
import { InvoiceExpiredError, PayerNotAllowedError } from "./errors.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface PayableInvoice {
  view: InvoiceView;
  merchant: Merchant;
  /** The signed invoice as the escrow sees it. */
  invoice: Invoice;
  /** The merchant signer's signature (64-byte EIP-2098). */
  signature: string;
  tokenIndex: number;
  /** The gateway's clock for it (unix seconds; see nowOf). */
  now: bigint;
}

/**
 * The invoice `id` if `from` may pay it now.
 * @throws NotFoundError (unknown or malformed id), InvoiceExpiredError, InvoiceNotOpenError (paid, cancelled...),
 *   InvoiceNotSignedError, PayerNotAllowedError (the invoice names another payer).
 */
export async function payableInvoice(ctx: GatewayContext, id: string, from: string): Promise<PayableInvoice> {
  if (!UUID_RE.test(id)) throw new NotFoundError("invoice");
  const row = await findInvoiceForCheckout(ctx.db, id);
  if (row === undefined) throw new NotFoundError("invoice");
  const merchant = await getMerchant(ctx.db, row.merchant_id);
  const now = await nowOf(ctx);
  const view = invoiceView(toInvoiceRecord(row), merchant, ctx.chain.location, now);
  const r = view.record;
  if (view.status === "expired") throw new InvoiceExpiredError(id, r.expiry);
  if (view.status !== "open") throw new InvoiceNotOpenError(id, view.status);
  if (view.invoice === undefined || r.signature === null || r.tokenIndex === null) throw new InvoiceNotSignedError(id);
  if (view.invoice.payer !== ZERO_ADDRESS && view.invoice.payer !== getAddress(from)) throw new PayerNotAllowedError(getAddress(from));
  return { view, merchant, invoice: view.invoice, signature: r.signature, tokenIndex: r.tokenIndex, now };
}
