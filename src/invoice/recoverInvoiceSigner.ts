import { Signature, dataLength, recoverAddress } from "ethers";

import { InvoiceSignatureError } from "./errors.js";
import { invoiceDigest } from "./invoiceDigest.js";
import type { EscrowLocation, SignedInvoice } from "./types.js";

/** secp256k1 group order and its half: the escrow (OpenZeppelin ECDSA) rejects `s` above the half. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;
const SIGNATURE_RE = /^0x(?:[0-9a-fA-F]{2})+$/;

/**
 * Recovers the address that signed `signed.invoice` for `location`, accepting exactly what the escrow's ECDSA
 * path accepts: 65-byte `r || s || v` with v 27 or 28, or 64-byte EIP-2098 `r || vs`; `s` in the lower half
 * of the curve order; `r` and `s` non-zero.
 * @throws InvoiceSignatureError INVOICE_BAD_SIGNATURE for anything else (including any other length, e.g. an
 *   ERC-1271 contract signature, which only the chain can check); InvoiceFieldError for a bad invoice.
 */
export function recoverInvoiceSigner(signed: SignedInvoice, location: EscrowLocation): string {
  const digest = invoiceDigest(signed.invoice, location);
  const signature: unknown = signed.signature;
  if (typeof signature !== "string" || !SIGNATURE_RE.test(signature)) {
    throw new InvoiceSignatureError("INVOICE_BAD_SIGNATURE", "the signature is not 0x-hex");
  }
  const length = dataLength(signature);
  let r: bigint;
  let s: bigint;
  let yParity: 0 | 1;
  if (length === 65) {
    r = BigInt(signature.slice(0, 66));
    s = BigInt("0x" + signature.slice(66, 130));
    const v = Number.parseInt(signature.slice(130, 132), 16);
    if (v !== 27 && v !== 28) {
      throw new InvoiceSignatureError("INVOICE_BAD_SIGNATURE", `the signature's v is ${v}, not 27 or 28`);
    }
    yParity = v === 27 ? 0 : 1;
  } else if (length === 64) {
    r = BigInt(signature.slice(0, 66));
    const vs = BigInt("0x" + signature.slice(66, 130));
    s = vs & ((1n << 255n) - 1n);
    yParity = vs >> 255n === 0n ? 0 : 1;
  } else {
    throw new InvoiceSignatureError(
      "INVOICE_BAD_SIGNATURE",
      `the signature is ${length} bytes; only 64- or 65-byte ECDSA signatures can be checked offline`,
    );
  }
  if (r === 0n || r >= SECP256K1_N || s === 0n || s > HALF_N) {
    throw new InvoiceSignatureError("INVOICE_BAD_SIGNATURE", "the signature is not a canonical ECDSA signature");
  }
  try {
    const sig = Signature.from({ r: toHex32(r), s: toHex32(s), v: 27 + yParity });
    return recoverAddress(digest, sig);
  } catch (error) {
    throw new InvoiceSignatureError("INVOICE_BAD_SIGNATURE", "no signer can be recovered from the signature", {
      cause: error,
    });
  }
}

function toHex32(value: bigint): string {
  return "0x" + value.toString(16).padStart(64, "0");
}
