import { dataLength, dataSlice, getAddress, id, type Log } from "ethers";

import { InvalidArgumentError } from "../chain/errors.js";
import { getLogsInRange } from "../chain/internal/logs.js";
import { normalizeInvoice } from "../invoice/normalizeInvoice.js";
import { type Invoice, ZERO_ADDRESS } from "../invoice/types.js";
import { depositAddress } from "../deposit/depositAddress.js";
import type { DepositArrival, DepositStatus, DepositWatchProvider, OpenInvoice, WatchProvider } from "./types.js";

/** `Transfer(address indexed from, address indexed to, uint256 value)`, the ERC-20 event. */
const TRANSFER_TOPIC = id("Transfer(address,address,uint256)");
/** `balanceOf(address)`. */
const BALANCE_OF = "0x70a08231";

/** Default longest OR-list of deposit addresses in one `eth_getLogs` (longer lists are split). */
export const DEFAULT_MAX_TOPICS_PER_QUERY = 100;

/** One watched deposit address. */
interface Tracked {
  invoice: Invoice;
  /** The escrow it is signed for. */
  escrow: string;
  /** Checksummed. */
  address: string;
  /** The address as a 32-byte topic, lower case. */
  topic: string;
  /** What has been counted there so far, per asset (lower-case token address; the zero address for ETH). */
  received: Map<string, bigint>;
  /** Whether the balance of the invoice's token when the watch began was read. */
  started: boolean;
}

/** What one poll read, before anything is changed: applied by `apply` only if every read succeeded. */
export interface DepositReads {
  /** First block of the `Transfer` scan; the head is the last. */
  from: number;
  head: number;
  tracked: Tracked[];
  /** `Transfer` logs to any tracked address in [from, head]. */
  logs: Log[];
  /** ETH balance at `head` of each of `tracked`. */
  balances: bigint[];
  /** Invoice-token balance at `from - 1` of the tracked addresses not yet started. */
  starts: Array<{ tracked: Tracked; balance: bigint }>;
}

function isDepositProvider(provider: WatchProvider): provider is DepositWatchProvider {
  const candidate = provider as Partial<DepositWatchProvider>;
  return typeof candidate.getBalance === "function" && typeof candidate.call === "function";
}

function statusOf(invoice: Invoice, token: string, received: bigint): DepositStatus {
  if (token.toLowerCase() !== invoice.token.toLowerCase()) return "wrong-asset";
  return received < invoice.amount ? "underpaid" : received === invoice.amount ? "exact" : "overpaid";
}

function uint256Of(data: string): bigint {
  return dataLength(data) < 32 ? 0n : BigInt(dataSlice(data, 0, 32));
}

/**
 * The deposit-address half of `watchPayments`: which open invoices' addresses are watched and what has been seen
 * there. Each poll makes one `eth_getLogs` per `maxTopics` addresses (ERC-20 `Transfer` logs whose `to` is one of
 * them, any token), one `eth_getBalance` per address at the head and, for an address watched for the first time,
 * one `balanceOf` of the invoice's token; all are started together so that a batching provider sends them at once.
 */
export class DepositTracker {
  private readonly byNumber = new Map<bigint, Tracked>();
  private readonly byTopic = new Map<string, Tracked>();
  /** First block not yet scanned for `Transfer` logs. */
  private cursor: number | undefined;

  constructor(
    private readonly provider: WatchProvider,
    private escrow: string | undefined,
    private readonly merchantId: bigint,
    private readonly maxTopics: number,
  ) {}

  /**
   * Starts watching the deposit addresses of `open` (an invoice number already watched is replaced).
   * @returns their invoice numbers.
   * @throws InvalidArgumentError for another merchant's or escrow's invoice, or a provider that cannot read balances;
   * InvoiceFieldError for a malformed invoice or location (nothing is added then).
   */
  add(open: Iterable<OpenInvoice>): bigint[] {
    const escrow = this.escrow;
    const entries = [...open];
    if (entries.length > 0 && !isDepositProvider(this.provider)) {
      throw new InvalidArgumentError("provider", "watching deposit addresses needs a provider with getBalance and call");
    }
    const added: Tracked[] = entries.map(({ signed, location }) => {
      const invoice = normalizeInvoice(signed.invoice);
      if (invoice.merchantId !== this.merchantId) {
        throw new InvalidArgumentError("openInvoices", `invoice ${invoice.invoiceNumber} is merchant ${invoice.merchantId}'s, not ${this.merchantId}'s`);
      }
      if (escrow !== undefined && location.escrow.toLowerCase() !== escrow.toLowerCase()) {
        throw new InvalidArgumentError("openInvoices", `invoice ${invoice.invoiceNumber} is signed for escrow ${location.escrow}, not ${escrow}`);
      }
      const address = depositAddress(invoice, location);
      return { invoice, escrow: location.escrow, address, topic: `0x${address.slice(2).toLowerCase().padStart(64, "0")}`, received: new Map(), started: false };
    });
    for (const tracked of added) {
      this.remove([tracked.invoice.invoiceNumber]);
      this.byNumber.set(tracked.invoice.invoiceNumber, tracked);
      this.byTopic.set(tracked.topic, tracked);
    }
    return added.map((t) => t.invoice.invoiceNumber);
  }

  /** Stops watching these invoices' deposit addresses. */
  remove(invoiceNumbers: Iterable<bigint>): void {
    for (const n of invoiceNumbers) {
      const tracked = this.byNumber.get(n);
      if (tracked === undefined) continue;
      this.byNumber.delete(n);
      this.byTopic.delete(tracked.topic);
    }
  }

