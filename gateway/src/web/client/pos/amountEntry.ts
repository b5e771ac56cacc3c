/**
 * The amount on the keypad, as the text the cashier typed: digits and at most one decimal point, never more
 * fractional digits than the token has decimals, no leading zeros, at most `maxWholeDigits` before the point. Pure:
 * each key maps one text to the next. The amount sent to the API is that text (a decimal string, parsed exactly by
 * the gateway); its base units come from the SDK's exact parser, never through Number.
 */
import { parseUnitsExact } from "../../../../../src/units/parseUnitsExact.js";

export type AmountKey = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "." | "backspace" | "clear";

export interface AmountLimits {
  /** The token's decimals: the most digits after the point (0: no point at all). */
  decimals: number;
  /** Most digits before the point (default 9: up to 999,999,999 of the token). */
  maxWholeDigits?: number;
}

export const DEFAULT_MAX_WHOLE_DIGITS = 9;

const DIGIT_RE = /^[0-9]$/;

/** Whether `key` is one the keypad knows. */
export function isAmountKey(key: string): key is AmountKey {
  return DIGIT_RE.test(key) || key === "." || key === "backspace" || key === "clear";
}

/** The text after pressing `key` on `text` ("" is nothing typed yet); a key that would break a rule changes nothing. */
export function pressAmountKey(text: string, key: AmountKey, limits: AmountLimits): string {
  if (key === "clear") return "";
  if (key === "backspace") {
    const shorter = text.slice(0, -1);
    return shorter === "0" ? "" : shorter; // the "0" of "0." was typed by "." itself
  }
  const point = text.indexOf(".");
  if (key === ".") {
    if (limits.decimals === 0 || point >= 0) return text;
    return text === "" ? "0." : `${text}.`;
  }
  if (point >= 0) return text.length - point - 1 >= limits.decimals ? text : text + key;
  if (text === "0" || text === "") return key; // no leading zeros ("0" alone stays "0")
  return text.length >= (limits.maxWholeDigits ?? DEFAULT_MAX_WHOLE_DIGITS) ? text : text + key;
}

/** What the display shows: "0" for nothing typed, otherwise the text as typed (a trailing point included). */
export function displayAmount(text: string): string {
  return text === "" ? "0" : text;
}

/** The decimal string for the API: the typed text without a trailing point ("12." is "12"); "0" for nothing typed. */
export function requestAmount(text: string): string {
  const trimmed = text.endsWith(".") ? text.slice(0, -1) : text;
  return trimmed === "" ? "0" : trimmed;
}

/** The amount in base units, exactly. */
export function amountBaseUnits(text: string, decimals: number): bigint {
  return parseUnitsExact(requestAmount(text), decimals);
}
