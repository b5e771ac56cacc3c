/**
 * One step of the indexer: check the stored blocks against the chain (roll back a reorg), read the next range of
 * blocks up to the head, and in ONE database transaction store the logs, the blocks, the cursor, and every invoice
 * transition (with its event and webhook outbox rows) the new logs, confirmations and time cause. A crash at any
 * point leaves either the whole step or none of it.
 */
import { Interface, zeroPadValue, type LogDescription } from "ethers";
import type { Kysely, Transaction } from "kysely";

import { DepositRouter__factory, PaymentEscrow__factory } from "../../../../typechain-types/index.js";
import {
  chainLogsOfInvoices,
  deleteChainAbove,
  depositWatchList,
  ensureChainCursor,
  indexedInvoiceById,
  insertChainBlocks,
  insertChainLogs,
  lockChainCursor,
  invoiceKeysWithLogsFrom,
  invoicesByOnChainKeys,
  openInvoicesExpiredAt,
  pruneChainBlocks,
  recentChainBlocks,
  setChainCursor,
  transitionInvoice,
  updateInvoiceDerived,
  type ChainLogRow,
  type Database,
  type IndexedInvoiceRow,
  type InvoiceDerivedColumns,
  type NewChainLogRow,
  type OnChainInvoiceKey,
  type StoredBlock,
} from "../../store/index.js";
import { ChainMovedError, CursorMovedError } from "./errors.js";
import { findForkPoint } from "./findForkPoint.js";
import { foldInvoiceState, type FoldedInvoice, type FoldHead, type FoldLog } from "./foldInvoiceState.js";
import { invoiceEventData } from "./invoiceEventData.js";
import type { ChainBlock, ChainLog, ChainSource } from "./readChain.js";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The escrow's events about one invoice (the others, e.g. FeeChanged, are not read). */
const ESCROW_EVENTS = [
  "InvoicePaid",
  "PaymentSettled",
  "PaymentRefunded",
  "SettledPaymentRefunded",
  "DisputeOpened",
  "DisputeResolved",
  "InvoiceCancelled",
] as const;

const escrowInterface = PaymentEscrow__factory.createInterface();
const routerInterface = DepositRouter__factory.createInterface();
const erc20Interface = new Interface(["event Transfer(address indexed from, address indexed to, uint256 value)"]);
const TRANSFER_TOPIC = erc20Interface.getEvent("Transfer")!.topicHash;
const INVOICE_TOPICS = [
  ...ESCROW_EVENTS.map((name) => escrowInterface.getEvent(name).topicHash),
  routerInterface.getEvent("DepositReturned").topicHash,
];
/** Deposit addresses per `eth_getLogs` topic list (providers limit the size of a filter). */
const ADDRESSES_PER_FILTER = 200;

export interface IndexerLogger {
  info?(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** What a step needs; `startIndexer` builds it from its options. */
export interface PollConfig {
  db: Kysely<Database>;
  source: ChainSource;
  chainId: bigint;
  /** Lower-case. */
  escrow: string;
  cursorId: string;
  fromBlock: bigint;
  confirmations: number;
  maxBlockRange: number;
  reorgWindow: number;
  logger: IndexerLogger;
  /** Wall clock for `seen_at` (default now). */
  now?: () => Date;
  /** How long after its expiry an invoice's deposit address is still watched, seconds (default 7 days). */
  depositGraceSeconds?: number;
}

const DEFAULT_DEPOSIT_GRACE = 7 * 24 * 3600;

/** Contract facts read once per indexer (the token list is re-read when it grows). */
export interface EscrowFacts {
  depositRouter: string;
  /** Listed ERC-20 tokens, lower-case (ETH excluded). */
  tokens: string[];
  tokenCount: number;
}

export interface PollResult {
  head: bigint;
  /** The range read (inclusive); undefined when already at the head. */
  range: { from: bigint; to: bigint } | undefined;
  logs: number;
  transitions: number;
  /** Set when a reorg was rolled back: the newest block still on the chain. */
  forkBlock: bigint | undefined;
  /** The cursor reached the head. */
  caughtUp: boolean;
}

function lower(value: unknown): string {
  return typeof value === "string" ? value.toLowerCase() : String(value);
}

/** Event args without the invoice key: integers as decimal strings, addresses lower-case. */
function argsOf(parsed: LogDescription): Record<string, string> {
  const out: Record<string, string> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    if (input.name === "merchantId" || input.name === "invoiceNumber") return;
    const value: unknown = parsed.args[i];
    out[input.name] = typeof value === "bigint" ? value.toString() : lower(value);
  });
  return out;
}

