import type { Provider } from "ethers";

import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { ZERO_ADDRESS } from "../invoice/types.js";
import { connectErc20 } from "./internal/erc20.js";
import { readCall } from "./internal/send.js";

/** A deposit address and the asset its invoice asks for (zero address: ETH). */
export interface DepositBalanceQuery {
  address: string;
  token: string;
}

/** What a deposit address holds. */
export interface DepositBalance {
  /** The deposit address, checksummed. */
  address: string;
  /** The invoice's asset, checksummed (zero address: ETH). */
  token: string;
  /** Balance of the invoice's asset (ETH when `token` is zero). */
  balance: bigint;
  /** ETH at the address (equal to `balance` for an ETH invoice; stray ETH for a token invoice). */
  ether: bigint;
}

/**
 * Reads the balances of many deposit addresses at once: every `eth_getBalance` and `balanceOf` is started
 * together, so ethers' `JsonRpcProvider` sends them as one JSON-RPC batch (one HTTP request for up to its
 * `batchMaxCount` calls). Results are in the order of `items`.
 * @throws InvoiceFieldError for a malformed address; ScanPayError on RPC failure.
 */
export async function depositBalances(provider: Provider, items: readonly DepositBalanceQuery[]): Promise<DepositBalance[]> {
  const queries = items.map((item) => ({ address: normalizeAddress(item.address, "address"), token: normalizeAddress(item.token, "token") }));
  return readCall(() =>
    Promise.all(
      queries.map(async ({ address, token }) => {
        const [ether, balance] = await Promise.all([
          provider.getBalance(address),
          token === ZERO_ADDRESS ? undefined : connectErc20(token, provider).balanceOf(address),
        ]);
        return { address, token, balance: balance ?? ether, ether };
      }),
    ),
  );
}
