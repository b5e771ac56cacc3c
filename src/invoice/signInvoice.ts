import { Signature, type Signer } from "ethers";

import { InvoiceSignatureError } from "./errors.js";
import { invoiceDomain, invoiceTypes } from "./invoiceDomain.js";
import { normalizeInvoice } from "./normalizeInvoice.js";
import type { EscrowLocation, Invoice, SignedInvoice } from "./types.js";

export interface SignInvoiceOptions {
  /**
   * Return the 64-byte EIP-2098 compact signature (default true: one byte shorter in a QR code, and the
   * escrow accepts it). Set false for a contract signer (ERC-1271), whose signature must not be altered.
   */
  compact?: boolean;
}

/**
 * Signs `invoice` with any ethers signer (EIP-712 `eth_signTypedData_v4`) for the escrow at `location`.
 * The returned invoice is the normalized one that was signed (checksummed addresses, lower-case orderRef).
 * @throws InvoiceFieldError for a bad field or location; InvoiceSignatureError if the signer returns a signature
 *   that cannot be compacted.
 */
export async function signInvoice(
  signer: Signer,
  invoice: Invoice,
  location: EscrowLocation,
  options: SignInvoiceOptions = {},
): Promise<SignedInvoice> {
  const normalized = normalizeInvoice(invoice);
  const raw = await signer.signTypedData(invoiceDomain(location), invoiceTypes(), normalized);
  if (options.compact === false) return { invoice: normalized, signature: raw.toLowerCase() };
  try {
    return { invoice: normalized, signature: Signature.from(raw).compactSerialized.toLowerCase() };
  } catch (error) {
    throw new InvoiceSignatureError("INVOICE_BAD_SIGNATURE", "the signer returned a signature that is not plain ECDSA", {
      cause: error,
    });
  }
}
