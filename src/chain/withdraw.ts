import type { PaymentEscrow } from "../../typechain-types/index.js";
import { ZERO_ADDRESS } from "../invoice/types.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { signerOf } from "./internal/runner.js";
import { readCall, sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

export interface WithdrawOptions extends TxOptions {
  /** Where the balance goes; default the sending account. */
  to?: string;
}

export interface WithdrawResult {
  tx: TxResult;
  /** Amount withdrawn, in base units. */
  amount: bigint;
  to: string;
}

/**
 * Withdraws the sending account's whole escrow balance of `token` (zero address = ETH): platform fees for the
 * treasury, or pushes that failed and were credited instead.
 * A merchant's frozen balance (dispute splits made while it was suspended) is withdrawn with
 * `withdrawMerchantBalance` instead.
 * @throws ScanPayContractError PaymentEscrowNothingToWithdraw, PaymentEscrowWithdrawFailed,
 *   PaymentEscrowInvalidRecipient (`to` is the escrow).
 */
export async function withdraw(escrow: PaymentEscrow, token: string = ZERO_ADDRESS, options: WithdrawOptions = {}): Promise<WithdrawResult> {
  const { address } = await signerOf(escrow);
  const tokenAddress = normalizeAddress(token, "token");
  const to = normalizeAddress(options.to ?? address, "to");
  const amount = await readCall(() => escrow.withdrawableOf(address, tokenAddress));
  const tx = await sendTx("withdraw", () => escrow.withdraw(tokenAddress, to), options);
  return { tx, amount, to };
}