async function readEscrowFacts(source: ChainSource, escrow: string, known: EscrowFacts | undefined): Promise<EscrowFacts> {
  const count = Number(
    escrowInterface.decodeFunctionResult("tokenCount", await source.call(escrow, escrowInterface.encodeFunctionData("tokenCount")))[0],
  );
  if (known !== undefined && known.tokenCount === count) return known;
  const depositRouter =
    known?.depositRouter ??
    lower(escrowInterface.decodeFunctionResult("depositRouter", await source.call(escrow, escrowInterface.encodeFunctionData("depositRouter")))[0]);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const [token] = escrowInterface.decodeFunctionResult("tokenAt", await source.call(escrow, escrowInterface.encodeFunctionData("tokenAt", [i])));
    if (lower(token) !== ZERO_ADDRESS) tokens.push(lower(token));
  }
  return { depositRouter, tokens, tokenCount: count };
}

async function inBatches<T, R>(items: readonly T[], size: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  return out;
}

function toFoldLog(row: ChainLogRow): FoldLog {
  return {
    event: row.event,
    blockNumber: BigInt(row.block_number),
    logIndex: row.log_index,
    transactionHash: row.transaction_hash,
    address: row.address,
    args: row.args,
  };
}

/** Statuses before a confirmed payment, and those a confirmed payment starts in. */
const PRE_PAYMENT_STATUSES: readonly string[] = ["open", "expired", "seen", "cancelling"];
const PAID_STATUSES: readonly string[] = ["held", "settled"];
/** Statuses a refund may leave as they are (a part of a settled or disputed payment, a further part). */
const REFUND_KEEPS_STATUS: readonly string[] = ["settled", "partially_refunded", "disputed"];

/** The event type of a transition: `invoice.<status>`, except a confirmed payment and a rollback. */
export function transitionEventType(previous: string, next: string, reverted: boolean): string {
  if (reverted) return "invoice.reverted";
  if (PAID_STATUSES.includes(next) && PRE_PAYMENT_STATUSES.includes(previous)) return "invoice.paid";
  return `invoice.${next}`;
}

function derivedColumns(folded: FoldedInvoice, row: IndexedInvoiceRow, now: Date): InvoiceDerivedColumns {
  const s = (v: bigint | null) => (v === null ? null : v.toString());
  return {
    paid_by: folded.paidBy,
    paid_transaction: folded.paidTransaction,
    paid_block: s(folded.paidBlock),
    paid_amount: s(folded.paidAmount),
    refunded_amount: s(folded.refundedAmount),
    release_at: s(folded.releaseAt),
    seen_at: folded.fundsSeen ? (row.seen_at ?? now) : null,
  };
}

function sameDerived(row: IndexedInvoiceRow, d: InvoiceDerivedColumns): boolean {
  return (
    row.paid_by === d.paid_by &&
    row.paid_transaction === d.paid_transaction &&
    row.paid_block === d.paid_block &&
    row.paid_amount === d.paid_amount &&
    row.refunded_amount === d.refunded_amount &&
    row.release_at === d.release_at &&
    (row.seen_at === null) === (d.seen_at === null)
  );
}

/**
 * Folds each invoice's stored logs at `head` and applies what changed: a status change through transitionInvoice
 * (compare-and-set + event + outbox), or only the derived columns when the status stays. Returns the number of
 * transitions written.
 */
