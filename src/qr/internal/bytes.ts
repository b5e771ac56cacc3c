import { getAddress } from "ethers/address";

import { QrDecodeError, QrEncodeError } from "../errors.js";

/** The error class a helper throws: decoders report malformed input, encoders invalid arguments. */
export type QrErrorClass = typeof QrDecodeError | typeof QrEncodeError;

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** Parses 0x-hex (either case, even length) into bytes. */
export function hexToBytes(hex: string, what: string, E: QrErrorClass): Uint8Array {
  if (typeof hex !== "string" || !HEX_RE.test(hex)) {
    throw new E("QR_BAD_HEX", `${what} must be 0x-prefixed hex with an even number of digits`);
  }
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/** Lower-case 0x-hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = "0x";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** Accepts `bytes` as a Uint8Array (copied) or 0x-hex. */
export function toBytes(input: Uint8Array | string, what: string, E: QrErrorClass): Uint8Array {
  if (input instanceof Uint8Array) return Uint8Array.from(input);
  if (typeof input === "string") return hexToBytes(input, what, E);
  throw new E("QR_INVALID_INPUT", `${what} must be a Uint8Array or a 0x-hex string`);
}

/** Writes `value` big-endian into `size` bytes at `offset` (the caller has range-checked it). */
export function writeUint(out: Uint8Array, offset: number, size: number, value: bigint): void {
  let v = value;
  for (let i = offset + size - 1; i >= offset; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Reads a big-endian unsigned integer of `size` bytes at `offset` (the caller has length-checked). */
export function readUint(bytes: Uint8Array, offset: number, size: number): bigint {
  let v = 0n;
  for (let i = offset; i < offset + size; i++) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  return v;
}

/** True if every byte is zero. */
export function isZero(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

/** Requires a bigint in [0, max]. */
export function requireUint(value: unknown, max: bigint, what: string, E: QrErrorClass): bigint {
  if (typeof value !== "bigint") throw new E("QR_INVALID_FIELD", `${what} must be a bigint`);
  if (value < 0n || value > max) throw new E("QR_FIELD_OUT_OF_RANGE", `${what} must be between 0 and ${max}`);
  return value;
}

/**
 * Validates a hex address and returns it EIP-55 checksummed. Accepts all lower case (no checksum) or a correct
 * checksum; mixed case with a wrong checksum is a typo and is rejected.
 */
export function checksumAddress(address: unknown, what: string, E: QrErrorClass): string {
  if (typeof address !== "string" || !ADDRESS_RE.test(address)) {
    throw new E("QR_BAD_ADDRESS", `${what} must be a 0x-prefixed 20-byte hex address`);
  }
  const checksummed = getAddress(address.toLowerCase());
  if (address !== address.toLowerCase() && address !== checksummed) {
    throw new E("QR_BAD_ADDRESS", `${what} has a bad EIP-55 checksum`);
  }
  return checksummed;
}

/** True for the 20-byte zero address in any spelling. */
export function isZeroAddress(address: string): boolean {
  return /^0x0{40}$/.test(address);
}
