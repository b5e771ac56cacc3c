import { TypedDataEncoder } from "ethers";

import { invoiceDomain, invoiceTypes } from "./invoiceDomain.js";
import { normalizeInvoice } from "./normalizeInvoice.js";
import type { EscrowLocation, Invoice } from "./types.js";

/**
 * The EIP-712 digest the merchant's signer signs for `invoice` at `location`: equal to the escrow's
 * `invoiceDigest(invoice)` (a test proves it for random invoices).
 * @throws InvoiceFieldError for an out-of-range field or a bad location.
 */
export function invoiceDigest(invoice: Invoice, location: EscrowLocation): string {
  return TypedDataEncoder.hash(invoiceDomain(location), invoiceTypes(), normalizeInvoice(invoice));
}
