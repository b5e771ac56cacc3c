import { QrDecodeError } from "./errors.js";

/** Largest uint256. */
export const MAX_UINT256 = (1n << 256n) - 1n;

// Rule N1 of docs/qr-format.md: the EIP-681 number grammar narrowed to one spelling family, the JSON number
// grammar without any sign: an integer part without leading zeros, an optional fraction with at least one
// digit, an optional unsigned exponent without leading zeros.
//   number = int [ "." 1*DIGIT ] [ ( "e" / "E" ) int ]      int = "0" / %x31-39 *DIGIT
// So `2.014e18`, `1.5E6`, `0.5e1`, `1000` are numbers; `.5e1`, `007`, `+5`, `-1`, `1.`, `1e`, `1e-3`, `1e+3`,
// `1e03`, `0x10` and the empty string are not.
const NUMBER_RE = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE](0|[1-9][0-9]*))?$/;

/**
 * Parses an EIP-681 number (e.g. `1000`, `2.014e18`, `1.5E18`, `0.5e1`) into an exact bigint by string
 * arithmetic: no floating point, so `2.014e18` is exactly 2014000000000000000n. Checks in order (rules N1-N3):
 * @throws QrDecodeError QR_BAD_NUMBER (N1: not the grammar above), QR_NOT_AN_INTEGER (N2: e.g. `1.5`,
 *   `1.23e1`), QR_FIELD_OUT_OF_RANGE (N3: above `max`, default uint256; decided by digit count first, so
 *   `1e999999999` costs nothing).
 */
export function parseEip681Number(text: string, max: bigint = MAX_UINT256): bigint {
  const match = typeof text === "string" ? NUMBER_RE.exec(text) : null;
  if (match === null) throw new QrDecodeError("QR_BAD_NUMBER", `${JSON.stringify(text)} is not an EIP-681 number`);
  const [, intPart = "", fracPart = "", expPart = ""] = match;
  const mantissa = (intPart + fracPart).replace(/^0+/, "");
  if (mantissa === "") return 0n; // zero in any spelling

  // value = mantissa * 10^shift
  const shift = (expPart === "" ? 0n : BigInt(expPart)) - BigInt(fracPart.length);
  if (shift < 0n) {
    const drop = -shift; // at most fracPart.length, so small
    if (drop > BigInt(mantissa.length) || !/^0*$/.test(mantissa.slice(mantissa.length - Number(drop)))) {
      throw new QrDecodeError("QR_NOT_AN_INTEGER", `${JSON.stringify(text)} is not an integer`);
    }
    return checkMax(BigInt(mantissa.slice(0, mantissa.length - Number(drop))), max, text);
  }
  // Check the digit count before building the string, so "1e999999999" costs nothing.
  if (BigInt(mantissa.length) + shift > BigInt(max.toString().length)) {
    throw new QrDecodeError("QR_FIELD_OUT_OF_RANGE", `${JSON.stringify(text)} exceeds ${max}`);
  }
  return checkMax(BigInt(mantissa + "0".repeat(Number(shift))), max, text);
}

function checkMax(value: bigint, max: bigint, text: string): bigint {
  if (value > max) throw new QrDecodeError("QR_FIELD_OUT_OF_RANGE", `${JSON.stringify(text)} exceeds ${max}`);
  return value;
}
