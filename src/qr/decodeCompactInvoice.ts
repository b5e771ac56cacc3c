import { decodeBase45 } from "./base45.js";
import { COMPACT_FLAG_ESCROW, COMPACT_PREFIX, COMPACT_VERSION, MAX_PACKED_LENGTH } from "./constants.js";
import { decodePackedInvoice } from "./decodePackedInvoice.js";
import { QrDecodeError } from "./errors.js";
import { bytesToHex } from "./internal/bytes.js";
import { requireChainId, requireNonZeroAddress } from "./internal/location.js";
import { requireQrText } from "./internal/text.js";
import { decodeVarint } from "./internal/varint.js";
import type { InvoiceQrPayload } from "./types.js";

/** Largest carrier: header, 10-byte chain id, escrow, largest packed invoice. */
const MAX_CARRIER_BYTES = 1 + 10 + 20 + MAX_PACKED_LENGTH;
const MAX_TEXT_LENGTH = COMPACT_PREFIX.length + Math.floor(MAX_CARRIER_BYTES / 2) * 3 + (MAX_CARRIER_BYTES % 2) * 2;

/**
 * Decodes compact QR text (`SCANPAY:` + Base45). Strict: the prefix must be exactly `SCANPAY:` (upper case),
 * the Base45 canonical, the chain id a minimal varint, the escrow present, so
 * `encodeCompactInvoice(decodeCompactInvoice(t)) === t`. Checks run in the order of docs/qr-format.md
 * (rules X1-X2, C1-C15, then the packed rules P4-P10 on the tail).
 * @throws QrDecodeError (and nothing else) for any malformed input; QR_MISSING_ESCROW for a text that leaves
 *   the escrow out (header 0x10, written by older encoders).
 */
export function decodeCompactInvoice(text: string): InvoiceQrPayload {
  requireQrText(text, "compact invoice"); // X1, X2
  if (!text.startsWith(COMPACT_PREFIX)) {
    throw new QrDecodeError("QR_BAD_PREFIX", `compact invoice must start with ${COMPACT_PREFIX}`); // C1
  }
  if (text.length > MAX_TEXT_LENGTH) {
    throw new QrDecodeError("QR_TOO_LONG", `compact invoice exceeds ${MAX_TEXT_LENGTH} characters`); // C2
  }
  const bytes = decodeBase45(text.slice(COMPACT_PREFIX.length)); // C3-C5
  const header = bytes[0];
  if (header === undefined) throw new QrDecodeError("QR_TRUNCATED", "compact invoice is empty"); // C6
  if (header >> 4 !== COMPACT_VERSION) {
    throw new QrDecodeError("QR_UNSUPPORTED_VERSION", `compact carrier version ${header >> 4} is not supported`); // C7
  }
  if ((header & 0x0f & ~COMPACT_FLAG_ESCROW) !== 0) {
    throw new QrDecodeError("QR_BAD_FLAGS", `compact carrier has unknown flag bits 0x${(header & 0x0f).toString(16)}`); // C8
  }
  if ((header & COMPACT_FLAG_ESCROW) === 0) {
    throw new QrDecodeError("QR_MISSING_ESCROW", "compact invoice leaves the escrow out; there is no default escrow"); // C9
  }
  const { value: chainId, next } = decodeVarint(bytes, 1, 10, "chain id"); // C10-C12
  requireChainId(chainId, QrDecodeError); // C13: 1 ≤ chainId ≤ 2^64 − 1
  if (bytes.length < next + 20) throw new QrDecodeError("QR_TRUNCATED", "compact invoice ends inside the escrow"); // C14
  const escrow = requireNonZeroAddress(bytesToHex(bytes.subarray(next, next + 20)), "escrow", QrDecodeError); // C15
  return { chainId, escrow, packed: decodePackedInvoice(bytes.subarray(next + 20)) }; // P4-P10
}