  /** Invoice number → deposit address of every watched invoice. */
  addresses(): Map<bigint, string> {
    return new Map([...this.byNumber].map(([n, t]) => [n, t.address]));
  }

  /**
   * Sets the escrow the invoices must be signed for, once its address is known.
   * @throws InvalidArgumentError if a watched invoice is signed for another escrow (none is watched then).
   */
  setEscrow(escrow: string): void {
    const wrong = [...this.byNumber.values()].find((t) => t.escrow.toLowerCase() !== escrow.toLowerCase());
    if (wrong !== undefined) {
      this.remove([...this.byNumber.keys()]);
      throw new InvalidArgumentError("openInvoices", `invoice ${wrong.invoice.invoiceNumber} is signed for escrow ${wrong.escrow}, not ${escrow}`);
    }
    this.escrow = escrow;
  }

  /**
   * Reads everything one poll needs; nothing is counted until `apply`. `start` is the first block scanned the first
   * time.
   * @returns undefined when no address is watched (the scan then simply moves on to the next block).
   */
  async read(head: number, start: number): Promise<DepositReads | undefined> {
    let from = this.cursor ?? start;
    // The chain got shorter (reorg to a shorter branch, evm_revert): scan from where it now ends.
    if (from > head + 1) from = head + 1;
    const tracked = [...this.byNumber.values()];
    if (tracked.length === 0 || !isDepositProvider(this.provider)) {
      this.cursor = head + 1;
      return undefined;
    }
    const provider = this.provider;
    const topics = tracked.map((t) => t.topic);
    const chunks: string[][] = [];
    for (let i = 0; i < topics.length; i += this.maxTopics) chunks.push(topics.slice(i, i + this.maxTopics));
    const startBlock = from - 1;
    const unstarted = tracked.filter((t) => !t.started);
    const [logs, balances, starts] = await Promise.all([
      Promise.all(
        from <= head ? chunks.map((chunk) => getLogsInRange(provider, { topics: [TRANSFER_TOPIC, null, chunk] }, from, head)) : [],
      ),
      Promise.all(tracked.map((t) => provider.getBalance(t.address, head))),
      Promise.all(
        unstarted.map(async (t) => {
          if (t.invoice.token === ZERO_ADDRESS || startBlock < 0) return { tracked: t, balance: 0n };
          const data = await provider.call({ to: t.invoice.token, data: BALANCE_OF + t.topic.slice(2), blockTag: startBlock });
          return { tracked: t, balance: uint256Of(data) };
        }),
      ),
    ]);
    return { from, head, tracked, logs: logs.flat(), balances, starts };
  }

  /**
   * Counts what `reads` found and reports every arrival through `report`, in this order: what was already at newly
   * watched addresses, token transfers in chain order, then ETH balance rises. Stops early once `stopped()`.
   */
  async apply(reads: DepositReads, report: (arrival: DepositArrival) => Promise<void>, stopped: () => boolean): Promise<void> {
    const live = (t: Tracked): boolean => this.byNumber.get(t.invoice.invoiceNumber) === t;
    const arrival = (t: Tracked, token: string, amount: bigint, fields: Pick<DepositArrival, "blockNumber" | "from" | "transactionHash" | "logIndex">): DepositArrival => {
      const received = t.received.get(token.toLowerCase()) ?? 0n;
      const own = token.toLowerCase() === t.invoice.token.toLowerCase();
      const result: DepositArrival = {
        merchantId: t.invoice.merchantId,
        invoiceNumber: t.invoice.invoiceNumber,
        depositAddress: t.address,
        token,
        amount,
        received,
        expected: own ? t.invoice.amount : 0n,
        status: statusOf(t.invoice, token, received),
        blockNumber: fields.blockNumber,
      };
      if (fields.from !== undefined) result.from = fields.from;
      if (fields.transactionHash !== undefined) result.transactionHash = fields.transactionHash;
      if (fields.logIndex !== undefined) result.logIndex = fields.logIndex;
      return result;
    };

    for (const { tracked, balance } of reads.starts) {
      tracked.started = true;
      if (balance === 0n) continue;
      const token = tracked.invoice.token;
      tracked.received.set(token.toLowerCase(), (tracked.received.get(token.toLowerCase()) ?? 0n) + balance);
      if (stopped()) return;
      if (live(tracked)) await report(arrival(tracked, getAddress(token), balance, { blockNumber: Math.max(0, reads.from - 1) }));
    }

    const polled = new Set(reads.tracked);
    const logs = [...reads.logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    for (const log of logs) {
      if (log.removed || log.topics.length !== 3 || dataLength(log.data) !== 32) continue; // ERC-721 indexes its third field
      const tracked = this.byTopic.get(log.topics[2]!.toLowerCase());
      if (tracked === undefined || !polled.has(tracked)) continue;
      const amount = BigInt(log.data);
      const token = getAddress(log.address);
      tracked.received.set(token.toLowerCase(), (tracked.received.get(token.toLowerCase()) ?? 0n) + amount);
      if (stopped()) return;
      if (!live(tracked)) continue;
      const from = getAddress(dataSlice(log.topics[1]!, 12));
      await report(arrival(tracked, token, amount, { blockNumber: log.blockNumber, from, transactionHash: log.transactionHash, logIndex: log.index }));
    }

    for (const [i, tracked] of reads.tracked.entries()) {
      const balance = reads.balances[i]!;
      const before = tracked.received.get(ZERO_ADDRESS) ?? 0n;
      tracked.received.set(ZERO_ADDRESS, balance);
      if (balance <= before || !live(tracked)) continue;
      if (stopped()) return;
      await report(arrival(tracked, ZERO_ADDRESS, balance - before, { blockNumber: reads.head }));
    }
    this.cursor = reads.head + 1;
  }
}
