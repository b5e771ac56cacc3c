import { decodeBase45 } from "./base45.js";
import { COMPACT_FLAG_ESCROW, COMPACT_PREFIX, COMPACT_VERSION, MAX_PACKED_LENGTH } from "./constants.js";
import { decodePackedInvoice } from "./decodePackedInvoice.js";
import { QrDecodeError } from "./errors.js";
import { bytesToHex } from "./internal/bytes.js";
import { requireChainId, requireNonZeroAddress } from "./internal/location.js";
import { decodeVarint } from "./internal/varint.js";
import type { InvoiceQrPayload } from "./types.js";

/** Largest carrier: header, 10-byte chain id, escrow, largest packed invoice. */
const MAX_CARRIER_BYTES = 1 + 10 + 20 + MAX_PACKED_LENGTH;
const MAX_TEXT_LENGTH = COMPACT_PREFIX.length + Math.floor(MAX_CARRIER_BYTES / 2) * 3 + (MAX_CARRIER_BYTES % 2) * 2;

/**
 * Decodes compact QR text (`SCANPAY:` + Base45). Strict: the prefix must be exactly `SCANPAY:` (upper case),
 * the Base45 canonical, the chain id a minimal varint, so `encodeCompactInvoice(decodeCompactInvoice(t)) === t`.
 * `escrow` is `undefined` when the text leaves it out (use the chain's default escrow).
 * @throws QrDecodeError (and nothing else) for any malformed input.
 */
export function decodeCompactInvoice(text: string): InvoiceQrPayload {
  if (typeof text !== "string") throw new QrDecodeError("QR_INVALID_INPUT", "compact invoice must be a string");
  if (!text.startsWith(COMPACT_PREFIX)) {
    throw new QrDecodeError("QR_BAD_PREFIX", `compact invoice must start with ${COMPACT_PREFIX}`);
  }
  if (text.length > MAX_TEXT_LENGTH) {
    throw new QrDecodeError("QR_TOO_LONG", `compact invoice exceeds ${MAX_TEXT_LENGTH} characters`);
  }
  const bytes = decodeBase45(text.slice(COMPACT_PREFIX.length));
  const header = bytes[0];
  if (header === undefined) throw new QrDecodeError("QR_TRUNCATED", "compact invoice is empty");
  if (header >> 4 !== COMPACT_VERSION) {
    throw new QrDecodeError("QR_UNSUPPORTED_VERSION", `compact carrier version ${header >> 4} is not supported`);
  }
  if ((header & 0x0f & ~COMPACT_FLAG_ESCROW) !== 0) {
    throw new QrDecodeError("QR_BAD_FLAGS", `compact carrier has unknown flag bits 0x${(header & 0x0f).toString(16)}`);
  }
  const { value: chainId, next } = decodeVarint(bytes, 1, 10, "chain id");
  requireChainId(chainId, QrDecodeError); // 1 ≤ chainId ≤ 2^64 − 1
  let offset = next;
  let escrow: string | undefined;
  if ((header & COMPACT_FLAG_ESCROW) !== 0) {
    if (bytes.length < offset + 20) throw new QrDecodeError("QR_TRUNCATED", "compact invoice ends inside the escrow");
    escrow = requireNonZeroAddress(bytesToHex(bytes.subarray(offset, offset + 20)), "escrow", QrDecodeError);
    offset += 20;
  }
  return { chainId, escrow, packed: decodePackedInvoice(bytes.subarray(offset)) };
}
