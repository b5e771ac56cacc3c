import { isError, type TransactionResponse } from "ethers";

import { decodeScanPayError } from "../decodeScanPayError.js";
import { UnexpectedError } from "../errors.js";
import type { TxOptions, TxResult } from "../types.js";

/**
 * Sends a transaction built by `send`, reports its hash through `options.onSent`, waits for the receipt (and
 * `options.confirmations`), and returns the mined result. Every failure, at estimation, broadcast or
 * inclusion, comes back as a ScanPayError (contract custom errors decoded).
 */
export async function sendTx(
  label: string,
  send: () => Promise<TransactionResponse>,
  options: TxOptions = {},
): Promise<TxResult> {
  try {
    const tx = await sendRetryingStaleNonce(send);
    options.onSent?.({ label, hash: tx.hash });
    const receipt = await tx.wait(Math.max(1, options.confirmations ?? 1));
    if (receipt === null) throw new UnexpectedError(`${label}: no receipt for ${tx.hash}`);
    return {
      label,
      hash: receipt.hash,
      receipt,
      gasUsed: receipt.gasUsed,
      blockNumber: receipt.blockNumber,
      fee: receipt.gasUsed * receipt.gasPrice,
      nonce: tx.nonce,
    };
  } catch (error) {
    throw decodeScanPayError(error);
  }
}

/** How long ethers keeps an identical RPC result (`JsonRpcProvider` default `cacheTimeout`), plus a margin. */
const STALE_NONCE_WAIT_MS = 300;

/**
 * Broadcasts through `send`; if the node refuses the transaction because its nonce was already used (ethers'
 * `NONCE_EXPIRED`: the signer read its nonce from a 250 ms cache filled before this account's previous
 * transaction was mined, as two SDK calls in a row against a fast local node do), waits for the cache to expire
 * and builds it again, at most twice. Safe: a transaction refused for its nonce was never executed.
 */
async function sendRetryingStaleNonce(send: () => Promise<TransactionResponse>): Promise<TransactionResponse> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= 2 || !isError(error, "NONCE_EXPIRED")) throw error;
      await new Promise((resolve) => setTimeout(resolve, STALE_NONCE_WAIT_MS));
    }
  }
}

/** Runs a read (eth_call) and turns any failure into a ScanPayError. */
export async function readCall<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw decodeScanPayError(error);
  }
}

/**
 * Overrides for a transaction sent right after `previous` by the same account: its nonce, `previous.nonce + 1`
 * (none when there was no previous transaction). See `TxResult.nonce` for why the SDK never lets the signer read
 * it again.
 */
export function nonceAfter(previous: { nonce: number } | undefined): { nonce?: number } {
  return previous === undefined ? {} : { nonce: previous.nonce + 1 };
}
