import { formatUnits, type FormatUnitsOptions } from "./formatUnits.js";

/** What `formatTokenAmount` needs to know about a token (see `getTokenInfo`). */
export interface TokenDisplay {
  symbol: string;
  decimals: number;
}

/**
 * `formatUnits` plus the symbol: `formatTokenAmount(12_500_000n, { symbol: "tUSD", decimals: 6 })` is
 * `"12.50 tUSD"`. Shows at least two fraction digits (when the token has them) unless told otherwise.
 */
export function formatTokenAmount(value: bigint, token: TokenDisplay, options: FormatUnitsOptions = {}): string {
  return `${formatUnits(value, token.decimals, { minFractionDigits: 2, ...options })} ${token.symbol}`;
}
