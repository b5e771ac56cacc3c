import { MerchantRegistry__factory, type PaymentEscrow } from "../../typechain-types/index.js";
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
 * The merchant's payments that `releasePayments` can settle now: held (not disputed, released or refunded) and
 * past their release time, or disputed during a suspension with the arbiter's deadline passed; none while the
 * merchant is not active (the escrow would skip them). One log query for the merchant's `InvoicePaid` events,
 * then one `paymentOf` read per candidate.
 */
export async function findReleasablePayments(
  escrow: PaymentEscrow,
  merchantId: bigint,
  options: FindReleasableOptions = {},
): Promise<ReleasablePayment[]> {
  const provider = providerOf(escrow);
  const address = await escrow.getAddress();
  const now = options.now === undefined ? await readCall(() => latestTimestamp(provider)) : options.now;
  const topic = escrow.interface.getEvent("InvoicePaid").topicHash;
  const logs = await readCall(() => getLogsInRange(provider, { address, topics: [topic, uintTopic(merchantId)] }, options.fromBlock ?? 0, "latest"));
  const numbers = [...new Set(logs.filter((l) => !l.removed).map((l) => BigInt(l.topics[2] ?? "0x0")))];
  const registry = MerchantRegistry__factory.connect(await readCall(() => escrow.registry()), provider);
  const terms = await readCall(() => registry.paymentTerms(merchantId));
  if (terms.status !== 1n) return [];
  const records = await readCall(() => Promise.all(numbers.map((n) => escrow.paymentOf(merchantId, n))));
  const releasable: ReleasablePayment[] = [];
  records.forEach((record, i) => {
    const state = PAYMENT_STATES[Number(record.state)];
    if ((state !== "Held" && state !== "DisputedWhileSuspended") || record.releaseAt > now) return;
    releasable.push({ merchantId, invoiceNumber: numbers[i]!, releaseAt: record.releaseAt, amount: record.amount, refunded: record.refunded });
  });
  return releasable;
}
