import { ScanPayError } from "../errors.js";

/** Stable codes of `AmountError`. */
export type AmountErrorCode =
  /** Not a plain non-negative decimal number (`12`, `12.5`, `0.000001`). */
  | "AMOUNT_INVALID"
  /** More fractional digits than the token has decimals (non-zero digits beyond the last unit). */
  | "AMOUNT_TOO_PRECISE"
  /** Larger than the caller's maximum (e.g. the invoice's uint96). */
  | "AMOUNT_TOO_LARGE"
  /** A decimals count that is not an integer in 0..255 (or a value that is not a non-negative bigint). */
  | "AMOUNT_BAD_DECIMALS";

/** A decimal amount that cannot be turned into base units exactly (or back). */
export class AmountError extends ScanPayError {
  declare readonly code: AmountErrorCode;

  constructor(code: AmountErrorCode, message: string) {
    super(code, message);
  }
}
