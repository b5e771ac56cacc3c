import { DepositRouter__factory, type DepositRouter } from "../../typechain-types/index.js";
import { normalizeAddress, normalizeInvoice } from "../invoice/normalizeInvoice.js";
import { type Invoice, ZERO_ADDRESS } from "../invoice/types.js";
import { UnexpectedError } from "./errors.js";
import { sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

/** What `returnDeposit` sent back, from the router's `DepositReturned` events. */
export interface ReturnDepositResult {
  tx: TxResult;
  /** Who received it. */
  to: string;
  /** How much of `token` went back (0 when only ETH was there). */
  returned: bigint;
  /** ETH sent back besides a token (0 when `token` is ETH: then `returned` is the ETH). */
  etherReturned: bigint;
}

const ROUTER = DepositRouter__factory.createInterface();

/**
 * Sends what `invoice`'s deposit address holds of `token` (zero address: ETH), and any ETH there, back to the
 * payer. The invoice's own asset only once the invoice can no longer be paid (paid, cancelled, expired, voided);
 * any other asset at any time, except while a still payable ETH invoice's address holds ETH (the sweep moves all
 * its ETH). A bound invoice returns to its payer (anyone may call; leave `to` out); for an
 * unbound one the merchant's signer or owner (or the arbiter) names `to`.
 * @throws InvoiceFieldError for a bad invoice, token or `to`; ScanPayContractError (DepositRouterStillPayable,
 *   DepositRouterNothingToReturn, DepositRouterNotMerchant, DepositRouterInvalidRecipient, ...); RunnerError.
 */
export async function returnDeposit(
  router: DepositRouter,
  invoice: Invoice,
  token: string,
  to?: string,
  options: TxOptions = {},
): Promise<ReturnDepositResult> {
  const normalized = normalizeInvoice(invoice);
  const asset = normalizeAddress(token, "token");
  const recipient = to === undefined ? ZERO_ADDRESS : normalizeAddress(to, "to");
  const tx = await sendTx("returnDeposit", () => router.returnDeposit(normalized, asset, recipient), options);
  const routerAddress = (await router.getAddress()).toLowerCase();
  let returned = 0n;
  let etherReturned = 0n;
  let receiver: string | undefined;
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== routerAddress) continue;
    const parsed = ROUTER.parseLog(log);
    if (parsed?.name !== "DepositReturned") continue;
    receiver = parsed.args.to as string;
    const amount = parsed.args.amount as bigint;
    if ((parsed.args.token as string) === asset) returned += amount;
    else etherReturned += amount;
  }
  if (receiver === undefined) throw new UnexpectedError(`returnDeposit ${tx.hash} emitted no DepositReturned event`);
  return { tx, to: receiver, returned, etherReturned };
}
