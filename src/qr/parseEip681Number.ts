import { QrDecodeError } from "./errors.js";

/** Largest uint256. */
export const MAX_UINT256 = (1n << 256n) - 1n;

// EIP-681: number = [ "-" / "+" ] *DIGIT [ "." 1*DIGIT ] [ ( "e" / "E" ) [ 1*DIGIT ] ]. The exponent digits
// are required here ("1e" is rejected as a typo), and the exponent has no sign, as in the grammar.
const NUMBER_RE = /^([+-]?)([0-9]*)(?:\.([0-9]+))?(?:[eE]([0-9]+))?$/;

/**
 * Parses an EIP-681 number (e.g. `1000`, `2.014e18`, `1.5E18`, `.5e1`) into an exact bigint by string
 * arithmetic: no floating point, so `2.014e18` is exactly 2014000000000000000n.
 * @throws QrDecodeError QR_BAD_NUMBER (not the grammar: empty, hex, garbage, or negative), QR_NOT_AN_INTEGER
 *   (e.g. `1.5`, `1.23e1`), QR_FIELD_OUT_OF_RANGE (above `max`, default uint256).
 */
export function parseEip681Number(text: string, max: bigint = MAX_UINT256): bigint {
  const match = typeof text === "string" ? NUMBER_RE.exec(text) : null;
  if (match === null) throw new QrDecodeError("QR_BAD_NUMBER", `${JSON.stringify(text)} is not an EIP-681 number`);
  const [, sign = "", intPart = "", fracPart = "", expPart = ""] = match;
  if (intPart === "" && fracPart === "") {
    throw new QrDecodeError("QR_BAD_NUMBER", `${JSON.stringify(text)} has no digits`);
  }
  const mantissa = (intPart + fracPart).replace(/^0+/, "");
  if (mantissa === "") return 0n; // zero in any spelling (also "-0": it is not negative)
  if (sign === "-") throw new QrDecodeError("QR_BAD_NUMBER", `${JSON.stringify(text)} is negative`);

  // value = mantissa * 10^shift
  const shift = (expPart === "" ? 0n : BigInt(expPart)) - BigInt(fracPart.length);
  const maxDigits = BigInt(max.toString().length);
  if (shift >= 0n) {
    // Check the digit count before building the string, so "1e999999999" costs nothing.
    if (BigInt(mantissa.length) + shift > maxDigits) {
      throw new QrDecodeError("QR_FIELD_OUT_OF_RANGE", `${JSON.stringify(text)} exceeds ${max}`);
    }
    return checkMax(BigInt(mantissa + "0".repeat(Number(shift))), max, text);
  }
  const drop = Number(-shift); // mantissa.length <= text.length, so -shift is small here or the number is fractional
  if (-shift > BigInt(mantissa.length) || !/^0*$/.test(mantissa.slice(mantissa.length - drop))) {
    throw new QrDecodeError("QR_NOT_AN_INTEGER", `${JSON.stringify(text)} is not an integer`);
  }
  return checkMax(BigInt(mantissa.slice(0, mantissa.length - drop)), max, text);
}

function checkMax(value: bigint, max: bigint, text: string): bigint {
  if (value > max) throw new QrDecodeError("QR_FIELD_OUT_OF_RANGE", `${JSON.stringify(text)} exceeds ${max}`);
  return value;
}
