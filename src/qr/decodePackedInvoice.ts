import { ZERO_ADDRESS, ZERO_BYTES32 } from "../invoice/types.js";
import {
  MAX_PACKED_LENGTH,
  MAX_SIGNATURE_LENGTH,
  PACKED_FIXED_LENGTH,
  PACKED_FLAG_EPOCH,
  PACKED_FLAG_HOLD_PERIOD,
  PACKED_FLAG_ORDER_REF,
  PACKED_FLAG_PAYER,
  PACKED_KNOWN_FLAGS,
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
 * Checks run in the order of docs/qr-format.md, rules P1-P10, and the first failing rule gives the code:
 * QR_INVALID_INPUT, QR_TOO_LONG, QR_BAD_HEX, QR_TRUNCATED, QR_UNSUPPORTED_VERSION, QR_BAD_FLAGS,
 * QR_NON_CANONICAL.
 * @throws QrDecodeError (and nothing else) for any malformed input.
 */
export function decodePackedInvoice(packed: Uint8Array | string): PackedInvoice {
  // P1 is toBytes' type check; P2 (length cap) runs before P3 (hex syntax) so oversized text is never parsed.
  if (!(packed instanceof Uint8Array) && typeof packed !== "string") {
    throw new QrDecodeError("QR_INVALID_INPUT", "packed invoice must be a Uint8Array or a 0x-hex string");
  }
  const length = typeof packed === "string" ? (packed.length - 2) / 2 : packed.length;
  if (length > MAX_PACKED_LENGTH) {
    throw new QrDecodeError("QR_TOO_LONG", `packed invoice exceeds ${MAX_PACKED_LENGTH} bytes`);
  }
  const bytes = toBytes(packed, "packed invoice", QrDecodeError); // P3
  const version = bytes[0];
  if (version === undefined) throw new QrDecodeError("QR_TRUNCATED", "packed invoice is empty"); // P4
  // P5, before any length rule: a future version may have another layout, so its length means nothing here.
  if (version !== PACKED_VERSION) {
    throw new QrDecodeError("QR_UNSUPPORTED_VERSION", `packed invoice version ${version} is not supported`);
  }
  const flags = bytes[1];
  if (flags === undefined) throw new QrDecodeError("QR_TRUNCATED", "packed invoice ends before its flags"); // P6
  if ((flags & ~PACKED_KNOWN_FLAGS) !== 0) {
    throw new QrDecodeError("QR_BAD_FLAGS", `packed invoice has unknown flag bits 0x${flags.toString(16)}`); // P7
  }
  const hasPayer = (flags & PACKED_FLAG_PAYER) !== 0;
  const hasOrderRef = (flags & PACKED_FLAG_ORDER_REF) !== 0;
  const hasHoldPeriod = (flags & PACKED_FLAG_HOLD_PERIOD) !== 0;
  const hasEpoch = (flags & PACKED_FLAG_EPOCH) !== 0;
  const signatureOffset =
    PACKED_FIXED_LENGTH + (hasPayer ? 20 : 0) + (hasOrderRef ? 32 : 0) + (hasHoldPeriod ? 4 : 0) + (hasEpoch ? 4 : 0);
  if (bytes.length <= signatureOffset) {
    throw new QrDecodeError(
      "QR_TRUNCATED",
      `packed invoice has ${bytes.length} bytes; its flags need at least ${signatureOffset + 1}`,
    ); // P8
  }
  if (bytes.length - signatureOffset > MAX_SIGNATURE_LENGTH) {
    throw new QrDecodeError("QR_TOO_LONG", `signature exceeds ${MAX_SIGNATURE_LENGTH} bytes`); // P9
  }

  // P10: a present field must be non-zero, checked in layout order.
  let offset = PACKED_FIXED_LENGTH;
  const take = (size: number, name: string): Uint8Array => {
    const raw = bytes.subarray(offset, offset + size);
    if (isZero(raw)) throw new QrDecodeError("QR_NON_CANONICAL", `${name} flag set but ${name} is zero`);
    offset += size;
    return raw;
  };
  const payer = hasPayer ? checksumAddress(bytesToHex(take(20, "payer")), "payer", QrDecodeError) : ZERO_ADDRESS;
  const orderRef = hasOrderRef ? bytesToHex(take(32, "order reference")) : ZERO_BYTES32;
  const holdPeriod = hasHoldPeriod ? readUint(take(4, "hold period"), 0, 4) : 0n;
  const epoch = hasEpoch ? readUint(take(4, "epoch"), 0, 4) : 0n;

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
      holdPeriod,
      epoch,
    },
    tokenIndex: Number(readUint(bytes, 14, 2)),
    signature: bytesToHex(bytes.subarray(offset)),
  };
}
