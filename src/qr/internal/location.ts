import { MAX_CHAIN_ID } from "../constants.js";
import { checksumAddress, isZeroAddress, type QrErrorClass } from "./bytes.js";

/** Requires a chain id in [1, MAX_CHAIN_ID]. */
export function requireChainId(chainId: unknown, E: QrErrorClass): bigint {
  if (typeof chainId !== "bigint") throw new E("QR_INVALID_FIELD", "chainId must be a bigint");
  if (chainId < 1n || chainId > MAX_CHAIN_ID) {
    throw new E("QR_FIELD_OUT_OF_RANGE", `chainId must be between 1 and ${MAX_CHAIN_ID}`);
  }
  return chainId;
}

/** Checksums a contract address that must not be the zero address (escrow, token contract). */
export function requireNonZeroAddress(address: unknown, what: string, E: QrErrorClass): string {
  const checksummed = checksumAddress(address, what, E);
  if (isZeroAddress(checksummed)) throw new E("QR_BAD_ADDRESS", `${what} must not be the zero address`);
  return checksummed;
}
