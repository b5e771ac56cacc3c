import { randomInt } from "node:crypto";

import { MerchantRegistry__factory, type PaymentEscrow } from "../../typechain-types/index.js";
import { MerchantNotActiveError } from "../invoice/errors.js";
import { INVOICE_LIMITS } from "../invoice/types.js";
import { UnexpectedError } from "./errors.js";
import { getLogsInRange, uintTopic } from "./internal/logs.js";
import { providerOf } from "./internal/runner.js";
import { readCall } from "./internal/send.js";

/**
 * How invoice numbers are chosen:
 * - "sequential" (default): one more than the highest number the merchant used on chain (paid or cancelled,
 *   read from `InvoicePaid` / `InvoiceCancelled` logs in one query), at least the invoice floor, and above
 *   `after`. Consecutive numbers share the escrow's replay-guard bitmap words (256 numbers per storage slot),
 *   which saves each payer about 17,000 gas compared with scattered numbers. The chain only knows numbers
 *   already used: a caller holding several unpaid invoices must pass the last number it issued as `after`
 *   (`createInvoice` returns it), or numbers repeat.
 * - "time": `Date.now()` in milliseconds times 1,000 plus a random 0..999. Needs no state and no log scan, so
 *   independent terminals never collide in practice; every payment then opens a fresh bitmap word (~17,000 gas
 *   more for the payer).
 */
export type InvoiceNumberStrategy = "sequential" | "time";

export interface NextInvoiceNumberOptions {
  strategy?: InvoiceNumberStrategy;
  /** First block to scan for used numbers ("sequential"); default 0 (pass the deployment's `startBlock`). */
  fromBlock?: number;
  /** The result is greater than this (the last number this caller issued). */
  after?: bigint;
  /** Milliseconds since the epoch for "time"; default `Date.now()`. */
  nowMs?: number;
}

/** Numbers tried past a used one before giving up (only when logs were scanned from too late a block). */
const MAX_PROBES = 64;

/**
 * The next invoice number for `merchantId` (see `InvoiceNumberStrategy`). The result is at least 1, at least
 * the merchant's invoice floor, greater than `after`, and not already used on chain (it is checked with
 * `isInvoiceUsed`).
 * @throws MerchantNotActiveError MERCHANT_UNKNOWN; ScanPayError on RPC failure.
 */
export async function nextInvoiceNumber(
  escrow: PaymentEscrow,
  merchantId: bigint,
  options: NextInvoiceNumberOptions = {},
): Promise<bigint> {
  const provider = providerOf(escrow);
  const registry = MerchantRegistry__factory.connect(await readCall(() => escrow.registry()), provider);
  const terms = await readCall(() => registry.paymentTerms(merchantId));
  if (terms.status === 0n) throw new MerchantNotActiveError(merchantId, "None");

  let candidate = maxOf(1n, terms.invoiceFloor, (options.after ?? 0n) + 1n);
  if ((options.strategy ?? "sequential") === "time") {
    const stamp = BigInt(Math.trunc(options.nowMs ?? Date.now())) * 1000n + BigInt(randomInt(1000));
    candidate = maxOf(candidate, stamp);
  } else {
    const paid = escrow.interface.getEvent("InvoicePaid").topicHash;
    const cancelled = escrow.interface.getEvent("InvoiceCancelled").topicHash;
    const address = await escrow.getAddress();
    const head = await readCall(() => provider.getBlockNumber());
    const logs = await readCall(() =>
      getLogsInRange(
        provider,
        { address, topics: [[paid, cancelled], uintTopic(merchantId)] },
        options.fromBlock ?? 0,
        head,
      ),
    );
    for (const log of logs) {
      const used = BigInt(log.topics[2] ?? "0x0");
      if (used + 1n > candidate) candidate = used + 1n;
    }
  }
  for (let probe = 0; probe < MAX_PROBES; probe++, candidate++) {
    if (candidate > INVOICE_LIMITS.invoiceNumber) break;
    const number = candidate;
    if (!(await readCall(() => escrow.isInvoiceUsed(merchantId, number)))) return candidate;
  }
  throw new UnexpectedError(`no free invoice number found for merchant ${merchantId}`);
}

function maxOf(...values: bigint[]): bigint {
  return values.reduce((a, b) => (b > a ? b : a));
}
