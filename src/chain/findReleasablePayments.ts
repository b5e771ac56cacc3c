import type { PaymentEscrow } from "../../typechain-types/index.js";
import { PAYMENT_STATES } from "./contractErrorMessages.js";
import { getLogsInRange, uintTopic } from "./internal/logs.js";
import { latestTimestamp, providerOf } from "./internal/runner.js";
import { readCall } from "./internal/send.js";
import type { PaymentRef } from "./types.js";

export interface ReleasablePayment extends PaymentRef {
  releaseAt: bigint;
  amount: bigint;
  refunded: bigint;
}

export interface FindReleasableOptions {
  /** First block to scan for the merchant's payments; default 0 (pass the deployment's `startBlock`). */
  fromBlock?: number;
  /** Unix seconds to judge by; default the latest block's time. */
  now?: bigint;
}

/**
 * The merchant's payments that `releasePayments` can settle now: held (not disputed, released or refunded)
 * and past their release time. One log query for the merchant's `InvoicePaid` events (payments with a release
 * time after their block, i.e. held ones), then one `paymentOf` read per candidate.
 */
export async function findReleasablePayments(
  escrow: PaymentEscrow,
  merchantId: bigint,
  options: FindReleasableOptions = {},
): Promise<ReleasablePayment[]> {
  const provider = providerOf(escrow);
  const address = await escrow.getAddress();
  const [head, now] = await Promise.all([
    readCall(() => provider.getBlockNumber()),
    options.now === undefined ? readCall(() => latestTimestamp(provider)) : Promise.resolve(options.now),
  ]);
  const topic = escrow.interface.getEvent("InvoicePaid").topicHash;
  const logs = await readCall(() => getLogsInRange(provider, { address, topics: [topic, uintTopic(merchantId)] }, options.fromBlock ?? 0, head));
  const numbers = [...new Set(logs.filter((l) => !l.removed).map((l) => BigInt(l.topics[2] ?? "0x0")))];
  const records = await readCall(() => Promise.all(numbers.map((n) => escrow.paymentOf(merchantId, n))));
  const releasable: ReleasablePayment[] = [];
  records.forEach((record, i) => {
    if (PAYMENT_STATES[Number(record.state)] !== "Held" || record.releaseAt > now) return;
    releasable.push({ merchantId, invoiceNumber: numbers[i]!, releaseAt: record.releaseAt, amount: record.amount, refunded: record.refunded });
  });
  return releasable;
}
