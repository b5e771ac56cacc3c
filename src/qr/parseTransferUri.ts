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
 * Numbers may use EIP-681 scientific notation (`2.014e18`) and are converted exactly; non-integers, negative
 * numbers and hex are rejected. Unknown or duplicate parameters and other functions are rejected.
 * @throws QrDecodeError (and nothing else) for any malformed input.
 */
export function parseTransferUri(text: string): TransferRequest {
  const parts = splitEip681(text);
  for (const key of GAS_PARAMS) {
    const hint = parts.params.get(key);
    if (hint !== undefined) parseEip681Number(hint);
  }
  const amountOf = (key: string): bigint | undefined => {
    const raw = parts.params.get(key);
    return raw === undefined ? undefined : parseEip681Number(raw);
  };

  if (parts.functionName === undefined) {
    requireOnlyParams(parts, ["value", ...GAS_PARAMS]);
    return { kind: "native", to: parts.target, amount: amountOf("value"), chainId: parts.chainId };
  }
  if (parts.functionName === "transfer") {
    if (parts.params.has("value")) {
      throw new QrDecodeError("QR_VALUE_MISMATCH", "a token transfer must not send ETH (value parameter)");
    }
    requireOnlyParams(parts, ["address", "uint256", ...GAS_PARAMS]);
    const toText = parts.params.get("address");
    // Never fall back to the target: it is the token contract, and sending to it burns the funds.
    if (toText === undefined) throw new QrDecodeError("QR_MISSING_PARAMETER", "a token transfer needs address=<to>");
    if (!toText.startsWith("0x")) {
      throw new QrDecodeError("QR_BAD_ADDRESS", "recipient must be a 0x address (ENS names are not supported)");
    }
    const to = requireNonZeroAddress(toText, "recipient", QrDecodeError);
    return { kind: "erc20", token: parts.target, to, amount: amountOf("uint256"), chainId: parts.chainId };
  }
  throw new QrDecodeError("QR_UNSUPPORTED_FUNCTION", `function ${parts.functionName} is not a plain transfer`);
}
