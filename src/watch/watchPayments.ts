import type { Log } from "ethers";

import type { PaymentEscrow } from "../../typechain-types/index.js";
import { decodeScanPayError } from "../chain/decodeScanPayError.js";
import { InvalidArgumentError, UnexpectedError } from "../chain/errors.js";
import { getLogsInRange, uintTopic } from "../chain/internal/logs.js";
import { providerOf } from "../chain/internal/runner.js";
import type { ScanPayError } from "../errors.js";
import { DEFAULT_MAX_TOPICS_PER_QUERY, DepositTracker } from "./depositTracker.js";
import { parsePaymentLog } from "./parsePaymentLog.js";
import type { ConfirmedPayment, DepositArrival, OpenInvoice, WatchProvider } from "./types.js";

/** Longest delay `setTimeout` honours (larger values fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Default number of confirmations before a payment is reported. */
export const DEFAULT_CONFIRMATIONS = 3;

export interface WatchPaymentsOptions {
  merchantId: bigint;
  /** Only report these invoice numbers (more can be added with `add`); default every payment of the merchant. */
  invoiceNumbers?: Iterable<bigint>;
  /**
   * Blocks a payment must be buried under before it is reported, its own block included: 1 reports a payment as
   * soon as it is mined. Default `DEFAULT_CONFIRMATIONS` (3).
   */
  confirmations?: number;
  /** Time between polls; default 2,000 ms. */
  pollIntervalMs?: number;
  /**
   * Longest wait between retries after RPC failures (exponential backoff from `pollIntervalMs`); default 30,000 ms
   * (never below `pollIntervalMs`).
   */
  maxBackoffMs?: number;
  /** First block to scan; default the head at start minus `confirmations - 1` (payments still confirming). */
  fromBlock?: number;
  /** Called once per payment, in chain order; awaited before the next one. */
  onPayment: (payment: ConfirmedPayment) => void | Promise<void>;
  /**
   * Progress: called when a payment is seen that is not yet `confirmations` deep, and again each time its depth
   * grows. Not a report: a reorg may still remove it, so never hand over goods on it. Default: ignore.
   */
  onPending?: (payment: ConfirmedPayment) => void;
  /**
   * Called when a poll fails (the watcher retries with backoff and keeps going) or `onPayment` throws (the payment
   * still counts as reported). Default: ignore.
   */
  onError?: (error: ScanPayError, retry: { attempt: number; retryInMs: number }) => void;
  /**
   * Provider to poll; default the escrow's. Watching deposit addresses (`openInvoices`) also needs `getBalance` and
   * `call` (a `DepositWatchProvider`; every ethers provider has them).
   */
  provider?: WatchProvider;
  /**
   * Open invoices whose deposit addresses (IDepositRouter; docs/sdk.md, "Watching deposit addresses") to watch as
   * well, for payers whose wallet can only send ETH or call `transfer`: each poll also reads the ERC-20 `Transfer`
   * logs to these addresses (one `eth_getLogs` with an OR-list of them per `maxTopicsPerQuery` addresses) and their
   * ETH balances (one `eth_getBalance` each, started together: ethers' `JsonRpcProvider` batches them into one HTTP
   * request), and reports what arrived through `onDeposit`. Each must be an invoice of `merchantId` signed for this
   * escrow (else InvalidArgumentError; InvoiceFieldError for a malformed one); with `invoiceNumbers`, their numbers
   * are added to it. An invoice's address is
   * watched until its payment is reported by `onPayment`, or `unwatchDeposits`. Default: none, and the watcher makes
   * no other call than without it.
   */
  openInvoices?: Iterable<OpenInvoice>;
  /**
   * Progress: called for each arrival at a watched deposit address (a token `Transfer`, a rise of the ETH balance, or
   * what was already there when the address started being watched), with what was received so far against the
   * invoice amount. Not a payment: it is seen at the head, not confirmed, and the invoice is paid only once the
   * deposit is settled (`router.settleDeposit`), which `onPayment` reports as for any payment. Awaited; a throw goes
   * to `onError`. Default: ignore.
   */
  onDeposit?: (deposit: DepositArrival) => void | Promise<void>;
  /** Longest OR-list of deposit addresses in one `eth_getLogs`; longer lists are split. Default 100. */
  maxTopicsPerQuery?: number;
}

