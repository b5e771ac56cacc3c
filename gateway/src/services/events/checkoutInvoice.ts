/**
 * What a customer's checkout page may know about an invoice without an API key: its status and the payment facts
 * the QR code already prints (amount, token, expiry, the escrow, the payloads) plus the merchant's display name.
 * Never the metadata, the order reference text, the idempotency key, the payer restriction or who paid: those are
 * the merchant's business. The invoice id (a random UUID) is the capability: whoever was shown the checkout link
 * may read this, nobody can guess it.
 */
import { NotFoundError } from "../../errors.js";
import { findInvoiceForCheckout } from "../../store/index.js";
import { nowOf, type GatewayContext } from "../context.js";
import { invoiceView, type InvoicePayloads } from "../invoices/invoiceView.js";
import { toInvoiceRecord } from "../invoices/toInvoiceRecord.js";
import type { InvoiceStatus } from "../invoices/types.js";
import { getMerchant } from "../merchants/getMerchant.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface CheckoutInvoice {
  id: string;
  /** Internal: whose events the checkout stream follows. Not shown to the customer. */
  merchantId: string;
  merchantName: string;
  status: InvoiceStatus;
  chainId: bigint;
  escrow: string;
  token: { address: string; symbol: string | null; decimals: number | null };
  amount: { baseUnits: bigint; decimal: string | null };
  /** Unix seconds. */
  expiresAt: bigint;
  /** While open: what the QR code encodes. */
  payloads: InvoicePayloads | null;
  /** The invoice's number with the merchant (what a receipt shows). */
  invoiceNumber: bigint;
  /** Loyalty points the payer earns with this payment. */
  pointsAward: bigint;
  /** The paying transaction, once the indexer saw it (the receipt's link). */
  transactionHash: string | null;
}

/** The checkout view of an invoice by id alone; NOT_FOUND for an unknown (or malformed) id. */
export async function getCheckoutInvoice(ctx: GatewayContext, id: string): Promise<CheckoutInvoice> {
  if (!UUID_RE.test(id)) throw new NotFoundError("invoice");
  const row = await findInvoiceForCheckout(ctx.db, id);
  if (row === undefined) throw new NotFoundError("invoice");
  const merchant = await getMerchant(ctx.db, row.merchant_id);
  const view = invoiceView(toInvoiceRecord(row), merchant, ctx.chain.location, await nowOf(ctx));
  const r = view.record;
  return {
    id: r.id,
    merchantId: merchant.id,
    merchantName: merchant.name,
    status: view.status,
    chainId: view.location.chainId,
    escrow: view.location.escrow,
    token: { address: r.token, symbol: r.tokenSymbol, decimals: r.tokenDecimals },
    amount: { baseUnits: r.amount, decimal: view.amountDecimal },
    expiresAt: r.expiry,
    payloads: view.payloads,
    invoiceNumber: r.invoiceNumber,
    pointsAward: r.pointsAward,
    transactionHash: r.paidTransaction,
  };
}

/** The invoice's status as shown now (an open invoice past its expiry shows `expired`). */
export async function checkoutStatus(ctx: GatewayContext, id: string): Promise<{ invoiceId: string; status: InvoiceStatus }> {
  const view = await getCheckoutInvoice(ctx, id);
  return { invoiceId: view.id, status: view.status };
}
