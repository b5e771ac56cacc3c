import { QrDecodeError, QrEncodeError } from "./errors.js";
import { checksumAddress, isZeroAddress } from "./internal/bytes.js";
import type { TokenList } from "./types.js";

/**
 * Index of `token` in the escrow's token list (`tokens[0]` must be the zero address = ETH).
 * Matching ignores case.
 * @throws QrEncodeError QR_UNKNOWN_TOKEN if absent, QR_BAD_ADDRESS / QR_BAD_TOKEN_LIST on malformed input.
 */
export function tokenIndexOf(tokens: TokenList, token: string): number {
  requireTokenList(tokens, QrEncodeError);
  const wanted = checksumAddress(token, "token", QrEncodeError).toLowerCase();
  const index = tokens.findIndex((t) => typeof t === "string" && t.toLowerCase() === wanted);
  if (index < 0) throw new QrEncodeError("QR_UNKNOWN_TOKEN", `token ${token} is not in the token list`);
  return index;
}

/**
 * Address (checksummed) of the token at `tokenIndex` in the escrow's token list; index 0 is the zero address.
 * @throws QrDecodeError QR_UNKNOWN_TOKEN_INDEX if the list has no such index, QR_BAD_TOKEN_LIST if the list is
 *   malformed.
 */
export function tokenAddressAt(tokens: TokenList, tokenIndex: number | bigint): string {
  requireTokenList(tokens, QrDecodeError);
  const index = typeof tokenIndex === "bigint" ? tokenIndex : BigInt(Number.isInteger(tokenIndex) ? tokenIndex : -1);
  if (index < 0n || index >= BigInt(tokens.length)) {
    throw new QrDecodeError("QR_UNKNOWN_TOKEN_INDEX", `token index ${tokenIndex} is not in the token list`);
  }
  return checksumAddress(tokens[Number(index)], `token list entry ${index}`, QrDecodeError);
}

function requireTokenList(tokens: TokenList, E: typeof QrDecodeError | typeof QrEncodeError): void {
  if (!Array.isArray(tokens) || tokens.length === 0 || typeof tokens[0] !== "string" || !isZeroAddress(tokens[0])) {
    throw new E("QR_BAD_TOKEN_LIST", "token list must be an array whose entry 0 is the zero address (ETH)");
  }
}