async function refold(
  trx: Transaction<Database>,
  config: PollConfig,
  invoices: readonly IndexedInvoiceRow[],
  head: FoldHead,
  reverted: boolean,
): Promise<number> {
  if (invoices.length === 0) return 0;
  const keys = invoices.map((r) => ({ onChainMerchantId: BigInt(r.on_chain_merchant_id), invoiceNumber: BigInt(r.invoice_number) }));
  const byKey = new Map<string, FoldLog[]>();
  for (const row of await chainLogsOfInvoices(trx, config.cursorId, keys)) {
    const key = `${row.on_chain_merchant_id}:${row.invoice_number}`;
    const list = byKey.get(key) ?? [];
    list.push(toFoldLog(row));
    byKey.set(key, list);
  }
  const now = (config.now ?? (() => new Date()))();
  let transitions = 0;
  for (const first of invoices) {
    const logs = byKey.get(`${first.on_chain_merchant_id}:${first.invoice_number}`) ?? [];
    const folded = foldInvoiceState({ amount: BigInt(first.amount), token: first.token, expiry: BigInt(first.expiry) }, logs, head);
    // A payment confirmed and refunded (or disputed) between two steps still gets its invoice.paid first: a shop
    // that fulfils orders on invoice.paid must not miss it. The milestone is the fold up to the paying transaction.
    const atPayment =
      !reverted && folded.paidTransaction !== null && !PAID_STATUSES.includes(folded.status)
        ? foldInvoiceState(
            { amount: BigInt(first.amount), token: first.token, expiry: BigInt(first.expiry) },
            logs.filter((l) => l.blockNumber < (folded.paidBlock as bigint) || l.transactionHash === folded.paidTransaction),
            head,
          )
        : undefined;
    let row: IndexedInvoiceRow | undefined = first;
    // A few tries: if another writer (a cancel request) moved the invoice between our read and our update, the
    // compare-and-set misses; read it again and decide from its new status. One more for the payment milestone.
    for (let attempt = 0; attempt < 3 && row !== undefined; attempt++) {
      const previous = row.status;
      const milestone = atPayment !== undefined && PRE_PAYMENT_STATUSES.includes(previous) ? atPayment : undefined;
      const step = milestone ?? folded;
      let target: string = step.status;
      if ((target === "open" || target === "expired") && row.cancel_requested_at !== null) target = "cancelling";
      // Time does not run backwards: a rollback to an older head does not reopen an expired invoice.
      if (previous === "expired" && target === "open") target = "expired";
      const patch = derivedColumns(step, row, now);
      // A refund that keeps the status (part of a settled payment, or a second part of a held one) is still news to
      // the merchant's books: it gets its own event (and webhook), with the refunded total in the invoice.
      const refundedOnly = target === previous && REFUND_KEEPS_STATUS.includes(previous) && (row.refunded_amount ?? "0") !== (patch.refunded_amount ?? "0");
      if (target === previous && !refundedOnly) {
        if (!sameDerived(row, patch)) await updateInvoiceDerived(trx, row.id, previous, patch);
        break;
      }
      const onChainMerchantId = BigInt(row.on_chain_merchant_id);
      const applied = await transitionInvoice(trx, {
        invoiceId: row.id,
        from: [previous],
        to: target,
        patch,
        event: {
          type: refundedOnly && !reverted ? "invoice.partially_refunded" : transitionEventType(previous, target, reverted),
          data: (after) =>
            invoiceEventData(after, { chainId: config.chainId, onChainMerchantId, previousStatus: previous, cause: step.cause, deposit: step.deposit }),
        },
      });
      if (applied !== undefined) {
        transitions++;
        if (milestone === undefined) break;
        row = { ...applied.invoice, on_chain_merchant_id: row.on_chain_merchant_id };
        continue;
      }
      row = await indexedInvoiceById(trx, row.id);
    }
  }
  return transitions;
}

/**
 * Locks the cursor row and checks it is where the step started: with the leader lock only one indexer writes, and
 * this makes sure of it even if a leader lost its lock unnoticed (a step computed from a stale cursor is dropped).
 */
async function expectCursor(trx: Transaction<Database>, cursorId: string, expected: bigint): Promise<void> {
  const found = await lockChainCursor(trx, cursorId);
  if (found !== expected) throw new CursorMovedError(expected, found);
}

/** Rolls back what the blocks above `forkBlock` changed, in one transaction. */
async function rollBack(config: PollConfig, forkBlock: StoredBlock, cursor: bigint): Promise<number> {
  return config.db.transaction().execute(async (trx) => {
    await expectCursor(trx, config.cursorId, cursor);
    const keys = await deleteChainAbove(trx, config.cursorId, forkBlock.number);
    await setChainCursor(trx, config.cursorId, forkBlock.number + 1n);
    const invoices = await invoicesByOnChainKeys(trx, config.chainId, keys);
    return refold(trx, config, invoices, { number: forkBlock.number, timestamp: forkBlock.timestamp, confirmations: config.confirmations }, true);
  });
}

