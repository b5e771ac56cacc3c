import { MAX_CHAIN_ID, MAX_URI_LENGTH } from "../constants.js";
import { QrDecodeError } from "../errors.js";
import { requireNonZeroAddress } from "./location.js";
import { requireQrText } from "./text.js";

/** An EIP-681 URI split into its parts; values are raw strings, checked by each form's parser. */
export interface Eip681Parts {
  /** Target address, checksummed and non-zero. */
  target: string;
  chainId: bigint | undefined;
  functionName: string | undefined;
  /** Parameters in order, keys unique. */
  params: ReadonlyMap<string, string>;
}

const SCHEME = "ethereum:";
const PAY_PREFIX = "pay-";
// U3: only what the supported forms can contain: hex addresses, numbers, identifiers and the separators.
// Rejects percent-escapes, spaces, '#' fragments, ':' and non-ASCII up front.
const ALLOWED_RE = /^[0-9A-Za-z@/?&=.+-]*$/;
const URI_RE = /^([^@/?]*)(?:@([^/?]*))?(?:\/([^?]*))?(?:\?(.*))?$/;
const CHAIN_ID_RE = /^(?:0|[1-9][0-9]*)$/;
const NAME_RE = /^[A-Za-z][A-Za-z0-9]*$/;
const VALUE_RE = /^[0-9A-Za-z.+-]+$/;
const MAX_CHAIN_ID_DIGITS = MAX_CHAIN_ID.toString().length;

/**
 * Splits `ethereum:[pay-]<address>[@<chainId>][/<function>][?<key>=<value>&...]` (EIP-681) strictly, with the
 * checks X1-X2 and U1-U9 of docs/qr-format.md in that order: the scheme and `pay-` are ASCII case-insensitive
 * (RFC 3986 / ABNF literals), the target a hex address (ENS names are rejected: resolving them needs a
 * provider), the chain id decimal without leading zeros and in 1..2^64-1, keys unique. Parameter order is free.
 */
export function splitEip681(text: string): Eip681Parts {
  requireQrText(text, "URI"); // X1, X2
  if (asciiLower(text.slice(0, SCHEME.length)) !== SCHEME) {
    throw new QrDecodeError("QR_BAD_PREFIX", "URI must start with ethereum:"); // U1
  }
  if (text.length > MAX_URI_LENGTH) throw new QrDecodeError("QR_TOO_LONG", `URI exceeds ${MAX_URI_LENGTH} characters`); // U2
  let rest = text.slice(SCHEME.length);
  if (!ALLOWED_RE.test(rest)) {
    const bad = [...rest].find((c) => !ALLOWED_RE.test(c)) ?? "";
    throw new QrDecodeError("QR_BAD_CHARACTER", `URI contains the character ${JSON.stringify(bad)}`); // U3
  }
  if (asciiLower(rest.slice(0, PAY_PREFIX.length)) === PAY_PREFIX) rest = rest.slice(PAY_PREFIX.length);
  const match = URI_RE.exec(rest);
  if (match === null) throw new QrDecodeError("QR_BAD_URI", "URI does not follow the EIP-681 grammar"); // unreachable
  const [, targetText = "", chainText, functionName, query] = match;

  if (!targetText.startsWith("0x")) {
    throw new QrDecodeError("QR_BAD_ADDRESS", "target must be a 0x address (ENS names are not supported)"); // U4
  }
  const target = requireNonZeroAddress(targetText, "target address", QrDecodeError); // U4

  let chainId: bigint | undefined;
  if (chainText !== undefined) {
    if (!CHAIN_ID_RE.test(chainText)) {
      throw new QrDecodeError("QR_BAD_URI", "chain id must be decimal digits without leading zeros"); // U5
    }
    if (chainText.length > MAX_CHAIN_ID_DIGITS || BigInt(chainText) < 1n || BigInt(chainText) > MAX_CHAIN_ID) {
      throw new QrDecodeError("QR_FIELD_OUT_OF_RANGE", `chain id must be between 1 and ${MAX_CHAIN_ID}`); // U6
    }
    chainId = BigInt(chainText);
  }
  if (functionName !== undefined && !NAME_RE.test(functionName)) {
    throw new QrDecodeError("QR_BAD_URI", `function name ${JSON.stringify(functionName)} is not an identifier`); // U7
  }

  const pairs: [string, string][] = [];
  if (query !== undefined) {
    for (const param of query.split("&")) {
      const eq = param.indexOf("=");
      const key = eq < 0 ? param : param.slice(0, eq);
      const value = eq < 0 ? "" : param.slice(eq + 1);
      if (!NAME_RE.test(key)) throw new QrDecodeError("QR_BAD_URI", `bad parameter name ${JSON.stringify(key)}`); // U8
      if (!VALUE_RE.test(value)) throw new QrDecodeError("QR_BAD_URI", `bad or empty value for parameter ${key}`); // U8
      pairs.push([key, value]);
    }
  }
  const params = new Map<string, string>();
  for (const [key, value] of pairs) {
    if (params.has(key)) throw new QrDecodeError("QR_DUPLICATE_PARAMETER", `parameter ${key} appears twice`); // U9
    params.set(key, value);
  }
  return { target, chainId, functionName, params };
}

/** Rejects any parameter outside `allowed`. */
export function requireOnlyParams(parts: Eip681Parts, allowed: readonly string[]): void {
  for (const key of parts.params.keys()) {
    if (!allowed.includes(key)) throw new QrDecodeError("QR_UNKNOWN_PARAMETER", `parameter ${key} is not allowed here`);
  }
}

/** ASCII-only lower-casing (no locale or Unicode folding), as the ABNF case-insensitive literals mean. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}
