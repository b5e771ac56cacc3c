import { AmountError } from "./errors.js";

const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/;

export interface ParseUnitsOptions {
  /** Largest accepted result in base units (inclusive), e.g. `INVOICE_LIMITS.amount`. */
  max?: bigint;
}

/**
 * Parses a decimal string into base units exactly, never through `Number`: `parseUnitsExact("12.5", 6)` is
 * `12_500_000n`. Accepts only plain decimals: digits, optionally a dot and more digits (no sign, exponent,
 * grouping, spaces, leading or trailing dot). Zeros beyond `decimals` fractional digits are accepted
 * (`"1.500000000"` with 6 decimals); any other digit there is excess precision and is rejected.
 * @throws AmountError AMOUNT_INVALID, AMOUNT_TOO_PRECISE, AMOUNT_TOO_LARGE, AMOUNT_BAD_DECIMALS.
 */
export function parseUnitsExact(text: string, decimals: number | bigint, options: ParseUnitsOptions = {}): bigint {
  const places = requireDecimals(decimals);
  if (typeof text !== "string") throw new AmountError("AMOUNT_INVALID", "amount must be a string");
  const match = DECIMAL_RE.exec(text);
  if (match === null) {
    throw new AmountError("AMOUNT_INVALID", `"${clip(text)}" is not a plain decimal amount (like 12 or 12.50)`);
  }
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  const kept = fraction.slice(0, places);
  if (/[^0]/.test(fraction.slice(places))) {
    throw new AmountError(
      "AMOUNT_TOO_PRECISE",
      `${clip(text)} has more than ${places} decimal place${places === 1 ? "" : "s"}`,
    );
  }
  const value = BigInt(whole + kept.padEnd(places, "0"));
  if (options.max !== undefined && value > options.max) {
    throw new AmountError("AMOUNT_TOO_LARGE", `${clip(text)} exceeds the largest amount allowed`);
  }
  return value;
}

/** Requires an integer number of decimals in 0..255 (ERC-20 `decimals()` is a uint8). */
export function requireDecimals(decimals: number | bigint): number {
  const n = typeof decimals === "bigint" ? Number(decimals) : decimals;
  if (!Number.isInteger(n) || n < 0 || n > 255 || (typeof decimals === "bigint" && BigInt(n) !== decimals)) {
    throw new AmountError("AMOUNT_BAD_DECIMALS", `decimals must be an integer between 0 and 255`);
  }
  return n;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
