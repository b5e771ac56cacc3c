import { INVOICE_LIMITS } from "../invoice/types.js";
import {
  MAX_SIGNATURE_LENGTH,
  MAX_TOKEN_INDEX,
  PACKED_FIXED_LENGTH,
  PACKED_FLAG_EPOCH,
  PACKED_FLAG_HOLD_PERIOD,
  PACKED_FLAG_ORDER_REF,
  PACKED_FLAG_PAYER,
  PACKED_VERSION,
} from "./constants.js";
import { QrEncodeError } from "./errors.js";
import { checksumAddress, hexToBytes, isZero, requireUint, writeUint } from "./internal/bytes.js";
import type { PackedInvoiceInput } from "./types.js";

/**
 * Packs a signed invoice into the bytes the escrow's `payPacked(bytes)` takes (layout in docs/qr-format.md).
 * Canonical: the payer / order-reference / hold-period / epoch flags are set exactly when those fields are
 * non-zero, so an invoice has one encoding. The signature is carried as given; compact a 65-byte EOA signature first with
 * `compactSignature` to save a byte. `invoice.token` is not part of the input (pass `tokenIndex`);
 * see `toPackedInvoice` to derive it from a token list.
 * @throws QrEncodeError on any out-of-range field, bad address/hex, or a signature of 0 or over 1024 bytes.
 */
export function encodePackedInvoice(input: PackedInvoiceInput): Uint8Array {
  if (typeof input !== "object" || input === null || typeof input.invoice !== "object" || input.invoice === null) {
    throw new QrEncodeError("QR_INVALID_INPUT", "expected { invoice, tokenIndex, signature }");
  }
  const { invoice } = input;
  const merchantId = requireUint(invoice.merchantId, INVOICE_LIMITS.merchantId, "merchantId", QrEncodeError);
  const invoiceNumber = requireUint(invoice.invoiceNumber, INVOICE_LIMITS.invoiceNumber, "invoiceNumber", QrEncodeError);
  const tokenIndex = requireTokenIndex(input.tokenIndex);
  const amount = requireUint(invoice.amount, INVOICE_LIMITS.amount, "amount", QrEncodeError);
  const expiry = requireUint(invoice.expiry, INVOICE_LIMITS.expiry, "expiry", QrEncodeError);
  const pointsAward = requireUint(invoice.pointsAward, INVOICE_LIMITS.pointsAward, "pointsAward", QrEncodeError);
  const pointsRedeem = requireUint(invoice.pointsRedeem, INVOICE_LIMITS.pointsRedeem, "pointsRedeem", QrEncodeError);
  const holdPeriod = requireUint(invoice.holdPeriod, INVOICE_LIMITS.holdPeriod, "holdPeriod", QrEncodeError);
  const epoch = requireUint(invoice.epoch, INVOICE_LIMITS.epoch, "epoch", QrEncodeError);
  const payer = hexToBytes(checksumAddress(invoice.payer, "payer", QrEncodeError), "payer", QrEncodeError);
  const orderRef = hexToBytes(invoice.orderRef, "orderRef", QrEncodeError);
  if (orderRef.length !== 32) throw new QrEncodeError("QR_BAD_HEX", "orderRef must be 32 bytes");
  const signature = hexToBytes(input.signature, "signature", QrEncodeError);
  if (signature.length === 0 || signature.length > MAX_SIGNATURE_LENGTH) {
    throw new QrEncodeError("QR_BAD_SIGNATURE", `signature must be 1 to ${MAX_SIGNATURE_LENGTH} bytes`);
  }

  const hasPayer = !isZero(payer);
  const hasOrderRef = !isZero(orderRef);
  const hasHoldPeriod = holdPeriod !== 0n;
  const hasEpoch = epoch !== 0n;
  const flags =
    (hasPayer ? PACKED_FLAG_PAYER : 0) |
    (hasOrderRef ? PACKED_FLAG_ORDER_REF : 0) |
    (hasHoldPeriod ? PACKED_FLAG_HOLD_PERIOD : 0) |
    (hasEpoch ? PACKED_FLAG_EPOCH : 0);
  const out = new Uint8Array(
    PACKED_FIXED_LENGTH +
      (hasPayer ? 20 : 0) +
      (hasOrderRef ? 32 : 0) +
      (hasHoldPeriod ? 4 : 0) +
      (hasEpoch ? 4 : 0) +
      signature.length,
  );
  out[0] = PACKED_VERSION;
  out[1] = flags;
  writeUint(out, 2, 4, merchantId);
  writeUint(out, 6, 8, invoiceNumber);
  writeUint(out, 14, 2, BigInt(tokenIndex));
  writeUint(out, 16, 12, amount);
  writeUint(out, 28, 5, expiry);
  writeUint(out, 33, 4, pointsAward);
  writeUint(out, 37, 4, pointsRedeem);
  let offset = PACKED_FIXED_LENGTH;
  if (hasPayer) {
    out.set(payer, offset);
    offset += 20;
  }
  if (hasOrderRef) {
    out.set(orderRef, offset);
    offset += 32;
  }
  if (hasHoldPeriod) {
    writeUint(out, offset, 4, holdPeriod);
    offset += 4;
  }
  if (hasEpoch) {
    writeUint(out, offset, 4, epoch);
    offset += 4;
  }
  out.set(signature, offset);
  return out;
}

function requireTokenIndex(value: unknown): number {
  if (typeof value === "bigint") {
    if (value < 0n || value > BigInt(MAX_TOKEN_INDEX)) {
      throw new QrEncodeError("QR_FIELD_OUT_OF_RANGE", `tokenIndex must be between 0 and ${MAX_TOKEN_INDEX}`);
    }
    return Number(value);
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new QrEncodeError("QR_INVALID_FIELD", "tokenIndex must be an integer number or bigint");
  }
  if (value < 0 || value > MAX_TOKEN_INDEX) {
    throw new QrEncodeError("QR_FIELD_OUT_OF_RANGE", `tokenIndex must be between 0 and ${MAX_TOKEN_INDEX}`);
  }
  return value;
}
