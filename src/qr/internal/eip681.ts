import { MAX_URI_LENGTH } from "../constants.js";
import { QrDecodeError } from "../errors.js";
import { requireChainId, requireNonZeroAddress } from "./location.js";

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
// Only what the supported forms can contain: hex addresses, decimal/scientific numbers, identifiers. Rejects
// percent-escapes, spaces, '#' fragments and non-ASCII up front.
const ALLOWED_RE = /^[0-9A-Za-z:@/?&=.+-]*$/;
const URI_RE = /^([^@/?]*)(?:@([^/?]*))?(?:\/([^?]*))?(?:\?(.*))?$/;
const FUNCTION_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEY_RE = /^[A-Za-z][A-Za-z0-9]*$/;
const VALUE_RE = /^[0-9A-Za-z.+-]+$/;

/**
 * Splits `ethereum:[pay-]<address>[@<chainId>][/<function>][?<key>=<value>&...]` (EIP-681) strictly:
 * the scheme and `pay-` are case-insensitive (RFC 3986 / ABNF literals), the target must be a hex address
 * (ENS names are rejected: resolving them needs a provider), the chain id decimal and non-zero, keys unique.
 */
export function splitEip681(text: string): Eip681Parts {
  if (typeof text !== "string") throw new QrDecodeError("QR_INVALID_INPUT", "URI must be a string");
  if (text.length > MAX_URI_LENGTH) throw new QrDecodeError("QR_TOO_LONG", `URI exceeds ${MAX_URI_LENGTH} characters`);
  if (text.slice(0, SCHEME.length).toLowerCase() !== SCHEME) {
    throw new QrDecodeError("QR_BAD_PREFIX", "URI must start with ethereum:");
  }
  let rest = text.slice(SCHEME.length);
  if (rest.slice(0, 4).toLowerCase() === "pay-") rest = rest.slice(4);
  if (!ALLOWED_RE.test(rest)) {
    const bad = [...rest].find((c) => !ALLOWED_RE.test(c)) ?? "";
    throw new QrDecodeError("QR_BAD_CHARACTER", `URI contains the character ${JSON.stringify(bad)}`);
  }
  const match = URI_RE.exec(rest);
  if (match === null) throw new QrDecodeError("QR_BAD_URI", "URI does not follow the EIP-681 grammar");
  const [, targetText = "", chainText, functionName, query] = match;

  if (!targetText.startsWith("0x")) {
    throw new QrDecodeError("QR_BAD_ADDRESS", "target must be a 0x address (ENS names are not supported)");
  }
  const target = requireNonZeroAddress(targetText, "target address", QrDecodeError);

  let chainId: bigint | undefined;
  if (chainText !== undefined) {
    if (!/^[0-9]{1,20}$/.test(chainText)) throw new QrDecodeError("QR_BAD_URI", "chain id must be decimal digits");
    chainId = requireChainId(BigInt(chainText), QrDecodeError);
  }
  if (functionName !== undefined && !FUNCTION_RE.test(functionName)) {
    throw new QrDecodeError("QR_BAD_URI", `function name ${JSON.stringify(functionName)} is not an identifier`);
  }

  const params = new Map<string, string>();
  if (query !== undefined) {
    for (const param of query.split("&")) {
      const eq = param.indexOf("=");
      const key = eq < 0 ? param : param.slice(0, eq);
      const value = eq < 0 ? "" : param.slice(eq + 1);
      if (!KEY_RE.test(key)) throw new QrDecodeError("QR_BAD_URI", `bad parameter name ${JSON.stringify(key)}`);
      if (!VALUE_RE.test(value)) throw new QrDecodeError("QR_BAD_URI", `bad value for parameter ${key}`);
      if (params.has(key)) throw new QrDecodeError("QR_DUPLICATE_PARAMETER", `parameter ${key} appears twice`);
      params.set(key, value);
    }
  }
  return { target, chainId, functionName, params };
}

/** Rejects any parameter outside `allowed`. */
export function requireOnlyParams(parts: Eip681Parts, allowed: readonly string[]): void {
  for (const key of parts.params.keys()) {
    if (!allowed.includes(key)) throw new QrDecodeError("QR_UNKNOWN_PARAMETER", `parameter ${key} is not allowed here`);
  }
}
