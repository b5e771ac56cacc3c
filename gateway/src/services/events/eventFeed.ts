/**
 * The live event feed: ONE poller per process reads the events written since it last looked (by `seq`) and fans
 * them out to every subscriber (open SSE streams) whose filter matches. N open streams cost one indexed query per
 * interval, not N; and because the database is the source, an event written by another gateway instance (or the
 * indexer elsewhere) reaches this instance's streams too.
 *
 * The poller runs only while someone is subscribed: the first subscriber starts it at the latest `seq`, the last
 * one to leave stops it (an idle gateway sends no queries). `notify()` polls at once (the indexer in the same process
 * calls it after it commits, so a local event does not wait for the interval).
 *
 * Gaps: `seq` comes from an identity column, taken when a row is inserted, visible when its transaction commits.
 * Two concurrent writers can commit out of order (seq 11 visible before seq 10), and a rolled-back insert leaves a
 * hole forever. The feed remembers every hole below its position for `gapGraceMs` and asks for those seqs again on
 * each poll, so a late commit is still delivered (out of `seq` order); a hole that stays empty is forgotten.
 */
import type { Kysely } from "kysely";

import { latestEventSeq, readEventFeed, type Database, type StoredEvent } from "../../store/index.js";

export const EVENT_FEED_DEFAULT_INTERVAL_MS = 500;

/** Which events a subscriber receives: one merchant's, optionally one invoice's. */
export interface EventFilter {
  merchantId: string;
  invoiceId?: string;
}

export type EventListener = (event: StoredEvent) => void;

export interface EventSubscription {
  /** Stops delivery; idempotent. */
  unsubscribe(): void;
}

export interface EventFeedLogger {
  error(message: string, details: Record<string, unknown>): void;
}

export interface EventFeedOptions {
  db: Kysely<Database>;
  /** Poll interval while subscribed; default 500 ms. */
  intervalMs?: number;
  /** Rows per query; a full batch polls again at once. Default 500. */
  batchSize?: number;
  /** How long a hole in `seq` is waited for; default 10 s. */
  gapGraceMs?: number;
  /** Most missing seqs waited for at once: a larger jump (e.g. a sequence restart) is not waited for. Default 1000. */
  maxGap?: number;
  /** Milliseconds clock (gap expiry); default Date.now. */
  now?: () => number;
  logger?: EventFeedLogger;
}

export interface EventFeed {
  /**
   * Delivers every event written after this call returns that matches `filter` (the returned promise resolves once
   * the feed knows its starting position, so a caller that then reads the database misses nothing between the two).
   * `onEnd` is called if the feed stops while subscribed (process shutdown), so a stream can end.
   */
  subscribe(filter: EventFilter, listener: EventListener, onEnd?: () => void): Promise<EventSubscription>;
  /** Polls as soon as possible (no-op while nobody is subscribed). */
  notify(): void;
  /** One poll: reads and delivers what is new; returns how many events it delivered to at least a check. */
  tick(): Promise<number>;
  /** Open subscriptions (tests check that closed streams leave none behind). */
  readonly subscriberCount: number;
  /** Stops polling and drops every subscriber. */
  stop(): Promise<void>;
}

interface Subscriber {
  filter: EventFilter;
  listener: EventListener;
  onEnd: (() => void) | undefined;
}

