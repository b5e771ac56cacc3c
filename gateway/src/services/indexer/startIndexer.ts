/**
 * The chain indexer's loop: one step after another (immediately while behind, every `pollIntervalMs` once at the
 * head), only while this instance is the leader, RPC and database errors logged and retried with exponential
 * backoff (never thrown out of the loop), a reorg deeper than the window stops it with a clear error.
 */
import type { Provider } from "ethers";
import type { Kysely } from "kysely";

import type { Database } from "../../store/index.js";
import type { IndexerStats } from "../metrics/indexerStats.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { ReorgTooDeepError } from "./errors.js";
import { chooseLeaderLock, INDEXER_LOCK_KEY, type LeaderLock } from "./leaderLock.js";
import { pollOnce, type EscrowFacts, type IndexerLogger, type PollConfig, type PollResult } from "./pollOnce.js";
import { chainSourceOf, type ChainSource } from "./readChain.js";

export interface StartIndexerOptions {
  db: Kysely<Database>;
  /** The chain to follow: an ethers Provider, or a ChainSource (tests wrap one). One of the two. */
  provider?: Provider;
  source?: ChainSource;
  /** The PaymentEscrow's address (any case). */
  escrow: string;
  chainId: bigint;
  /** The escrow's deployment block: where a new cursor starts (default 0). */
  fromBlock?: bigint;
  /** Confirmations a log needs before it counts (default 0: local chains; e.g. 12 on Sepolia). */
  confirmations?: number;
  /** Delay between steps once at the head, ms (default 1,000). */
  pollIntervalMs?: number;
  /** Blocks per `eth_getLogs` range (default 2,000). */
  maxBlockRange?: number;
  /** Blocks whose hashes are kept to detect a reorg (default 64). */
  reorgWindow?: number;
  logger?: IndexerLogger;
  /** Retry delays after failed steps (default 500 ms doubling to 30 s). */
  backoff?: BackoffOptions;
  /**
   * "auto" (default): a PostgreSQL advisory lock, none on PGlite (detected by its version string); "advisory" or
   * "none" to force.
   */
  leaderLock?: "auto" | "advisory" | "none";
  lockKey?: bigint;
  /**
   * PostgreSQL's URL: the leader lock then takes its own connection, which survives the server ending the session
   * (the lock is known lost and taken again). Recommended on PostgreSQL; see leaderLock.ts.
   */
  databaseUrl?: string;
  /** Start the background loop (default true); false leaves stepping to `runOnce()` (tests). */
  loop?: boolean;
  /** Injectable wait (tests); must resolve early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called after each step that changed invoices, once its transaction committed (e.g. the event feed's notify). */
  onStep?: (result: PollResult) => void;
  /** Wall clock for `seen_at` and the deposit grace period. */
  now?: () => Date;
  /** How long after its expiry an invoice's deposit address is still watched, seconds (default 7 days). */
  depositGraceSeconds?: number;
}