/** A running watcher. */
export interface PaymentWatcher {
  /** Stops polling; resolves once any poll in flight has finished. Idempotent. */
  stop(): Promise<void>;
  /** Also report these invoice numbers (only meaningful with `invoiceNumbers`): payments from the cursor on. */
  add(invoiceNumbers: Iterable<bigint>): void;
  /** Runs one poll now (after any in flight) and resolves when it is done; a failure goes to `onError`. */
  poll(): Promise<void>;
  /** Invoice numbers reported so far. */
  readonly reported: ReadonlySet<bigint>;
  /**
   * Also watch these invoices' deposit addresses (see `openInvoices`), from the next poll on: what is already there
   * is reported then. @throws InvalidArgumentError as `openInvoices` does.
   */
  watchDeposits(openInvoices: Iterable<OpenInvoice>): void;
  /** Stops watching these invoices' deposit addresses (their payments are still reported). */
  unwatchDeposits(invoiceNumbers: Iterable<bigint>): void;
  /** Invoice number → deposit address of every invoice whose deposit address is being watched. */
  depositAddresses(): ReadonlyMap<bigint, string>;
}

/**
 * Watches one merchant's payments with a single `eth_getLogs` per poll covering every open invoice (the
 * `InvoicePaid` log filtered by the merchant-id topic, from the lowest block that may still hold an unreported
 * payment to the head), and reports each payment exactly once, after `confirmations` blocks.
 *
 * Reorg safety: a payment is only reported once its block is at least `confirmations` deep, and right before
 * reporting, the block hash at its height is read again and must equal the log's block hash; a log that fails
 * this is not reported and its block is scanned again on the next poll. A payment that vanishes in a reorg
 * before it is confirmed is therefore never reported, and the set of reported invoice numbers guarantees no
 * payment is reported twice (even across reorgs deeper than `confirmations`, which no confirmation count can
 * undo). Logs flagged `removed` are ignored. RPC failures are passed to `onError` and retried with exponential
 * backoff; the watcher keeps going until `stop()`.
 *
 * With `openInvoices`, the same poll also reports arrivals at those invoices' deposit addresses through `onDeposit`
 * (progress: the payment is still the confirmed `InvoicePaid` of the settlement, reported through `onPayment`).
 * @throws InvalidArgumentError for a bad option (see each one).
 */
