import { ZERO_ADDRESS, ZERO_BYTES32 } from "../invoice/types.js";
import {
  MAX_PACKED_LENGTH,
  MAX_SIGNATURE_LENGTH,
  PACKED_FIXED_LENGTH,
  PACKED_FLAG_ORDER_REF,
  PACKED_FLAG_PAYER,
  PACKED_VERSION,
} from "./constants.js";
import { QrDecodeError } from "./errors.js";
import { bytesToHex, checksumAddress, isZero, readUint, toBytes } from "./internal/bytes.js";
import type { PackedInvoice } from "./types.js";

/**
 * Reads packed invoice bytes (a Uint8Array or 0x-hex) exactly as the escrow's `payPacked` does, and also
 * rejects what it would accept only ambiguously, so that `encodePackedInvoice(decodePackedInvoice(b))`
 * reproduces `b` byte for byte. The escrow does not cap the length; this decoder caps it at
 * `MAX_PACKED_LENGTH` (signature at most 1024 bytes) so a scanner never handles unbounded input.
 * @throws QrDecodeError (and nothing else) for any malformed input: QR_TRUNCATED, QR_TOO_LONG,
 *   QR_UNSUPPORTED_VERSION, QR_BAD_FLAGS, QR_NON_CANONICAL, QR_BAD_HEX, QR_INVALID_INPUT.
 */
export function decodePackedInvoice(packed: Uint8Array | string): PackedInvoice {
  // Reject oversized hex before converting it.
  if (typeof packed === "string" && packed.length > 2 + 2 * MAX_PACKED_LENGTH) {
    throw new QrDecodeError("QR_TOO_LONG", `packed invoice exceeds ${MAX_PACKED_LENGTH} bytes`);
  }
  const bytes = toBytes(packed, "packed invoice", QrDecodeError);
  const version = bytes[0];
  if (version === undefined) throw new QrDecodeError("QR_TRUNCATED", "packed invoice is empty");
  // Version first: a future version may have another layout, so its length means nothing here.
  if (version !== PACKED_VERSION) {
    throw new QrDecodeError("QR_UNSUPPORTED_VERSION", `packed invoice version ${version} is not supported`);
  }
  const flags = bytes[1];
  if (flags === undefined) throw new QrDecodeError("QR_TRUNCATED", "packed invoice ends before its flags");
  if ((flags & ~(PACKED_FLAG_PAYER | PACKED_FLAG_ORDER_REF)) !== 0) {
    throw new QrDecodeError("QR_BAD_FLAGS", `packed invoice has unknown flag bits 0x${flags.toString(16)}`);
  }
  if (bytes.length > MAX_PACKED_LENGTH) {
    throw new QrDecodeError("QR_TOO_LONG", `packed invoice exceeds ${MAX_PACKED_LENGTH} bytes`);
  }
  const hasPayer = (flags & PACKED_FLAG_PAYER) !== 0;
  const hasOrderRef = (flags & PACKED_FLAG_ORDER_REF) !== 0;
  const signatureOffset = PACKED_FIXED_LENGTH + (hasPayer ? 20 : 0) + (hasOrderRef ? 32 : 0);
  if (bytes.length <= signatureOffset) {
    throw new QrDecodeError(
      "QR_TRUNCATED",
      `packed invoice has ${bytes.length} bytes; its flags need at least ${signatureOffset + 1}`,
    );
  }
  if (bytes.length - signatureOffset > MAX_SIGNATURE_LENGTH) {
    throw new QrDecodeError("QR_TOO_LONG", `signature exceeds ${MAX_SIGNATURE_LENGTH} bytes`);
  }

  let offset = PACKED_FIXED_LENGTH;
  let payer = ZERO_ADDRESS;
  if (hasPayer) {
    const raw = bytes.subarray(offset, offset + 20);
    if (isZero(raw)) throw new QrDecodeError("QR_NON_CANONICAL", "payer flag set but payer is the zero address");
    payer = checksumAddress(bytesToHex(raw), "payer", QrDecodeError);
    offset += 20;
  }
  let orderRef = ZERO_BYTES32;
  if (hasOrderRef) {
    const raw = bytes.subarray(offset, offset + 32);
    if (isZero(raw)) throw new QrDecodeError("QR_NON_CANONICAL", "order reference flag set but it is zero");
    orderRef = bytesToHex(raw);
    offset += 32;
  }

  return {
    invoice: {
      merchantId: readUint(bytes, 2, 4),
      invoiceNumber: readUint(bytes, 6, 8),
      amount: readUint(bytes, 16, 12),
      expiry: readUint(bytes, 28, 5),
      payer,
      pointsAward: readUint(bytes, 33, 4),
      pointsRedeem: readUint(bytes, 37, 4),
      orderRef,
    },
    tokenIndex: Number(readUint(bytes, 14, 2)),
    signature: bytesToHex(bytes.subarray(offset)),
  };
}
