import { encodeBase45 } from "./base45.js";
import { COMPACT_FLAG_ESCROW, COMPACT_PREFIX, COMPACT_VERSION } from "./constants.js";
import { encodePackedInvoice } from "./encodePackedInvoice.js";
import { QrEncodeError } from "./errors.js";
import { hexToBytes } from "./internal/bytes.js";
import { requireChainId, requireNonZeroAddress } from "./internal/location.js";
import { encodeVarint } from "./internal/varint.js";
import type { InvoiceQrInput } from "./types.js";

/**
 * Encodes a signed invoice as the compact QR text `SCANPAY:` + Base45(header | chainId | [escrow] | packed),
 * every character of which is QR alphanumeric (5.5 bits per character), giving the smallest QR code.
 * Leave `escrow` undefined to mean "the default escrow of this chain" (saves 20 bytes; the scanner must
 * resolve it from its deployments). Layout in docs/qr-format.md.
 * @throws QrEncodeError on an invalid chain id, escrow or packed invoice.
 */
export function encodeCompactInvoice(input: InvoiceQrInput): string {
  if (typeof input !== "object" || input === null) {
    throw new QrEncodeError("QR_INVALID_INPUT", "expected { chainId, escrow?, packed }");
  }
  const chainId = encodeVarint(requireChainId(input.chainId, QrEncodeError));
  const escrow =
    input.escrow === undefined
      ? new Uint8Array(0)
      : hexToBytes(requireNonZeroAddress(input.escrow, "escrow", QrEncodeError), "escrow", QrEncodeError);
  const packed = encodePackedInvoice(input.packed);

  const out = new Uint8Array(1 + chainId.length + escrow.length + packed.length);
  out[0] = (COMPACT_VERSION << 4) | (escrow.length > 0 ? COMPACT_FLAG_ESCROW : 0);
  out.set(chainId, 1);
  out.set(escrow, 1 + chainId.length);
  out.set(packed, 1 + chainId.length + escrow.length);
  return COMPACT_PREFIX + encodeBase45(out);
}
