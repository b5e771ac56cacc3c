import type { PaymentEscrow } from "../../typechain-types/index.js";
import { ZERO_ADDRESS } from "../invoice/types.js";
import { parsePaymentLog } from "../watch/parsePaymentLog.js";
import { InvalidArgumentError, PaymentNotFoundError } from "./errors.js";
import { connectErc20 } from "./internal/erc20.js";
import { getLogsInRange, uintTopic } from "./internal/logs.js";
import { providerOf, signerOf } from "./internal/runner.js";
import { readCall, sendTx } from "./internal/send.js";
import type { TxOptions, TxResult } from "./types.js";

export interface RefundSettledOptions extends TxOptions {
  /** Amount to refund, from the merchant's own funds; default what was paid minus all earlier refunds. */
  amount?: bigint;
  /**
   * Points to claw back from the payer (at most what remains of their balance is burned); default the points the
   * payment earned, pro rata to `amount` over the settled amount, rounded down.
   */
  pointsToClawBack?: bigint;
  /** First block to scan for the payment's events; default 0 (pass the deployment's `startBlock`). */
  fromBlock?: number;
}

export interface RefundSettledResult {
  /** The ERC-20 approval of the merchant's funds, when its allowance was short. */
  approval: TxResult | undefined;
  tx: TxResult;
  amount: bigint;
  payer: string;
  token: string;
  /** Points actually burned (from the event). */
  pointsClawedBack: bigint;
}

/**
 * Refunds a payment that already settled (released, or paid to a merchant without a hold period), with the
 * sender's own funds: ETH as value, or tokens approved first (exactly `amount`, when the allowance is short).
 * Payer, token and amounts come from the payment's events (one log query). Merchant owner or signer.
 * @throws PaymentNotFoundError; InvalidArgumentError when nothing is left to refund; ScanPayContractError
 *   PaymentEscrowNotSettled (still held: use `refundPayment`), PaymentEscrowNotMerchant.
 */
export async function refundSettledPayment(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  options: RefundSettledOptions = {},
): Promise<RefundSettledResult> {
  const { signer, address: sender } = await signerOf(escrow);
  const provider = providerOf(escrow);
  const escrowAddress = await escrow.getAddress();
  const events = escrow.interface;
  const topics = {
    paid: events.getEvent("InvoicePaid").topicHash,
    settled: events.getEvent("PaymentSettled").topicHash,
    refunded: events.getEvent("PaymentRefunded").topicHash,
    settledRefunded: events.getEvent("SettledPaymentRefunded").topicHash,
  };
  const head = await readCall(() => provider.getBlockNumber());
  const logs = await readCall(() =>
    getLogsInRange(
      provider,
      {
        address: escrowAddress,
        topics: [Object.values(topics), uintTopic(merchantId), uintTopic(invoiceNumber)],
      },
      options.fromBlock ?? 0,
      head,
    ),
  );
  let paid: ReturnType<typeof parsePaymentLog> | undefined;
  let settledAmount = 0n;
  let pointsAwarded = 0n;
  let refundedBefore = 0n;
  for (const log of logs) {
    if (log.removed) continue;
    if (log.topics[0] === topics.paid) {
      paid = parsePaymentLog(escrow, log);
      continue;
    }
    const parsed = events.parseLog(log);
    if (parsed === null) continue;
    if (parsed.name === "PaymentSettled") {
      settledAmount += (parsed.args.merchantAmount as bigint) + (parsed.args.fee as bigint);
      pointsAwarded += parsed.args.pointsAwarded as bigint;
    } else if (parsed.name === "PaymentRefunded" || parsed.name === "SettledPaymentRefunded") {
      refundedBefore += parsed.args.amount as bigint;
    }
  }
  if (paid === undefined) throw new PaymentNotFoundError(merchantId, invoiceNumber);
  const amount = options.amount ?? paid.amount - refundedBefore;
  if (amount <= 0n) {
    throw new InvalidArgumentError("amount", `nothing is left to refund on invoice ${invoiceNumber} of merchant ${merchantId}`);
  }
  const points =
    options.pointsToClawBack ??
    (settledAmount === 0n ? 0n : (pointsAwarded * (amount < settledAmount ? amount : settledAmount)) / settledAmount);
  if (points > 0xffffffffn) throw new InvalidArgumentError("pointsToClawBack", "pointsToClawBack must fit in 32 bits");

  let approval: TxResult | undefined;
  if (paid.token !== ZERO_ADDRESS) {
    const erc20 = connectErc20(paid.token, signer);
    const allowance = await readCall(() => erc20.allowance(sender, escrowAddress));
    if (allowance < amount) approval = await sendTx("approve", () => erc20.approve(escrowAddress, amount), options);
  }
  const payer = paid.payer;
  const token = paid.token;
  const tx = await sendTx(
    "refundSettled",
    () =>
      escrow.refundSettled(merchantId, invoiceNumber, payer, token, amount, points, {
        value: token === ZERO_ADDRESS ? amount : 0n,
      }),
    options,
  );
  let pointsClawedBack = 0n;
  for (const log of tx.receipt.logs) {
    if (log.address.toLowerCase() !== escrowAddress.toLowerCase()) continue;
    const parsed = events.parseLog(log);
    if (parsed?.name === "SettledPaymentRefunded") pointsClawedBack = parsed.args.pointsClawedBack as bigint;
  }
  return { approval, tx, amount, payer, token, pointsClawedBack };
}
