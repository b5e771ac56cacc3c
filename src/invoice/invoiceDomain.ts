import type { TypedDataDomain, TypedDataField } from "ethers";

import { normalizeLocation } from "./normalizeInvoice.js";
import { EIP712_NAME, EIP712_VERSION, INVOICE_TYPES, type EscrowLocation } from "./types.js";

/** The EIP-712 domain an invoice is signed in: `{ name: "ScanPay", version: "1", chainId, verifyingContract }`. */
export interface InvoiceDomain extends TypedDataDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/**
 * The escrow's EIP-712 domain for `location`. Same as the contract's `eip712Domain()`.
 * @throws InvoiceFieldError for a bad chain id or escrow.
 */
export function invoiceDomain(location: EscrowLocation): InvoiceDomain {
  const { chainId, escrow } = normalizeLocation(location);
  return { name: EIP712_NAME, version: EIP712_VERSION, chainId, verifyingContract: escrow };
}

/** `INVOICE_TYPES` in the mutable shape ethers' typed-data functions take. */
export function invoiceTypes(): Record<string, TypedDataField[]> {
  return { Invoice: INVOICE_TYPES.Invoice.map((field) => ({ name: field.name, type: field.type })) };
}
