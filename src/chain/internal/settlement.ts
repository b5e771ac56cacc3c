import { normalizeAddress, normalizeInvoice } from "../../invoice/normalizeInvoice.js";
import { type Invoice, type SignedInvoice, ZERO_ADDRESS } from "../../invoice/types.js";
import { InvalidArgumentError } from "../errors.js";

/**
 * The router's `DepositSettlement` for a signed invoice and the payer named for it, checked as the router would:
 * no points to redeem, a payer of record for an unbound invoice, no other payer for a bound one.
 * @throws InvalidArgumentError (`pointsRedeem` or `payer`).
 */
export function settlementOf(item: SignedInvoice & { payer?: string }): { invoice: Invoice; signature: string; payer: string } {
  const invoice = normalizeInvoice(item.invoice);
  const name = `invoice ${invoice.invoiceNumber} of merchant ${invoice.merchantId}`;
  if (invoice.pointsRedeem !== 0n) {
    throw new InvalidArgumentError("pointsRedeem", `${name} redeems points: a deposit cannot redeem points (pay it with pay or payWithAuthorization)`);
  }
  const payer = item.payer === undefined ? ZERO_ADDRESS : normalizeAddress(item.payer, "payer");
  if (invoice.payer === ZERO_ADDRESS && payer === ZERO_ADDRESS) {
    throw new InvalidArgumentError("payer", `${name} names no payer: name the payer of record (the sender of the deposit)`);
  }
  if (invoice.payer !== ZERO_ADDRESS && payer !== ZERO_ADDRESS && payer !== invoice.payer) {
    throw new InvalidArgumentError("payer", `${name} is bound to ${invoice.payer}; another payer cannot be named`);
  }
  return { invoice, signature: item.signature, payer };
}
