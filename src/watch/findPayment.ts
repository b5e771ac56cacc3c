import type { PaymentEscrow } from "../../typechain-types/index.js";
import { getLogsInRange, uintTopic } from "../chain/internal/logs.js";
import { providerOf } from "../chain/internal/runner.js";
import { readCall } from "../chain/internal/send.js";
import { parsePaymentLog } from "./parsePaymentLog.js";
import type { PaymentEvent, WatchProvider } from "./types.js";

export interface FindPaymentOptions {
  /** First block searched; default 0 (pass the deployment's `startBlock`). */
  fromBlock?: number;
  /** Last block searched; default the latest. */
  toBlock?: number;
  /** Provider to query; default the escrow's. */
  provider?: WatchProvider;
}

/**
 * Finds the payment of one invoice: a single `eth_getLogs` for `InvoicePaid` filtered by both indexed topics
 * (merchant id and invoice number), split only if the provider refuses the range.
 * @returns the payment, or undefined if the invoice was not paid in the searched blocks.
 */
export async function findPayment(
  escrow: PaymentEscrow,
  merchantId: bigint,
  invoiceNumber: bigint,
  options: FindPaymentOptions = {},
): Promise<PaymentEvent | undefined> {
  const provider = options.provider ?? providerOf(escrow);
  const address = await escrow.getAddress();
  const toBlock = options.toBlock ?? "latest";
  const topic = escrow.interface.getEvent("InvoicePaid").topicHash;
  const logs = await readCall(() =>
    getLogsInRange(provider, { address, topics: [topic, uintTopic(merchantId), uintTopic(invoiceNumber)] }, options.fromBlock ?? 0, toBlock),
  );
  const log = logs.filter((l) => !l.removed).at(-1);
  return log === undefined ? undefined : parsePaymentLog(escrow, log);
}