export function watchPayments(escrow: PaymentEscrow, options: WatchPaymentsOptions): PaymentWatcher {
  const confirmations = options.confirmations ?? DEFAULT_CONFIRMATIONS;
  if (!Number.isInteger(confirmations) || confirmations < 1) {
    throw new InvalidArgumentError("confirmations", "confirmations must be an integer of at least 1");
  }
  const interval = options.pollIntervalMs ?? 2_000;
  if (!Number.isFinite(interval) || interval < 0 || interval > MAX_TIMER_MS) {
    throw new InvalidArgumentError("pollIntervalMs", `pollIntervalMs must be between 0 and ${MAX_TIMER_MS}`);
  }
  const maxBackoff = Math.min(MAX_TIMER_MS, Math.max(options.maxBackoffMs ?? 30_000, interval));
  const maxTopics = options.maxTopicsPerQuery ?? DEFAULT_MAX_TOPICS_PER_QUERY;
  if (!Number.isInteger(maxTopics) || maxTopics < 1) {
    throw new InvalidArgumentError("maxTopicsPerQuery", "maxTopicsPerQuery must be an integer of at least 1");
  }
  const provider = options.provider ?? providerOf(escrow);
  const merchantTopic = uintTopic(options.merchantId);
  const paidTopic = escrow.interface.getEvent("InvoicePaid").topicHash;
  const wanted = options.invoiceNumbers === undefined ? undefined : new Set(options.invoiceNumbers);
  const reported = new Set<bigint>();
  /** Depth last passed to `onPending`, per invoice number (to call it only when the depth grows). */
  const pendingDepth = new Map<bigint, number>();
  const deposits = new DepositTracker(provider, typeof escrow.target === "string" ? escrow.target : undefined, options.merchantId, maxTopics);
  const watchDeposits = (open: Iterable<OpenInvoice>): void => {
    const numbers = deposits.add([...open].filter((o) => !reported.has(o.signed.invoice.invoiceNumber)));
    for (const n of numbers) wanted?.add(n);
  };
  if (options.openInvoices !== undefined) watchDeposits(options.openInvoices);
  const reportDeposit = async (deposit: DepositArrival): Promise<void> => {
    try {
      await options.onDeposit?.(deposit);
    } catch (error) {
      options.onError?.(new UnexpectedError(`onDeposit failed: ${String(error)}`, { cause: error }), { attempt: 0, retryInMs: 0 });
    }
  };

  let address: string | undefined;
  let cursor: number | undefined = options.fromBlock;
  let failures = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let queue: Promise<void> = Promise.resolve();

  const pollOnce = async (): Promise<void> => {
    if (address === undefined) {
      address = await escrow.getAddress();
      deposits.setEscrow(address);
    }
    const head = await provider.getBlockNumber();
    cursor ??= Math.max(0, head - confirmations + 1);
    // The chain got shorter (reorg to a shorter branch, evm_revert): rescan from where it now ends.
    if (cursor > head + 1) cursor = head + 1;
    // Started together, so that a batching provider sends the payment query and the deposit reads as one request.
    const [logs, depositReads]: [Log[], Awaited<ReturnType<DepositTracker["read"]>>] = await Promise.all([
      cursor <= head ? getLogsInRange(provider, { address, topics: [paidTopic, merchantTopic] }, cursor, head) : [],
      deposits.read(head, cursor),
    ]);
    if (depositReads !== undefined) await deposits.apply(depositReads, reportDeposit, () => stopped);
    const confirmedHead = head - confirmations + 1;
    let next = Math.max(cursor, confirmedHead + 1);
    const hashes = new Map<number, string | undefined>();
    const sorted = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    for (const log of sorted) {
      if (stopped) return;
      if (log.removed) continue;
      const payment = parsePaymentLog(escrow, log);
      if (reported.has(payment.invoiceNumber)) continue;
      if (wanted !== undefined && !wanted.has(payment.invoiceNumber)) continue;
      if (log.blockNumber > confirmedHead) {
        next = Math.min(next, log.blockNumber);
        const depth = head - log.blockNumber + 1;
        if (options.onPending !== undefined && (pendingDepth.get(payment.invoiceNumber) ?? 0) < depth) {
          pendingDepth.set(payment.invoiceNumber, depth);
          options.onPending({ ...payment, confirmations: depth });
        }
        continue;
      }
      if (!hashes.has(log.blockNumber)) hashes.set(log.blockNumber, (await provider.getBlock(log.blockNumber))?.hash ?? undefined);
      if (hashes.get(log.blockNumber) !== log.blockHash) {
        // Not (or no longer) canonical: look at this height again next time.
        next = Math.min(next, log.blockNumber);
        continue;
      }
      reported.add(payment.invoiceNumber);
      pendingDepth.delete(payment.invoiceNumber);
      deposits.remove([payment.invoiceNumber]);
      try {
        await options.onPayment({ ...payment, confirmations: head - log.blockNumber + 1 });
      } catch (error) {
        options.onError?.(new UnexpectedError(`onPayment failed: ${String(error)}`, { cause: error }), {
          attempt: 0,
          retryInMs: 0,
        });
      }
    }
    cursor = next;
  };

  const runPoll = (): Promise<void> => {
    const run = queue.then(async () => {
      if (stopped) return;
      try {
        await pollOnce();
        failures = 0;
      } catch (error) {
        failures++;
        options.onError?.(decodeScanPayError(error), { attempt: failures, retryInMs: delay() });
      }
    });
    queue = run;
    return run;
  };

  const delay = (): number => (failures === 0 ? interval : Math.min(maxBackoff, Math.max(1, interval) * 2 ** Math.min(failures, 30)));

  const loop = (): void => {
    void runPoll().then(() => {
      if (!stopped) timer = setTimeout(loop, delay());
    });
  };
  loop();

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await queue;
    },
    add(invoiceNumbers) {
      if (wanted === undefined) return;
      for (const n of invoiceNumbers) wanted.add(n);
    },
    poll: runPoll,
    reported,
    watchDeposits,
    unwatchDeposits: (invoiceNumbers) => deposits.remove(invoiceNumbers),
    depositAddresses: () => deposits.addresses(),
  };
}
