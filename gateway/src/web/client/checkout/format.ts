/** Amounts and times as the customer reads them. Amounts are bigint base units, formatted exactly (the SDK's formatUnits). */
import { formatUnits } from "../../../../../src/units/formatUnits.js";
import type { CheckoutAmount, CheckoutToken } from "./types.js";

const ETH = "0x0000000000000000000000000000000000000000";

/** The token's symbol, "ETH" for the zero address, else the shortened address. */
export function tokenLabel(token: CheckoutToken): string {
  if (token.address === ETH) return "ETH";
  return token.symbol ?? shortAddress(token.address);
}

/** "2.5 USDC": the decimal when the decimals are known, else the base units. */
export function amountText(amount: CheckoutAmount | bigint, token: CheckoutToken): string {
  const units = typeof amount === "bigint" ? amount : BigInt(amount.baseUnits);
  const decimals = token.address === ETH ? 18 : token.decimals;
  const value = decimals === null ? `${units} base units of` : formatUnits(units, decimals);
  return `${value} ${tokenLabel(token)}`;
}

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** "14:05" in the customer's time zone. */
export function clockTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** "in 14 min", "in 40 s", or "now". */
export function timeLeft(unixSeconds: number, nowMs: number = Date.now()): string {
  const seconds = Math.floor(unixSeconds - nowMs / 1000);
  if (seconds <= 0) return "now";
  if (seconds < 60) return `in ${seconds} s`;
  if (seconds < 3600) return `in ${Math.floor(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  return `in ${hours} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** Wei (decimal string) as the 0x quantity JSON-RPC wants. */
export function hexQuantity(value: string | bigint): string {
  return `0x${BigInt(value).toString(16)}`;
}