export interface IndexerHandle {
  /** Stops the loop, waits for a running step, gives the leader lock back. */
  stop(): Promise<void>;
  /**
   * One step (check for a reorg, read the next range, write it). Undefined when another instance is the leader.
   * Throws what the step threw (also counted in `stats().rpcErrors` when the RPC failed).
   */
  runOnce(): Promise<PollResult | undefined>;
  stats(): IndexerStats;
  /** Whether this instance holds the leader lock (always true without one). */
  isLeader(): boolean;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

/** Counts failed calls of a ChainSource. */
function countingSource(source: ChainSource, onError: () => void): ChainSource {
  const wrap =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await f(...args);
      } catch (error) {
        onError();
        throw error;
      }
    };
  return {
    blockNumber: wrap(() => source.blockNumber()),
    getBlock: wrap((n: bigint) => source.getBlock(n)),
    getLogs: wrap((filter: Parameters<ChainSource["getLogs"]>[0]) => source.getLogs(filter)),
    call: wrap((to: string, data: string) => source.call(to, data)),
    getBalance: wrap((address: string, block: bigint) => source.getBalance(address, block)),
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts following the escrow's invoice events into the database (see docs/indexer.md).
 * @returns the handle; the loop (unless `loop: false`) runs until `stop()`.
 */
export function startIndexer(options: StartIndexerOptions): IndexerHandle {
  const inner = options.source ?? (options.provider === undefined ? undefined : chainSourceOf(options.provider));
  if (inner === undefined) throw new Error("startIndexer needs a provider or a source");
  const escrow = options.escrow.toLowerCase();
  const logger: IndexerLogger = options.logger ?? { error: (m, d) => console.error(m, d ?? {}) };
  const stats: IndexerStats = { rpcErrors: 0, headBlock: null, cursorBlock: null, lagBlocks: null, lastPollAt: null };
  const source = countingSource(inner, () => stats.rpcErrors++);
  const config: PollConfig = {
    db: options.db,
    source,
    chainId: options.chainId,
    escrow,
    cursorId: `${options.chainId}:${escrow}`,
    fromBlock: options.fromBlock ?? 0n,
    confirmations: options.confirmations ?? 0,
    maxBlockRange: options.maxBlockRange ?? 2_000,
    reorgWindow: options.reorgWindow ?? 64,
    logger,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.depositGraceSeconds === undefined ? {} : { depositGraceSeconds: options.depositGraceSeconds }),
  };
  const sleep = options.sleep ?? defaultSleep;
  const stopping = new AbortController();
  let facts: EscrowFacts | undefined;
  let lock: Promise<LeaderLock> | undefined;
  let resolvedLock: LeaderLock | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const lockOf = (): Promise<LeaderLock> => {
    lock ??= (async () => {
      resolvedLock = await chooseLeaderLock({
        db: options.db,
        key: options.lockKey ?? INDEXER_LOCK_KEY,
        ...(options.leaderLock === undefined ? {} : { mode: options.leaderLock }),
        ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
        onLost: (error) => logger.error("indexer lost its leader lock (database session ended); will try to take it again", { error: error.message }),
      });
      return resolvedLock;
    })();
    lock.catch(() => (lock = undefined));
    return lock;
  };

  const step = async (): Promise<PollResult | undefined> => {
    if (stopped) return undefined;
    const leader = await lockOf();
    if (!(await leader.acquire())) return undefined;
    const out = await pollOnce(config, facts);
    facts = out.facts;
    const r = out.result;
    // Without a range the cursor is past the head: everything up to the head is indexed.
    const cursorBlock = r.range?.to ?? r.head;
    stats.headBlock = r.head;
    stats.cursorBlock = cursorBlock;
    stats.lagBlocks = r.head > cursorBlock ? r.head - cursorBlock : 0n;
    stats.lastPollAt = new Date();
    // After the commit: lets live streams in this process send what the step wrote at once, without waiting for
    // their own poll.
    if (r.transitions > 0) options.onStep?.(r);
    return r;
  };

  // Steps never overlap (the loop and a test's runOnce share one queue).
  const runOnce = (): Promise<PollResult | undefined> => {
    const run = tail.then(step, step);
    tail = run.catch(() => undefined);
    return run;
  };

  let failures = 0;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      let delay = options.pollIntervalMs ?? 1_000;
      try {
        const result = await runOnce();
        failures = 0;
        if (result !== undefined && !result.caughtUp) delay = 0;
      } catch (error) {
        if (error instanceof ReorgTooDeepError) {
          logger.error(error.message, { code: error.code, oldestKnownBlock: error.oldestKnownBlock.toString() });
          return;
        }
        failures++;
        delay = backoffDelay(failures, options.backoff);
        logger.error("indexer step failed; retrying", { error: message(error), failures, retryInMs: delay });
      }
      if (delay > 0) await sleep(delay, stopping.signal);
    }
  };
  const running = options.loop === false ? Promise.resolve() : loop();

  return {
    async stop() {
      stopped = true;
      stopping.abort();
      await running;
      await tail;
      if (lock !== undefined) await (await lock).release();
    },
    runOnce,
    stats: () => ({ ...stats }),
    isLeader: () => !stopped && resolvedLock?.held === true,
  };
}
