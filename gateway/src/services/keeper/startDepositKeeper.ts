/**
 * The deposit keeper: settles invoices paid by plain transfers to their deposit addresses. Each round it reads the
 * balances of every watched deposit address in one batch, and for each merchant whose deposits cover their amounts
 * sends one `settleDeposits` transaction with the merchant's signer key (the router requires the merchant's signer
 * or owner to name the payer of an unbound invoice, and to settle after the expiry). The SDK's `collectDeposits`
 * names the payer of record (the sender found in the Transfer logs), simulates each settlement and leaves out what
 * would fail. Statuses are not changed here: the indexer sees InvoicePaid.
 */
import type { Provider } from "ethers";
import type { Kysely } from "kysely";

import { collectDeposits } from "../../../../src/chain/collectDeposits.js";
import { depositBalances } from "../../../../src/chain/depositBalances.js";
import type { DepositSettlementInput } from "../../../../src/chain/settleDeposits.js";
import { DepositRouter__factory, PaymentEscrow__factory } from "../../../../typechain-types/index.js";
import { findDepositCandidates, type Database, type DepositCandidateRow } from "../../store/index.js";
import { chooseLeaderLock, KEEPER_LOCK_KEY, type LeaderLock } from "../indexer/leaderLock.js";
import type { MasterKeyring } from "../masterKeys.js";
import { signerOf } from "../merchants/signerOf.js";
import { withSignerTurn } from "../merchants/signerQueue.js";