/** Reads the range's ERC-20 transfers to watched deposit addresses and, at `to`, the balances of ETH ones. */
async function readDeposits(
  config: PollConfig,
  facts: EscrowFacts,
  from: bigint,
  to: bigint,
  head: bigint,
): Promise<NewChainLogRow[]> {
  const now = BigInt(Math.floor((config.now ?? (() => new Date()))().getTime() / 1000));
  const watch = await depositWatchList(config.db, config.chainId, now - BigInt(config.depositGraceSeconds ?? DEFAULT_DEPOSIT_GRACE));
  const rows: NewChainLogRow[] = [];
  const erc20 = watch.filter((w) => w.token !== ZERO_ADDRESS && facts.tokens.includes(w.token));
  const byTokenAndAddress = new Map(erc20.map((w) => [`${w.token}:${w.depositAddress}`, w]));
  const addresses = [...new Set(erc20.map((w) => w.depositAddress))];
  for (let i = 0; i < addresses.length; i += ADDRESSES_PER_FILTER) {
    const chunk = addresses.slice(i, i + ADDRESSES_PER_FILTER);
    const logs = await config.source.getLogs({
      fromBlock: from,
      toBlock: to,
      address: [...new Set(erc20.map((w) => w.token))],
      topics: [TRANSFER_TOPIC, null, chunk.map((a) => zeroPadValue(a, 32))],
    });
    for (const log of logs) {
      const parsed = erc20Interface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed === null) continue;
      const w = byTokenAndAddress.get(`${lower(log.address)}:${lower(parsed.args[1])}`);
      if (w === undefined) continue;
      rows.push(logRow(config, log, "Transfer", w, { from: lower(parsed.args[0]), to: lower(parsed.args[1]), value: (parsed.args[2] as bigint).toString() }));
    }
  }
  // ETH arrives without a log: the balance of each open ETH invoice's address at `to`, read in parallel batches.
  // Only near the head: an old block's balance needs an archive node, and a catch-up checks at its end anyway.
  const eth = head - to < BigInt(config.reorgWindow) ? watch.filter((w) => w.token === ZERO_ADDRESS) : [];
  const balances = await inBatches(eth, 20, async (w) => ({ w, balance: await config.source.getBalance(w.depositAddress, to) }));
  let synthetic = 0;
  for (const { w, balance } of balances) {
    if (balance === 0n) continue;
    // No log to key it by: a negative index in block `to` (real logs are >= 0), so a reorg of `to` removes it too.
    rows.push({
      cursor_id: config.cursorId,
      block_number: to.toString(),
      block_hash: "",
      log_index: -1 - synthetic++,
      transaction_hash: "",
      address: ZERO_ADDRESS,
      event: "Transfer",
      on_chain_merchant_id: w.onChainMerchantId.toString(),
      invoice_number: w.invoiceNumber.toString(),
      args: JSON.stringify({ from: "", to: w.depositAddress, value: balance.toString(), balance: "true" }),
    });
  }
  return rows;
}

function logRow(
  config: PollConfig,
  log: ChainLog,
  event: string,
  key: OnChainInvoiceKey,
  args: Record<string, string>,
): NewChainLogRow {
  return {
    cursor_id: config.cursorId,
    block_number: log.blockNumber.toString(),
    block_hash: log.blockHash,
    log_index: log.index,
    transaction_hash: log.transactionHash,
    address: lower(log.address),
    event,
    on_chain_merchant_id: key.onChainMerchantId.toString(),
    invoice_number: key.invoiceNumber.toString(),
    args: JSON.stringify(args),
  };
}

/** The escrow's and router's invoice events in the range, decoded. */
async function readInvoiceLogs(config: PollConfig, facts: EscrowFacts, from: bigint, to: bigint): Promise<{ rows: NewChainLogRow[]; raw: ChainLog[] }> {
  const raw = await config.source.getLogs({ fromBlock: from, toBlock: to, address: [config.escrow, facts.depositRouter], topics: [INVOICE_TOPICS] });
  const rows: NewChainLogRow[] = [];
  for (const log of raw) {
    const iface = lower(log.address) === config.escrow ? escrowInterface : lower(log.address) === facts.depositRouter ? routerInterface : undefined;
    const parsed = iface?.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null || parsed === undefined) continue;
    const merchantId = parsed.args.getValue("merchantId") as bigint;
    const invoiceNumber = parsed.args.getValue("invoiceNumber") as bigint;
    rows.push(logRow(config, log, parsed.name, { onChainMerchantId: merchantId, invoiceNumber }, argsOf(parsed)));
  }
  return { rows, raw };
}

/**
 * One step. Reads happen before the transaction (no database transaction is held across RPC calls); the writes
 * of the step are one transaction.
 * @throws ReorgTooDeepError (the caller stops), ChainMovedError and RPC errors (the caller retries).
 */
