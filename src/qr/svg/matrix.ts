import type { QRCode } from "qrcode";
import { create } from "qrcode/lib/core/qrcode.js";

import { QrImageError } from "../errors.js";

/** QR error-correction level: recovers about 7% (L), 15% (M), 25% (Q), 30% (H) of damaged modules. */
export type QrLevel = "L" | "M" | "Q" | "H";

/** The modules of a QR symbol: `dark(row, col)` for 0 <= row, col < size. */
export interface QrMatrix {
  version: number;
  size: number;
  dark(row: number, col: number): boolean;
}

const LEVELS: readonly QrLevel[] = ["L", "M", "Q", "H"];

/**
 * Builds the QR symbol of `text` with node-qrcode's core (pure: no Node built-in, see qrcode-core.d.ts), which
 * picks the smallest version and splits the text into numeric / alphanumeric / byte segments optimally (so
 * `SCANPAY:` + Base45 is one alphanumeric segment).
 * @throws QrImageError QR_TEXT_TOO_LONG, QR_INVALID_INPUT, QR_BAD_OPTION.
 */
export function qrMatrix(text: string, level: QrLevel = "M"): QrMatrix {
  if (typeof text !== "string" || text.length === 0) {
    throw new QrImageError("QR_INVALID_INPUT", "QR text must be a non-empty string");
  }
  if (!LEVELS.includes(level)) throw new QrImageError("QR_BAD_OPTION", "level must be L, M, Q or H");
  let qr: QRCode;
  try {
    qr = create(text, { errorCorrectionLevel: level });
  } catch (error) {
    throw new QrImageError("QR_TEXT_TOO_LONG", `text does not fit in a QR code at level ${level}`, { cause: error });
  }
  const { modules } = qr;
  return { version: qr.version, size: modules.size, dark: (row, col) => modules.get(row, col) !== 0 };
}

/** Requires an integer option in [min, max]. */
export function intOption(value: number | undefined, fallback: number, min: number, max: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new QrImageError("QR_BAD_OPTION", `${what} must be an integer between ${min} and ${max}`);
  }
  return v;
}
