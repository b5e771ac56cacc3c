import { formatUnits } from "../units/formatUnits.js";
import { QrEncodeError } from "./errors.js";
import { checksumAddress } from "./internal/bytes.js";
import { networkName } from "./networkName.js";
import type { TransferRequest } from "./types.js";

/** What `paymentCaption` needs besides the transfer: how to show the asset. */
export interface PaymentCaptionOptions {
  /** The asset's symbol ("ETH", "USDC"). */
  symbol: string;
  /** The asset's decimals (18 for ETH). */
  decimals: number;
  /** The network's display name; default `networkName(chainId)`. */
  network?: string;
}

/**
 * The text lines to print under a payment QR code, for wallets and exchanges that cannot scan EIP-681:
 * `Send exactly 12.5 USDC`, `to 0x…` (the full checksummed recipient), for a token `token 0x…` (its contract),
 * and `on Base Sepolia (84532)`. The amount is formatted exactly from base units (no rounding). Pass the lines as
 * the `caption` of `renderPng` / `renderSvg`. Pure.
 * @throws QrEncodeError QR_INVALID_INPUT / QR_BAD_ADDRESS for a malformed request; AmountError for bad decimals.
 */
export function paymentCaption(request: TransferRequest, options: PaymentCaptionOptions): string[] {
  if (typeof request !== "object" || request === null || (request.kind !== "native" && request.kind !== "erc20")) {
    throw new QrEncodeError("QR_INVALID_INPUT", "expected a transfer request");
  }
  if (typeof options?.symbol !== "string") throw new QrEncodeError("QR_INVALID_INPUT", "the caption needs the asset's symbol");
  const lines = [
    request.amount === undefined
      ? `Send ${options.symbol} (any amount)`
      : `Send exactly ${formatUnits(request.amount, options.decimals)} ${options.symbol}`,
    `to ${checksumAddress(request.to, "recipient", QrEncodeError)}`,
  ];
  if (request.kind === "erc20") lines.push(`token ${checksumAddress(request.token, "token", QrEncodeError)}`);
  if (request.chainId !== undefined) lines.push(`on ${options.network ?? networkName(request.chainId)} (${request.chainId})`);
  return lines;
}
