import { QrDecodeError, QrEncodeError } from "./errors.js";

/** RFC 9285 alphabet: exactly the 45 characters of QR alphanumeric mode, in the same order. */
export const BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

const DECODE_TABLE: ReadonlyMap<string, number> = new Map([...BASE45_ALPHABET].map((c, i) => [c, i]));

/**
 * Base45 (RFC 9285): each 2 bytes become 3 characters, a final single byte 2 characters, least significant
 * digit first. The output never ends with a space (the last digit of a group is at most 32), so scanners that
 * trim whitespace cannot damage it.
 */
export function encodeBase45(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new QrEncodeError("QR_INVALID_INPUT", "Base45 input must be a Uint8Array");
  let out = "";
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const n = (bytes[i] ?? 0) * 256 + (bytes[i + 1] ?? 0);
    out += digit(n % 45) + digit(Math.floor(n / 45) % 45) + digit(Math.floor(n / 2025));
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1] ?? 0;
    out += digit(n % 45) + digit(Math.floor(n / 45));
  }
  return out;
}

/**
 * Decodes RFC 9285 Base45, rejecting what the RFC says to reject, in this order (rules C3-C5 of
 * docs/qr-format.md): any character outside the alphabet anywhere in the text (QR_BAD_CHARACTER), a length of
 * 1 modulo 3 (QR_BAD_LENGTH), a group whose value overflows 2 bytes (3 characters) or 1 byte (2 characters)
 * (QR_BAD_CHARACTER). Every byte string therefore has exactly one Base45 spelling.
 */
export function decodeBase45(text: string): Uint8Array {
  if (typeof text !== "string") throw new QrDecodeError("QR_INVALID_INPUT", "Base45 input must be a string");
  for (let i = 0; i < text.length; i++) value(text, i); // the alphabet first, whatever the length
  if (text.length % 3 === 1) throw new QrDecodeError("QR_BAD_LENGTH", "Base45 text length must not be 1 modulo 3");
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const c = value(text, i);
    const d = value(text, i + 1);
    if (i + 2 < text.length) {
      const n = c + d * 45 + value(text, i + 2) * 2025;
      if (n > 0xffff) throw new QrDecodeError("QR_BAD_CHARACTER", `Base45 group at ${i} exceeds 2 bytes`);
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      const n = c + d * 45;
      if (n > 0xff) throw new QrDecodeError("QR_BAD_CHARACTER", `Base45 group at ${i} exceeds 1 byte`);
      out[o++] = n;
    }
  }
  return out;
}

function digit(n: number): string {
  return BASE45_ALPHABET.charAt(n);
}

function value(text: string, i: number): number {
  const v = DECODE_TABLE.get(text.charAt(i));
  if (v === undefined) {
    throw new QrDecodeError("QR_BAD_CHARACTER", `character ${JSON.stringify(text.charAt(i))} at ${i} is not Base45`);
  }
  return v;
}
