import { QrDecodeError } from "../errors.js";

/** Unsigned LEB128 of a non-negative bigint (the caller range-checks). */
export function encodeVarint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

/**
 * Reads an unsigned LEB128 at `offset`, at most `maxBytes` long. Rejects a trailing zero group (a second
 * spelling of a smaller encoding) so each value has one encoding.
 */
export function decodeVarint(
  bytes: Uint8Array,
  offset: number,
  maxBytes: number,
  what: string,
): { value: bigint; next: number } {
  let value = 0n;
  for (let i = 0; i < maxBytes; i++) {
    const b = bytes[offset + i];
    if (b === undefined) throw new QrDecodeError("QR_TRUNCATED", `${what} ends early`);
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) throw new QrDecodeError("QR_NON_CANONICAL", `${what} has a redundant trailing zero byte`);
      return { value, next: offset + i + 1 };
    }
  }
  throw new QrDecodeError("QR_FIELD_OUT_OF_RANGE", `${what} is longer than ${maxBytes} bytes`);
}
