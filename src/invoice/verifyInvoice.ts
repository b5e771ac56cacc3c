import {
  InvoiceExpiredError,
  InvoiceFieldError,
  InvoiceHoldPeriodError,
  InvoicePayerError,
  InvoiceSignatureError,
} from "./errors.js";
import { invoiceDigest } from "./invoiceDigest.js";
import { normalizeAddress, normalizeInvoice, normalizeLocation } from "./normalizeInvoice.js";
import { recoverInvoiceSigner } from "./recoverInvoiceSigner.js";
import { MAX_INVOICE_HOLD_PERIOD, ZERO_ADDRESS, type EscrowLocation, type Invoice, type SignedInvoice } from "./types.js";

export interface VerifyInvoiceOptions {
  /** Unix seconds to judge expiry by; default the local clock. Pass the chain's block time when you have it. */
  now?: bigint;
  /**
   * If given, the signature must recover to this address (e.g. the merchant's signer read from the registry). Not
   * applied to a contract signature accepted with `allowContractSignature` (nothing to recover).
   */
  expectedSigner?: string;
  /** If given, the account about to pay: an invoice bound to another payer is rejected. */
  payer?: string;
  /**
   * Accept a signature that is not 64/65-byte ECDSA (an ERC-1271 contract wallet's) without checking it: `signer`
   * is then `undefined` and only `checkInvoiceOnChain` can verify it. Default false.
   */
  allowContractSignature?: boolean;
}

/** A signed invoice that passed `verifyInvoice`. */
export interface VerifiedInvoice extends SignedInvoice {
  /** Where it is paid (checksummed escrow). */
  location: EscrowLocation;
  /** The EIP-712 digest that was signed. */
  digest: string;
  /** The recovered signer; `undefined` only for a contract signature accepted with `allowContractSignature`. */
  signer: string | undefined;
  /** Seconds left until expiry at `now` (0 in the invoice's last second). */
  expiresIn: bigint;
}

/**
 * Checks a signed invoice without touching the chain: every field in range, a positive amount, a refund window
 * (`holdPeriod`) of at most `MAX_INVOICE_HOLD_PERIOD`, a canonical
 * ECDSA signature (recovering the signer, and matching `expectedSigner` if given), not expired at `now`, and not
 * bound to another payer than `payer` if given. Whether the signer is the merchant's current signer, and whether
 * the number is still unused and the invoice's `epoch` still current, only the chain knows: see
 * `checkInvoiceOnChain`.
 * @throws InvoiceFieldError, InvoiceHoldPeriodError, InvoiceSignatureError (INVOICE_BAD_SIGNATURE / INVOICE_WRONG_SIGNER),
 *   InvoiceExpiredError, InvoicePayerError.
 */
export function verifyInvoice(
  signed: SignedInvoice,
  location: EscrowLocation,
  options: VerifyInvoiceOptions = {},
): VerifiedInvoice {
  if (typeof signed !== "object" || signed === null) {
    throw new InvoiceFieldError("invoice", "expected a signed invoice { invoice, signature }");
  }
  const invoice: Invoice = normalizeInvoice(signed.invoice);
  const where = normalizeLocation(location);
  if (invoice.amount === 0n) throw new InvoiceFieldError("amount", "the invoice amount is zero");
  if (invoice.holdPeriod > MAX_INVOICE_HOLD_PERIOD) throw new InvoiceHoldPeriodError(invoice.holdPeriod, MAX_INVOICE_HOLD_PERIOD);
  const digest = invoiceDigest(invoice, where);
  if (typeof signed.signature !== "string") {
    throw new InvoiceSignatureError("INVOICE_BAD_SIGNATURE", "the signature must be a 0x-hex string");
  }
  const signature = signed.signature.toLowerCase();

  let signer: string | undefined;
  try {
    signer = recoverInvoiceSigner({ invoice, signature }, where);
  } catch (error) {
    const length = typeof signature === "string" ? (signature.length - 2) / 2 : 0;
    const contractLike = /^0x(?:[0-9a-f]{2})+$/.test(signature) && length !== 64 && length !== 65;
    if (!(options.allowContractSignature === true && contractLike)) throw error;
  }
  if (options.expectedSigner !== undefined) {
    const expected = normalizeAddress(options.expectedSigner, "expectedSigner");
    if (signer !== undefined && signer !== expected) {
      throw new InvoiceSignatureError("INVOICE_WRONG_SIGNER", `the invoice was signed by ${signer}, not by ${expected}`, {
        recovered: signer,
        expected,
      });
    }
  }

  const now = options.now ?? BigInt(Math.floor(Date.now() / 1000));
  if (now > invoice.expiry) throw new InvoiceExpiredError(invoice.expiry, now);
  if (options.payer !== undefined && invoice.payer !== ZERO_ADDRESS) {
    const account = normalizeAddress(options.payer, "payer");
    if (account !== invoice.payer) throw new InvoicePayerError(invoice.payer, account);
  }
  return { invoice, signature, location: where, digest, signer, expiresIn: invoice.expiry - now };
}
