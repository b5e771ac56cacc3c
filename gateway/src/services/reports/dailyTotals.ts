/** The merchant's daily totals per UTC day and token (the dashboard's chart and report). */
import { InvalidInputError } from "../../errors.js";
import { dailyTotalsRows } from "../../store/index.js";
import { nowOf, type GatewayContext } from "../context.js";

/** The longest report: a year and a day (a leap year's calendar year fits). */
export const REPORT_MAX_DAYS = 366;
/** Days in a report when `from` is not given: the last 30, today included. */
export const REPORT_DEFAULT_DAYS = 30;

export interface DailyTotalsQuery {
  /** First day, `YYYY-MM-DD` (UTC); default REPORT_DEFAULT_DAYS - 1 days before `to`. */
  from?: string;
  /** Last day, inclusive; default today (UTC, by the gateway's clock). */
  to?: string;
  /** A token the escrow accepts, by symbol or address; default every token. */
  token?: string;
}

export interface DailyTotal {
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  token: { address: string; symbol: string | null; decimals: number | null };
  invoicesCreated: number;
  paidCount: number;
  paidAmount: bigint;
  refundedAmount: bigint;
  pointsIssued: bigint;
  pointsRedeemed: bigint;
}

export interface DailyTotals {
  from: string;
  to: string;
  /** Only (day, token) pairs with something to report, by day then token. */
  days: DailyTotal[];
}

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

function parseDay(field: string, text: string): Date {
  const date = new Date(`${text}T00:00:00.000Z`);
  if (!DATE_RE.test(text) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
    throw new InvalidInputError(field, `${field} must be a date like 2026-12-01 (UTC)`);
  }
  return date;
}

const dayText = (date: Date) => date.toISOString().slice(0, 10);

/** The token filter as stored (lower-case address): an address as given, or a symbol the escrow accepts. */
async function tokenAddress(ctx: GatewayContext, token: string): Promise<string> {
  if (ADDRESS_RE.test(token)) return token.toLowerCase();
  const tokens = (await ctx.chain.tokens?.()) ?? [];
  const match = tokens.find((t) => t.symbol.toLowerCase() === token.toLowerCase());
  if (match === undefined) throw new InvalidInputError("token", `token ${token} is not one the escrow accepts (give its symbol or address)`);
  return match.address.toLowerCase();
}

export async function dailyTotals(ctx: GatewayContext, merchantId: string, query: DailyTotalsQuery = {}): Promise<DailyTotals> {
  const today = new Date(Number(await nowOf(ctx)) * 1000);
  const to = query.to === undefined ? parseDay("to", dayText(today)) : parseDay("to", query.to);
  const from = query.from === undefined ? new Date(to.getTime() - (REPORT_DEFAULT_DAYS - 1) * DAY_MS) : parseDay("from", query.from);
  if (from > to) throw new InvalidInputError("from", "from must not be after to");
  if ((to.getTime() - from.getTime()) / DAY_MS + 1 > REPORT_MAX_DAYS) {
    throw new InvalidInputError("from", `a report covers at most ${REPORT_MAX_DAYS} days`);
  }
  const token = query.token === undefined ? undefined : await tokenAddress(ctx, query.token);
  const rows = await dailyTotalsRows(ctx.db, {
    merchantId,
    from,
    to: new Date(to.getTime() + DAY_MS),
    ...(token === undefined ? {} : { token }),
  });
  return {
    from: dayText(from),
    to: dayText(to),
    days: rows.map((r) => ({
      date: r.day,
      token: { address: r.token, symbol: r.tokenSymbol, decimals: r.tokenDecimals },
      invoicesCreated: Number(r.invoicesCreated),
      paidCount: Number(r.paidCount),
      paidAmount: BigInt(r.paidAmount),
      refundedAmount: BigInt(r.refundedAmount),
      pointsIssued: BigInt(r.pointsIssued),
      pointsRedeemed: BigInt(r.pointsRedeemed),
    })),
  };
}
