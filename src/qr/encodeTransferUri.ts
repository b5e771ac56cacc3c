import { QrEncodeError } from "./errors.js";
import { requireUint } from "./internal/bytes.js";
import { requireChainId, requireNonZeroAddress } from "./internal/location.js";
import { MAX_UINT256 } from "./parseEip681Number.js";
import type { TransferRequest } from "./types.js";

/**
 * Encodes a plain EIP-681 transfer (static sticker, tip jar):
 * `ethereum:<to>[@<chainId>][?value=<wei>]` for ETH,
 * `ethereum:<token>[@<chainId>]/transfer?address=<to>[&uint256=<amount>]` for an ERC-20.
 * Addresses are checksummed, amounts plain decimal; an undefined amount or chain id is left out.
 * @throws QrEncodeError on a zero or malformed address, or an amount / chain id out of range.
 */
export function encodeTransferUri(request: TransferRequest): string {
  if (typeof request !== "object" || request === null) {
    throw new QrEncodeError("QR_INVALID_INPUT", "expected a transfer request");
  }
  const to = requireNonZeroAddress(request.to, "recipient", QrEncodeError);
  const chain = request.chainId === undefined ? "" : `@${requireChainId(request.chainId, QrEncodeError)}`;
  const amount =
    request.amount === undefined ? undefined : requireUint(request.amount, MAX_UINT256, "amount", QrEncodeError);
  if (request.kind === "native") {
    return `ethereum:${to}${chain}${amount === undefined ? "" : `?value=${amount}`}`;
  }
  if (request.kind === "erc20") {
    const token = requireNonZeroAddress(request.token, "token", QrEncodeError);
    return `ethereum:${token}${chain}/transfer?address=${to}${amount === undefined ? "" : `&uint256=${amount}`}`;
  }
  throw new QrEncodeError("QR_INVALID_INPUT", "kind must be native or erc20");
}
