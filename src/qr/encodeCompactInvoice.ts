import { encodeBase45 } from "./base45.js";
import { COMPACT_FLAG_ESCROW, COMPACT_PREFIX, COMPACT_VERSION } from "./constants.js";
import { encodePackedInvoice } from "./encodePackedInvoice.js";
import { QrEncodeError } from "./errors.js";
import { hexToBytes } from "./internal/bytes.js";
import { requireChainId, requireNonZeroAddress } from "./internal/location.js";
import { encodeVarint } from "./internal/varint.js";
import type { InvoiceQrInput } from "./types.js";

/**
 * Encodes a signed invoice as the compact QR text `SCANPAY:` + Base45(0x11 | chainId | escrow | packed),
 * every character of which is QR alphanumeric (5.5 bits per character), giving the smallest QR code. The
 * escrow is always included: ScanPay publishes no default escrow per chain, so a code without it could be
 * neither paid nor verified. For ScanPay-aware apps only (no mainstream wallet reads it). Layout in
 * docs/qr-format.md.
 * @throws QrEncodeError on an invalid chain id, a missing (QR_MISSING_ESCROW) or invalid escrow, or an invalid
 *   packed invoice.
 */
export function encodeCompactInvoice(input: InvoiceQrInput): string {
  if (typeof input !== "object" || input === null) {
    throw new QrEncodeError("QR_INVALID_INPUT", "expected { chainId, escrow, packed }");
  }
  const chainId = encodeVarint(requireChainId(input.chainId, QrEncodeError));
  if (input.escrow === undefined) throw new QrEncodeError("QR_MISSING_ESCROW", "the compact carrier needs the escrow");
  const escrow = hexToBytes(requireNonZeroAddress(input.escrow, "escrow", QrEncodeError), "escrow", QrEncodeError);
  const packed = encodePackedInvoice(input.packed);

  const out = new Uint8Array(1 + chainId.length + escrow.length + packed.length);
  out[0] = (COMPACT_VERSION << 4) | COMPACT_FLAG_ESCROW;
  out.set(chainId, 1);
  out.set(escrow, 1 + chainId.length);
  out.set(packed, 1 + chainId.length + escrow.length);
  return COMPACT_PREFIX + encodeBase45(out);
}
