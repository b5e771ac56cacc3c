import { QrDecodeError } from "./errors.js";
import { requireOnlyParams, splitEip681 } from "./internal/eip681.js";
import { requireNonZeroAddress } from "./internal/location.js";
import { parseEip681Number } from "./parseEip681Number.js";
import type { TransferRequest } from "./types.js";

/** Transaction hints a wallet may add; validated as numbers, otherwise ignored (the payer's wallet decides gas). */
const GAS_PARAMS = ["gas", "gasLimit", "gasPrice"] as const;

/**
 * Parses a plain EIP-681 transfer URI:
 * - `ethereum:[pay-]<to>[@<chainId>][?value=<wei>]` → `{ kind: "native", to, amount, chainId }`
 * - `ethereum:[pay-]<token>[@<chainId>]/transfer?address=<to>[&uint256=<amount>]`
 *   → `{ kind: "erc20", token, to, amount, chainId }`: the recipient is the `address` parameter, never the
 *   target (which is the token contract).
 * Checks in the order of docs/qr-format.md: X1-X2, U1-U9, then T1-T6. Numbers follow rules N1-N3 (EIP-681
 * scientific notation such as `2.014e18` is converted exactly). Unknown or duplicate parameters and other
 * functions are rejected; parameter order is free.
 * @throws QrDecodeError (and nothing else) for any malformed input.
 */
export function parseTransferUri(text: string): TransferRequest {
  const parts = splitEip681(text);
  const isToken = parts.functionName === "transfer";
  if (parts.functionName !== undefined && !isToken) {
    throw new QrDecodeError("QR_UNSUPPORTED_FUNCTION", `function ${parts.functionName} is not a plain transfer`); // T1
  }
  if (isToken && parts.params.has("value")) {
    throw new QrDecodeError("QR_VALUE_MISMATCH", "a token transfer must not send ETH (value parameter)"); // T2
  }
  requireOnlyParams(parts, isToken ? ["address", "uint256", ...GAS_PARAMS] : ["value", ...GAS_PARAMS]); // T3
  let to = parts.target;
  if (isToken) {
    const toText = parts.params.get("address");
    // Never fall back to the target: it is the token contract, and sending to it burns the funds.
    if (toText === undefined) throw new QrDecodeError("QR_MISSING_PARAMETER", "a token transfer needs address=<to>"); // T4
    if (!toText.startsWith("0x")) {
      throw new QrDecodeError("QR_BAD_ADDRESS", "recipient must be a 0x address (ENS names are not supported)"); // T5
    }
    to = requireNonZeroAddress(toText, "recipient", QrDecodeError); // T5
  }
  // T6: the numbers, in this fixed order whatever their order in the URI.
  const numberOf = (key: string): bigint | undefined => {
    const raw = parts.params.get(key);
    return raw === undefined ? undefined : parseEip681Number(raw);
  };
  const amount = numberOf(isToken ? "uint256" : "value");
  for (const key of GAS_PARAMS) numberOf(key);
  return isToken
    ? { kind: "erc20", token: parts.target, to, amount, chainId: parts.chainId }
    : { kind: "native", to, amount, chainId: parts.chainId };
}
