import type { PaymentEscrow } from "../../typechain-types/index.js";
import { normalizeAddress } from "../invoice/normalizeInvoice.js";
import { ZERO_ADDRESS } from "../invoice/types.js";
import { signerOf } from "./internal/runner.js";
import { readCall, sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/**
 * The merchant's frozen balance of `token` (zero address = ETH): its share of disputes the arbiter resolved while
 * the merchant was suspended (a suspension may mean the owner key leaked, so the share is not pushed to the
 * payout address).
 */
export async function merchantBalance(escrow: PaymentEscrow, merchantId: bigint, token: string = ZERO_ADDRESS): Promise<bigint> {
  return readCall(() => escrow.merchantBalanceOf(merchantId, normalizeAddress(token, "token")));
}

export interface WithdrawMerchantBalanceOptions extends TxOptions {
  /** Where the balance goes; default the sending account (the merchant's owner). Never the escrow. */
  to?: string;
}

export interface WithdrawMerchantBalanceResult {
  tx: TxResult;
  /** Amount withdrawn, in base units. */
  amount: bigint;
  to: string;
}

/**
 * Withdraws the merchant's whole frozen balance of `token` (see `merchantBalance`). Merchant owner only, and only
 * while the merchant is active (after a leaked owner key the platform keeps it suspended until the recovery
 * address took ownership back).
 * @throws ScanPayContractError PaymentEscrowNotMerchant (not the owner), PaymentEscrowMerchantSuspended,
 *   PaymentEscrowNothingToWithdraw, PaymentEscrowInvalidRecipient (`to` is the escrow),
 *   PaymentEscrowWithdrawFailed.
 */
export async function withdrawMerchantBalance(
  escrow: PaymentEscrow,
  merchantId: bigint,
  token: string = ZERO_ADDRESS,
  options: WithdrawMerchantBalanceOptions = {},
): Promise<WithdrawMerchantBalanceResult> {
  const { address } = await signerOf(escrow);
  const tokenAddress = normalizeAddress(token, "token");
  const to = normalizeAddress(options.to ?? address, "to");
  const tx = await sendTx("withdrawMerchantBalance", () => escrow.withdrawMerchantBalance(merchantId, tokenAddress, to), options);
  let amount = 0n;
  const escrowAddress = (await escrow.getAddress()).toLowerCase();
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== escrowAddress) continue;
    const parsed = escrow.interface.parseLog(log);
    if (parsed?.name === "MerchantBalanceWithdrawn") amount = parsed.args.amount as bigint;
  }
  return { tx, amount, to };
}