export async function pollOnce(config: PollConfig, facts: EscrowFacts | undefined): Promise<{ result: PollResult; facts: EscrowFacts }> {
  const { db, source, cursorId } = config;
  let cursor = await ensureChainCursor(db, cursorId, config.fromBlock);
  const head = await source.blockNumber();
  const newFacts = await readEscrowFacts(source, config.escrow, facts);

  let forkBlock: bigint | undefined;
  const stored = await recentChainBlocks(db, cursorId, config.reorgWindow);
  const fork = await findForkPoint(stored, source, config.reorgWindow);
  let transitions = 0;
  if (fork !== undefined) {
    const block = stored.find((b) => b.number === fork) as StoredBlock;
    config.logger.error("chain reorganisation: rolling back", { forkBlock: fork.toString(), replacedFrom: (fork + 1n).toString(), newestStored: stored[0]!.number.toString() });
    transitions += await rollBack(config, block, cursor);
    forkBlock = fork;
    cursor = fork + 1n;
  }

  if (cursor > head) {
    return { result: { head, range: undefined, logs: 0, transitions, forkBlock, caughtUp: true }, facts: newFacts };
  }
  const to = cursor + BigInt(config.maxBlockRange) - 1n < head ? cursor + BigInt(config.maxBlockRange) - 1n : head;
  const windowStart = to - BigInt(config.reorgWindow) + 1n > cursor ? to - BigInt(config.reorgWindow) + 1n : cursor;
  const numbers: bigint[] = [];
  for (let n = windowStart; n <= to; n++) numbers.push(n);
  const blocks = await inBatches(numbers, 16, async (n) => {
    const block = await source.getBlock(n);
    if (block === undefined) throw new ChainMovedError(n);
    return block;
  });
  const { rows: invoiceRows, raw } = await readInvoiceLogs(config, newFacts, cursor, to);
  const depositRows = await readDeposits(config, newFacts, cursor, to, head);

  // Everything read must be one chain: each block's parent is the block before, the first one's parent is the
  // newest stored block, and every log's block hash is the block read (else a reorg happened while reading).
  const byNumber = new Map<bigint, ChainBlock>(blocks.map((b) => [b.number, b]));
  for (let i = 1; i < blocks.length; i++) if (blocks[i]!.parentHash !== blocks[i - 1]!.hash) throw new ChainMovedError(blocks[i]!.number);
  const parent = (await recentChainBlocks(db, cursorId, 1))[0];
  if (blocks.length > 0 && parent !== undefined && parent.number === blocks[0]!.number - 1n && parent.hash !== blocks[0]!.parentHash) {
    throw new ChainMovedError(blocks[0]!.number);
  }
  for (const log of raw) {
    const block = byNumber.get(log.blockNumber);
    if (block !== undefined && block.hash !== log.blockHash) throw new ChainMovedError(log.blockNumber);
  }
  for (const row of depositRows) {
    const block = byNumber.get(BigInt(row.block_number));
    if (row.block_hash === "") row.block_hash = block?.hash ?? "";
    else if (block !== undefined && block.hash !== row.block_hash) throw new ChainMovedError(block.number);
  }
  const headBlock = byNumber.get(to) as ChainBlock;
  const foldHead: FoldHead = { number: to, timestamp: headBlock.timestamp, confirmations: config.confirmations };

  transitions += await db.transaction().execute(async (trx) => {
    await expectCursor(trx, cursorId, cursor);
    // Logs that were not deep enough at the last step may be now: fold their invoices again too.
    const pending = config.confirmations > 1 ? await invoiceKeysWithLogsFrom(trx, cursorId, cursor - BigInt(config.confirmations)) : [];
    await insertChainLogs(trx, [...invoiceRows, ...depositRows]);
    await insertChainBlocks(trx, cursorId, blocks);
    await pruneChainBlocks(trx, cursorId, to - BigInt(config.reorgWindow) + 1n);
    await setChainCursor(trx, cursorId, to + 1n);
    const keys = new Map<string, OnChainInvoiceKey>();
    for (const r of [...invoiceRows, ...depositRows]) {
      keys.set(`${r.on_chain_merchant_id}:${r.invoice_number}`, { onChainMerchantId: BigInt(r.on_chain_merchant_id), invoiceNumber: BigInt(r.invoice_number) });
    }
    for (const k of pending) keys.set(`${k.onChainMerchantId}:${k.invoiceNumber}`, k);
    const invoices = await invoicesByOnChainKeys(trx, config.chainId, [...keys.values()]);
    let count = await refold(trx, config, invoices, foldHead, false);
    // Open invoices past their expiry at the head's time (after the folds: a paid one is no longer open).
    count += await refold(trx, config, await openInvoicesExpiredAt(trx, config.chainId, headBlock.timestamp), foldHead, false);
    return count;
  });
  return {
    result: { head, range: { from: cursor, to }, logs: invoiceRows.length + depositRows.length, transitions, forkBlock, caughtUp: to === head },
    facts: newFacts,
  };
}