/** Creates the feed (it polls only while subscribed). Stop it with `stop()` when the process shuts down. */
export function startEventFeed(options: EventFeedOptions): EventFeed {
  const { db } = options;
  const intervalMs = options.intervalMs ?? EVENT_FEED_DEFAULT_INTERVAL_MS;
  const batchSize = options.batchSize ?? 500;
  const gapGraceMs = options.gapGraceMs ?? 10_000;
  const maxGap = options.maxGap ?? 1000;
  const now = options.now ?? Date.now;
  const logger: EventFeedLogger = options.logger ?? { error: (message, details) => console.error(message, details) };

  /** Subscribers by merchant: an event is only offered to its own merchant's subscribers. */
  const byMerchant = new Map<string, Set<Subscriber>>();
  let count = 0;
  /** Set while polling is active: resolves to true once `cursor` holds the starting position. */
  let started: Promise<boolean> | undefined;
  /** Bumped on every start and stop, so a poll of an earlier activation changes nothing. */
  let generation = 0;
  let cursor = 0n;
  /** Holes below `cursor` still waited for → when first seen (ms). */
  const gaps = new Map<bigint, number>();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<number> | undefined;
  let again = false;
  let failures = 0;
  let stopped = false;

  function deliver(event: StoredEvent): boolean {
    const subs = byMerchant.get(event.merchantId);
    if (subs === undefined) return false;
    let any = false;
    for (const sub of [...subs]) {
      if (sub.filter.invoiceId !== undefined && sub.filter.invoiceId !== event.invoiceId) continue;
      any = true;
      try {
        sub.listener(event);
      } catch (error) {
        logger.error("event feed: a subscriber threw", { error: error instanceof Error ? error.message : String(error) });
      }
    }
    return any;
  }

  async function pollOnce(gen: number): Promise<number> {
    const t = now();
    for (const [seq, seen] of gaps) if (t - seen > gapGraceMs) gaps.delete(seq);
    const events = await readEventFeed(db, { afterSeq: cursor, alsoSeqs: [...gaps.keys()], limit: batchSize });
    if (gen !== generation) return 0;
    let delivered = 0;
    for (const event of events) {
      if (event.seq <= cursor) {
        if (!gaps.delete(event.seq)) continue;
      } else {
        const jump = event.seq - cursor - 1n;
        // At most maxGap holes in all: each is a parameter of every poll's query while it is waited for.
        if (jump > 0n && jump <= BigInt(maxGap - gaps.size)) for (let s = cursor + 1n; s < event.seq; s++) gaps.set(s, t);
        cursor = event.seq;
      }
      if (deliver(event)) delivered++;
    }
    if (events.length === batchSize) again = true;
    return delivered;
  }

  function schedule(delay: number): void {
    if (timer !== undefined || started === undefined || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, delay);
    timer.unref?.();
  }

  async function run(): Promise<number> {
    if (polling !== undefined) {
      again = true;
      return polling;
    }
    const gen = generation;
    polling = (async () => {
      let delivered = 0;
      try {
        if (!(await started)) return 0;
        do {
          again = false;
          delivered += await pollOnce(gen);
        } while (again && gen === generation);
        failures = 0;
      } catch (error) {
        failures++;
        again = false;
        logger.error("event feed: poll failed, retrying", { error: error instanceof Error ? error.message : String(error), failures });
      }
      return delivered;
    })();
    try {
      return await polling;
    } finally {
      polling = undefined;
      if (count > 0 && started !== undefined && !stopped) {
        // Back off on repeated failures (up to 30 s), so a database outage is not hammered by every instance. A poll
        // of an earlier activation hands over to the current one at once.
        const backoff = failures === 0 ? intervalMs : Math.min(30_000, intervalMs * 2 ** Math.min(failures, 10));
        schedule(again || gen !== generation ? 0 : backoff);
      }
    }
  }

  function start(): Promise<boolean> {
    const gen = ++generation;
    gaps.clear();
    const ready = (async () => {
      // The starting position: retried until the database answers or polling is stopped.
      for (let attempt = 0; ; attempt++) {
        try {
          const latest = await latestEventSeq(db);
          if (gen !== generation) return false;
          cursor = latest;
          return true;
        } catch (error) {
          if (gen !== generation) return false;
          logger.error("event feed: cannot read the latest event, retrying", { error: error instanceof Error ? error.message : String(error) });
          await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, intervalMs * 2 ** Math.min(attempt, 10))).unref?.());
        }
      }
    })();
    started = ready;
    void ready.then((ok) => {
      if (ok && gen === generation) schedule(intervalMs);
    });
    return ready;
  }

  function halt(): void {
    generation++;
    started = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  return {
    async subscribe(filter, listener, onEnd) {
      if (stopped) throw new Error("event feed stopped");
      const sub: Subscriber = { filter, listener, onEnd };
      let subs = byMerchant.get(filter.merchantId);
      if (subs === undefined) byMerchant.set(filter.merchantId, (subs = new Set()));
      subs.add(sub);
      count++;
      let active = true;
      const subscription: EventSubscription = {
        unsubscribe() {
          if (!active) return;
          active = false;
          const set = byMerchant.get(filter.merchantId);
          if (set === undefined || !set.delete(sub)) return; // already dropped by stop()
          if (set.size === 0) byMerchant.delete(filter.merchantId);
          count--;
          if (count === 0) halt();
        },
      };
      let ready = started ?? start();
      // Started by an activation that was stopped meanwhile (the last subscriber left while it read): start again.
      while (!(await ready)) {
        if (!active || stopped) return subscription;
        ready = started ?? start();
      }
      return subscription;
    },
    notify() {
      if (started === undefined || stopped) return;
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      void run();
    },
    tick: () => run(),
    get subscriberCount() {
      return count;
    },
    async stop() {
      stopped = true;
      halt();
      const all = [...byMerchant.values()].flatMap((set) => [...set]);
      byMerchant.clear();
      for (const sub of all) {
        try {
          sub.onEnd?.();
        } catch {
          // A stream that cannot end cleanly ends when its connection does.
        }
      }
      count = 0;
      await polling;
    },
  };
}
