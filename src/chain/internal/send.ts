import type { TransactionResponse } from "ethers";

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
    const tx = await send();
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
    };
  } catch (error) {
    throw decodeScanPayError(error);
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
