import { AmountError } from "./errors.js";
import { requireDecimals } from "./parseUnitsExact.js";

export interface FormatUnitsOptions {
  /** Pad the fraction with zeros to at least this many digits (capped at `decimals`); default 0. */
  minFractionDigits?: number;
  /** Separate thousands of the whole part with this string (e.g. ","); default none. */
  groupSeparator?: string;
}

/**
 * Formats base units as an exact decimal string, never through `Number`: `formatUnits(12_500_000n, 6)` is
 * `"12.5"`, with `{ minFractionDigits: 2 }` `"12.50"`. Trailing zeros are trimmed down to `minFractionDigits`.
 * The inverse of `parseUnitsExact` for its canonical spellings.
 * @throws AmountError AMOUNT_BAD_DECIMALS, or AMOUNT_INVALID for a negative or non-bigint value.
 */
export function formatUnits(value: bigint, decimals: number | bigint, options: FormatUnitsOptions = {}): string {
  const places = requireDecimals(decimals);
  if (typeof value !== "bigint" || value < 0n) {
    throw new AmountError("AMOUNT_INVALID", "value must be a non-negative bigint of base units");
  }
  const digits = value.toString().padStart(places + 1, "0");
  let whole = digits.slice(0, digits.length - places);
  let fraction = digits.slice(digits.length - places).replace(/0+$/, "");
  const minFraction = Math.min(Math.max(0, Math.trunc(options.minFractionDigits ?? 0)), places);
  fraction = fraction.padEnd(minFraction, "0");
  if (options.groupSeparator !== undefined && options.groupSeparator !== "") {
    whole = whole.replace(/\B(?=(\d{3})+$)/g, options.groupSeparator);
  }
  return fraction === "" ? whole : `${whole}.${fraction}`;
}
