import { getAddress } from "ethers";

import type { PaymentEscrow } from "../../typechain-types/index.js";
import { ZERO_ADDRESS } from "../invoice/types.js";
import { InvalidArgumentError } from "./errors.js";
import { connectErc20 } from "./internal/erc20.js";
import { providerOf } from "./internal/runner.js";
import { readCall } from "./internal/send.js";

/** A token as the escrow and a user see it. */
export interface TokenInfo {
  /** Zero address for ETH. */
  address: string;
  /** Whether the escrow ever listed it (it then has an index). */
  listed: boolean;
  /** Index in the escrow's token list; undefined if not listed. */
  index: number | undefined;
  /** Whether the escrow accepts it for new payments. */
  allowed: boolean;
  symbol: string;
  decimals: number;
}

/**
 * Looks a token up by address or by index in the escrow's list, with its symbol and decimals (ETH: "ETH", 18).
 * A token whose `symbol()` or `decimals()` cannot be read is shown by a short address and 0 decimals.
 * @throws ScanPayContractError PaymentEscrowUnknownTokenIndex for an index not on the list;
 *   InvalidArgumentError for a malformed address.
 */
export async function getTokenInfo(escrow: PaymentEscrow, token: string | number): Promise<TokenInfo> {
  let address: string;
  let listed: boolean;
  let index: number | undefined;
  let allowed: boolean;
  if (typeof token === "number") {
    const entry = await readCall(() => escrow.tokenAt(token));
    [address, listed, index, allowed] = [entry.token, true, token, entry.allowed];
  } else {
    try {
      address = getAddress(token);
    } catch {
      throw new InvalidArgumentError("token", `${token} is not a valid token address`);
    }
    const entry = await readCall(() => escrow.tokenIndexOf(address));
    [listed, index, allowed] = [entry.listed, entry.listed ? Number(entry.tokenIndex) : undefined, entry.allowed];
  }
  if (address === ZERO_ADDRESS) return { address, listed, index, allowed, symbol: "ETH", decimals: 18 };
  const erc20 = connectErc20(address, providerOf(escrow));
  const [symbol, decimals] = await Promise.all([
    erc20.symbol().catch(() => `${address.slice(0, 6)}…${address.slice(-4)}`),
    erc20.decimals().then(Number).catch(() => 0),
  ]);
  return { address, listed, index, allowed, symbol, decimals };
}
