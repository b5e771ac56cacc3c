/**
 * The dashboard's pure formatting helpers (no DOM): amounts from base units with the token's decimals, exactly (never
 * through Number), dates in UTC, shortened hashes, status words. Unit-tested in test/web/dashboard.format.test.ts.
 */
import { formatUnits } from "../../../../../src/units/formatUnits.js";
import { parseUnitsExact } from "../../../../../src/units/parseUnitsExact.js";

export interface TokenLike {
  symbol: string | null;
  decimals: number | null;
}

/** "1,234.5 USDC" from base units; base units and "units" when the decimals are unknown. */
export function formatAmount(baseUnits: string | bigint, token: TokenLike): string {
  const value = typeof baseUnits === "bigint" ? baseUnits : BigInt(baseUnits);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const text =
    token.decimals === null ? `${magnitude.toString()} units` : formatUnits(magnitude, token.decimals, { groupSeparator: "," });
  return `${negative ? "-" : ""}${text}${token.symbol === null || token.decimals === null ? "" : ` ${token.symbol}`}`;
}

/** A decimal a person typed → base units; undefined with the reason when it is not a positive amount in the token's precision. */
export function parseAmount(text: string, decimals: number): { value: bigint } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { error: "enter an amount" };
  try {
    const value = parseUnitsExact(trimmed, decimals);
    if (value === 0n) return { error: "the amount must be more than 0" };
    return { value };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** "2026-12-02 14:05 UTC" from an ISO time or unix seconds. */
export function formatTime(time: string | number): string {
  const date = typeof time === "number" ? new Date(time * 1000) : new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "0x1234…cdef": enough to recognise a hash or address; the full text goes in a title or a copy field. */
export function shortHex(hex: string, keep = 6): string {
  return hex.length <= 2 + keep * 2 + 1 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

const STATUS_WORDS: Record<string, string> = {
  open: "Open",
  expired: "Expired",
  seen: "Payment seen",
  held: "Paid (held)",
  settled: "Paid (settled)",
  partially_refunded: "Partly refunded",
  refunded: "Refunded",
  disputed: "Disputed",
  cancelling: "Cancelling",
  cancelled: "Cancelled",
};

export function statusWord(status: string): string {
  return STATUS_WORDS[status] ?? status;
}

/** An event type in words: "invoice.partially_refunded" → "Partly refunded". */
export function eventWord(type: string): string {
  if (type === "invoice.paid") return "Paid";
  if (type === "invoice.reverted") return "Rolled back by a chain reorganisation";
  const status = type.startsWith("invoice.") ? type.slice("invoice.".length) : type;
  return STATUS_WORDS[status] ?? type;
}

/** Points the escrow awards when a held payment is released after refunds: pro rata of what is left, rounded down. */
export function pointsAtRelease(award: bigint, paid: bigint, refunded: bigint): bigint {
  if (paid <= 0n) return 0n;
  return (award * (paid - refunded)) / paid;
}

/** The UTC days from `from` to `to` inclusive ("YYYY-MM-DD"), for a chart with a bar (maybe empty) per day. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && days.length <= 366; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The largest value, at least 1 (a chart's scale). */
export function chartScale(values: readonly bigint[]): bigint {
  return values.reduce((max, v) => (v > max ? v : max), 1n);
}

/** `value / scale` of `height` pixels, exactly in bigint then to a number of pixels (at least 1 for any value > 0). */
export function barHeight(value: bigint, scale: bigint, height: number): number {
  if (value <= 0n) return 0;
  const px = Number((value * BigInt(height)) / scale);
  return Math.max(1, px);
}