export interface KeeperLogger {
  info?(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}

export interface DepositKeeperOptions {
  db: Kysely<Database>;
  keyring: MasterKeyring;
  provider: Provider;
  /** The PaymentEscrow address (its deposit router is read from it). */
  escrow: string;
  /** Pause between rounds; default 15 s. After a failed round the pause doubles, up to `maxBackoffMs`. */
  intervalMs?: number;
  /** Default 5 minutes. */
  maxBackoffMs?: number;
  logger?: KeeperLogger;
  /** Unix seconds; default the latest block's time. Expired invoices older than `lookbackSeconds` are not watched. */
  now?: () => Promise<bigint> | bigint;
  /** How long after its expiry an invoice is still watched; default 7 days (the merchant's signer may settle late). */
  lookbackSeconds?: number;
  /** Most invoices read per round; default 500. */
  roundLimit?: number;
  /**
   * The statuses whose deposit addresses are read each round; default open, seen and expired. With the indexer
   * running, `["seen"]`: the indexer already finds deposits with one `eth_getLogs` per step, so the keeper reads only
   * the addresses that received something (reading every open invoice's balance each round costs the RPC node one
   * call per open invoice, which at a few thousand open invoices was most of the gateway's load).
   */
  statuses?: readonly ("open" | "seen" | "expired")[];
  /** How far back to search the sender of a deposit (blocks); default 2,000 (collectDeposits' default). */
  senderLookbackBlocks?: number;
  /**
   * One keeper at a time across instances sharing a database, else two would race to settle one deposit and the
   * loser would pay gas for a revert. "auto" (default): an advisory lock on PostgreSQL (its own key, apart from the
   * indexer's), none on PGlite; "advisory" or "none" to force.
   */
  leaderLock?: "auto" | "advisory" | "none";
  /** PostgreSQL's URL: the lock then takes its own connection (see indexer/leaderLock.ts). */
  databaseUrl?: string;
}

/** One invoice the keeper settled. */
export interface KeeperSettled {
  invoiceId: string;
  merchantId: string;
  payer: string;
  amount: bigint;
  transaction: string;
}

/** One invoice whose deposit covers the amount but would not settle (simulation), or whose merchant failed. */
export interface KeeperFailure {
  invoiceId: string;
  merchantId: string;
  code: string;
  message: string;
}

export interface KeeperRound {
  /** False when another instance's keeper holds the lock: this round did nothing. */
  leader: boolean;
  /** Invoices whose deposit addresses were read. */
  watched: number;
  /** Of those, the ones holding at least their amount. */
  funded: number;
  settled: KeeperSettled[];
  failed: KeeperFailure[];
  /** Settlement transactions sent and their gas. */
  transactions: { merchantId: string; hash: string; gasUsed: bigint; deposits: number }[];
}

export interface DepositKeeperStats {
  rounds: number;
  settled: number;
  failed: number;
  /** Rounds or merchant batches that threw (RPC, database, signer key). */
  errors: number;
  gasUsed: bigint;
  lastRoundAt: Date | null;
  lastError: string | null;
}

export interface DepositKeeper {
  /** Stops the loop and waits for a round in progress. */
  stop(): Promise<void>;
  /** One round now (tests, or an operator's "collect now"). Throws when the round as a whole fails. */
  runOnce(): Promise<KeeperRound>;
  stats(): DepositKeeperStats;
}

const DAY = 24 * 3600;

/**
 * Starts the keeper loop (first round at once) and returns its handle. A failing round is logged and retried after
 * a doubling pause; an invoice that fails is skipped for a doubling time (from one interval up to the max backoff),
 * so one bad deposit neither blocks the others nor costs an RPC simulation every round.
 */
export function startDepositKeeper(options: DepositKeeperOptions): DepositKeeper {
  const intervalMs = options.intervalMs ?? 15_000;
  const maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
  const logger: KeeperLogger = options.logger ?? {
    warn: (message, details) => console.warn(message, details),
    error: (message, details) => console.error(message, details),
  };
  const stats: DepositKeeperStats = { rounds: 0, settled: 0, failed: 0, errors: 0, gasUsed: 0n, lastRoundAt: null, lastError: null };
  /** Invoice id → when to try it again, and the pause after the next failure. */
  const backoff = new Map<string, { until: number; pauseMs: number }>();
  let chain: Promise<{ chainId: bigint; router: string }> | undefined;

  const chainFacts = (): Promise<{ chainId: bigint; router: string }> => {
    chain ??= (async () => {
      const escrow = PaymentEscrow__factory.connect(options.escrow, options.provider);
      const [network, router] = await Promise.all([options.provider.getNetwork(), escrow.depositRouter()]);
      return { chainId: network.chainId, router };
    })();
    chain.catch(() => {
      chain = undefined; // an RPC failure is not cached
    });
    return chain;
  };

  const nowSeconds = async (): Promise<bigint> => {
    if (options.now !== undefined) return options.now();
    const block = await options.provider.getBlock("latest");
    return BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  };

  const fail = (failure: KeeperFailure, round: KeeperRound): void => {
    round.failed.push(failure);
    stats.failed++;
    const previous = backoff.get(failure.invoiceId);
    const pauseMs = Math.min(maxBackoffMs, previous === undefined ? intervalMs : previous.pauseMs * 2);
    backoff.set(failure.invoiceId, { until: Date.now() + pauseMs, pauseMs });
  };

  async function settleMerchant(merchantId: string, rows: DepositCandidateRow[], router: string, round: KeeperRound): Promise<void> {
    const wallet = (await signerOf(options.db, options.keyring, merchantId)).connect(options.provider);
    const ether = await options.provider.getBalance(wallet.address);
    if (ether === 0n) {
      logger.warn("deposit keeper: the merchant's signer has no ETH for gas", { merchantId, signer: wallet.address, deposits: rows.length });
      for (const { invoice } of rows) {
        fail({ invoiceId: invoice.id, merchantId, code: "SENDER_UNDERFUNDED", message: `signer ${wallet.address} has no ETH for gas` }, round);
      }
      return;
    }
    const items: DepositSettlementInput[] = rows.map(({ invoice, merchant }) => ({
      invoice: {
        merchantId: BigInt(merchant.on_chain_id),
        invoiceNumber: BigInt(invoice.invoice_number),
        token: invoice.token,
        amount: BigInt(invoice.amount),
        expiry: BigInt(invoice.expiry),
        payer: invoice.payer,
        pointsAward: BigInt(invoice.points_award),
        pointsRedeem: BigInt(invoice.points_redeem),
        orderRef: invoice.order_ref,
        holdPeriod: BigInt(invoice.hold_period ?? "0"),
        epoch: BigInt(invoice.epoch ?? "0"),
      },
      signature: invoice.signature as string,
    }));
    const byAddress = new Map(rows.map(({ invoice }) => [(invoice.deposit_address ?? "").toLowerCase(), invoice]));
    const head = await options.provider.getBlockNumber();
    // In the signer's turn (signerQueue.ts): a relay or refund of this merchant must not take the same nonce.
    const result = await withSignerTurn(wallet.address, () =>
      collectDeposits(DepositRouter__factory.connect(router, wallet), items, {
        fromBlock: Math.max(0, head - (options.senderLookbackBlocks ?? 2_000)),
      }),
    );
    for (const failed of result.failed) {
      const invoice = byAddress.get(failed.address.toLowerCase());
      if (invoice === undefined) continue;
      logger.warn("deposit keeper: a funded deposit would not settle", { invoiceId: invoice.id, code: failed.error.code, reason: failed.error.message });
      fail({ invoiceId: invoice.id, merchantId, code: failed.error.code, message: failed.error.message }, round);
    }
    const settlement = result.settlement;
    if (settlement === undefined) return;
    round.transactions.push({ merchantId, hash: settlement.tx.hash, gasUsed: settlement.tx.gasUsed, deposits: result.ready.length });
    stats.gasUsed += settlement.tx.gasUsed;
    for (const ready of result.ready) {
      const invoice = byAddress.get(ready.address.toLowerCase());
      if (invoice === undefined) continue;
      backoff.delete(invoice.id);
      round.settled.push({ invoiceId: invoice.id, merchantId, payer: ready.payer, amount: ready.signed.invoice.amount, transaction: settlement.tx.hash });
      stats.settled++;
    }
    logger.info?.("deposit keeper: settled deposits", { merchantId, transaction: settlement.tx.hash, deposits: result.ready.length });
  }

  /** Rounds never overlap (the loop's and a caller's): two would race to settle the same deposit. */
  let previousRound: Promise<unknown> = Promise.resolve();
  function runOnce(): Promise<KeeperRound> {
    const next = previousRound.then(runRound);
    previousRound = next.catch(() => undefined);
    return next;
  }

  let lock: Promise<LeaderLock> | undefined;
  const lockOf = (): Promise<LeaderLock> => {
    lock ??= chooseLeaderLock({
      db: options.db,
      key: KEEPER_LOCK_KEY,
      ...(options.leaderLock === undefined ? {} : { mode: options.leaderLock }),
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      onLost: (error) => logger.error("deposit keeper lost its lock (database session ended); will try to take it again", { error: error.message }),
    });
    lock.catch(() => (lock = undefined));
    return lock;
  };

  async function runRound(): Promise<KeeperRound> {
    const round: KeeperRound = { leader: true, watched: 0, funded: 0, settled: [], failed: [], transactions: [] };
    try {
      if (!(await (await lockOf()).acquire())) {
        round.leader = false;
        return round;
      }
      const { chainId, router } = await chainFacts();
      const now = await nowSeconds();
      const rows = await findDepositCandidates(options.db, {
        chainId,
        expiryFrom: now - BigInt(options.lookbackSeconds ?? 7 * DAY),
        limit: options.roundLimit ?? 500,
        ...(options.statuses === undefined ? {} : { statuses: options.statuses }),
      });
      const wallClock = Date.now();
      const due = rows.filter(({ invoice }) => (backoff.get(invoice.id)?.until ?? 0) <= wallClock);
      round.watched = due.length;
      if (due.length === 0) return round;
      const balances = await depositBalances(
        options.provider,
        due.map(({ invoice }) => ({ address: invoice.deposit_address as string, token: invoice.token })),
      );
      const funded = due.filter((_, i) => (balances[i]?.balance ?? 0n) >= BigInt(due[i]!.invoice.amount));
      round.funded = funded.length;
      const byMerchant = new Map<string, DepositCandidateRow[]>();
      for (const row of funded) byMerchant.set(row.merchant.id, [...(byMerchant.get(row.merchant.id) ?? []), row]);
      for (const [merchantId, merchantRows] of byMerchant) {
        try {
          await settleMerchant(merchantId, merchantRows, router, round);
        } catch (error) {
          // One merchant's failure (its key, a race that made the batch revert) must not stop the others.
          stats.errors++;
          stats.lastError = error instanceof Error ? error.message : String(error);
          logger.error("deposit keeper: settling a merchant's deposits failed", { merchantId, error: stats.lastError });
          for (const { invoice } of merchantRows) {
            fail({ invoiceId: invoice.id, merchantId, code: "SETTLEMENT_FAILED", message: stats.lastError }, round);
          }
        }
      }
      return round;
    } catch (error) {
      stats.errors++;
      stats.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      stats.rounds++;
      stats.lastRoundAt = new Date();
    }
  }

  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let pauseMs = intervalMs;

  const tick = (): void => {
    timer = undefined;
    running = runOnce().then(
      () => {
        pauseMs = intervalMs;
      },
      (error: unknown) => {
        logger.error("deposit keeper: round failed; retrying after a pause", {
          error: error instanceof Error ? error.message : String(error),
          retryInMs: pauseMs,
        });
        pauseMs = Math.min(maxBackoffMs, pauseMs * 2);
      },
    );
    void running.then(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(tick, pauseMs);
    });
  };
  timer = setTimeout(tick, 0);

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
      if (lock !== undefined) await (await lock.catch(() => undefined))?.release();
    },
    runOnce,
    stats: () => ({ ...stats }),
  };
}
