import { QrDecodeError } from "../errors.js";

/** The whitespace rule X2 names: tab, line feed, vertical tab, form feed, carriage return, space. */
const WHITESPACE = new Set(["\t", "\n", "\v", "\f", "\r", " "]);

/**
 * Rules X1 and X2 of docs/qr-format.md, the first checks of every text decoder: the input is a string
 * (QR_INVALID_INPUT) that neither begins nor ends with whitespace (QR_SURROUNDING_WHITESPACE). Decoders never
 * trim: no valid payload begins or ends with whitespace, so the caller decides whether to strip it.
 */
export function requireQrText(text: unknown, what: string): string {
  if (typeof text !== "string") throw new QrDecodeError("QR_INVALID_INPUT", `${what} must be a string`);
  if (text.length > 0 && (WHITESPACE.has(text.charAt(0)) || WHITESPACE.has(text.charAt(text.length - 1)))) {
    throw new QrDecodeError("QR_SURROUNDING_WHITESPACE", `${what} begins or ends with whitespace`);
  }
  return text;
}
