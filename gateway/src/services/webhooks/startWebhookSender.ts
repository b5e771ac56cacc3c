/**
 * The delivery loop. Each round claims due deliveries (FOR UPDATE SKIP LOCKED, in a short transaction that also
 * counts the attempt and leases the row: `next_attempt_at = now + timeout + margin`), sends each outside any
 * transaction, and logs the attempt: 2xx → succeeded; anything else → retried on the backoff schedule, then failed.
 * Several gateway instances on one PostgreSQL share the queue without sending a delivery twice at once; a sender
 * that dies mid-send leaves its claims to be picked up again when their lease passes. Delivery is at least once:
 * a receiver de-duplicates by the event id (`ScanPay-Event-Id`).
 */
import { performance } from "node:perf_hooks";

import type { Kysely } from "kysely";

import { claimDueDeliveries, recordDeliveryAttempt, toStoredEvent, webhookQueueDepth, type ClaimedDelivery, type Database, type DeliveryOutcome } from "../../store/index.js";
import { eventEnvelope } from "../events/eventEnvelope.js";
import type { MasterKeyring } from "../masterKeys.js";
import { webhookRetryDelay } from "./backoff.js";
import { checkWebhookUrlSyntax, type ResolveHost } from "./checkWebhookUrl.js";
import { fetchTransport, type FetchLike } from "./fetchTransport.js";
import { postWebhook, type WebhookTransport } from "./postWebhook.js";
import { openWebhookSecret } from "./secret.js";
import { signWebhook } from "./signWebhook.js";

/** Sent as `User-Agent: ScanPay-Webhooks/<version>`. */
export const WEBHOOK_SENDER_VERSION = "0.1.0";
export const WEBHOOK_USER_AGENT = `ScanPay-Webhooks/${WEBHOOK_SENDER_VERSION}`;
/** How much longer than the request timeout a claim is leased for (DNS, connect, logging the attempt). */
export const WEBHOOK_LEASE_MARGIN_MS = 30_000;
const MAX_ERROR_LENGTH = 500;
const MAX_LOOP_BACKOFF_MS = 30_000;

export interface WebhookSenderLogger {
  error(message: string, details: Record<string, unknown>): void;
  warn?(message: string, details: Record<string, unknown>): void;
}

export interface WebhookSenderOptions {
  db: Kysely<Database>;
  /** Opens the endpoints' sealed secrets. */
  keyring: MasterKeyring;
  /** Pause between rounds when the queue is empty, ms. Default 1000. */
  intervalMs?: number;
  /** Deliveries sent at once (and claimed per round). Default 8. */
  concurrency?: number;
  /** Per request: connect, send, response. Default 10 000 ms. */
  timeoutMs?: number;
  /** Development only: send to loopback/private addresses and plain http. Default false. */
  allowPrivateUrls?: boolean;
  /** The clock, ms since the epoch (tests move it forward instead of waiting). Default `Date.now`. */
  now?: () => number;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** A fetch implementation to send with instead of node:http(s) (see fetchTransport.ts). */
  fetch?: FetchLike;
  /** The lowest level: replaces the HTTP client entirely (wins over `fetch`). */
  transport?: WebhookTransport;
  /** Resolver override for the SSRF check at send time (tests). */
  resolveHost?: ResolveHost;
  /** Default `console`. */
  logger?: WebhookSenderLogger;
  /** Start the background loop. Default true; false leaves it to `runOnce()` (tests). */
  start?: boolean;
}

export interface WebhookRoundResult {
  claimed: number;
  succeeded: number;
  /** Failed attempts rescheduled. */
  retried: number;
  /** Deliveries given up (schedule exhausted). */
  failed: number;
}

export interface WebhookSenderStats extends WebhookRoundResult {
  /** Requests in flight now. */
  inFlight: number;
  /** Rounds that failed (database errors), logged and retried with backoff. */
  loopErrors: number;
}

export interface WebhookSender {
  /** Stops the loop and waits for the requests in flight to be logged. */
  stop(): Promise<void>;
  /** One round: claim what is due (up to the free concurrency), send, log; resolves when all of it is logged. */
  runOnce(): Promise<WebhookRoundResult>;
  /** Counters since start. */
  stats(): WebhookSenderStats;
  /** Pending deliveries to enabled endpoints (the /metrics gauge). */
  queueDepth(): Promise<number>;
  /**
   * New deliveries were just committed (the indexer's step on this instance): claim now instead of at the next
   * interval, so a webhook leaves within milliseconds of its event rather than up to one interval later.
   */
  wake(): void;
}

function describeSendError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const text =
      code === "ECONNREFUSED"
        ? "connection refused"
        : code === "ECONNRESET"
          ? "connection reset"
          : code === "ENOTFOUND" || code === "EAI_AGAIN"
            ? "host not found"
            : error.message;
    return (code !== undefined && !text.includes(code) ? `${text} (${code})` : text).slice(0, MAX_ERROR_LENGTH);
  }
  return String(error).slice(0, MAX_ERROR_LENGTH);
}

/** Starts (unless `start: false`) the webhook delivery loop. */
export function startWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const intervalMs = options.intervalMs ?? 1000;
  const concurrency = options.concurrency ?? 8;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const allowPrivateUrls = options.allowPrivateUrls === true;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const logger: WebhookSenderLogger = options.logger ?? { error: (message, details) => console.error(message, details) };
  const transport = options.transport ?? (options.fetch !== undefined ? fetchTransport(options.fetch) : postWebhook);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError("concurrency must be a positive integer");
  if (!(intervalMs > 0)) throw new RangeError("intervalMs must be positive");
  if (!(timeoutMs > 0)) throw new RangeError("timeoutMs must be positive");

  const totals: WebhookRoundResult = { claimed: 0, succeeded: 0, retried: 0, failed: 0 };
  let inFlight = 0;
  let loopErrors = 0;
  const sending = new Set<Promise<unknown>>();

  async function deliver(claim: ClaimedDelivery): Promise<DeliveryOutcome["status"]> {
    const { delivery, endpoint, event } = claim;
    const attemptedAt = new Date(now());
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const url = checkWebhookUrlSyntax(endpoint.url, { allowPrivateUrls });
      const secret = openWebhookSecret(options.keyring, endpoint);
      const body = JSON.stringify(eventEnvelope(toStoredEvent(event)));
      const timestamp = Math.floor(attemptedAt.getTime() / 1000);
      const response = await transport({
        url,
        body,
        timeoutMs,
        allowPrivateUrls,
        ...(options.resolveHost === undefined ? {} : { resolveHost: options.resolveHost }),
        headers: {
          "content-type": "application/json",
          "user-agent": WEBHOOK_USER_AGENT,
          "scanpay-signature": signWebhook(secret, timestamp, body),
          "scanpay-event-id": event.id,
          "scanpay-event-type": event.type,
          "scanpay-delivery-id": delivery.id,
        },
      });
      statusCode = response.status;
      if (statusCode < 200 || statusCode > 299) {
        error = statusCode >= 300 && statusCode < 400 ? `HTTP ${statusCode}: redirects are not followed` : `HTTP ${statusCode}`;
      }
    } catch (e) {
      error = describeSendError(e);
    }
    const durationMs = Math.max(0, Math.round(performance.now() - started));
    let outcome: DeliveryOutcome;
    if (error === null) outcome = { status: "succeeded", at: new Date(now()) };
    else {
      const delay = webhookRetryDelay(delivery.attempts, random);
      outcome = delay === undefined ? { status: "failed" } : { status: "pending", nextAttemptAt: new Date(attemptedAt.getTime() + delay) };
    }
    await recordDeliveryAttempt(options.db, {
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      claimedAttempts: delivery.attempts,
      attemptedAt,
      statusCode,
      error,
      durationMs,
      outcome,
    });
    return outcome.status;
  }

  /** Claims what the free slots allow and starts sending; the promise of each send, tracked for stop(). */
  async function claimAndStart(): Promise<Promise<DeliveryOutcome["status"] | "error">[]> {
    const free = concurrency - inFlight;
    if (free <= 0) return [];
    const at = now();
    const claims = await claimDueDeliveries(options.db, {
      now: new Date(at),
      leaseUntil: new Date(at + timeoutMs + WEBHOOK_LEASE_MARGIN_MS),
      limit: free,
    });
    totals.claimed += claims.length;
    return claims.map((claim) => {
      inFlight += 1;
      const p = deliver(claim)
        .then((status) => {
          if (status === "succeeded") totals.succeeded += 1;
          else if (status === "pending") totals.retried += 1;
          else totals.failed += 1;
          return status;
        })
        .catch((error: unknown) => {
          // Logging the attempt failed (database down): the lease runs out and the delivery is sent again.
          loopErrors += 1;
          logger.error("webhooks: could not record a delivery attempt", { deliveryId: claim.delivery.id, error: describeSendError(error) });
          return "error" as const;
        })
        .finally(() => {
          inFlight -= 1;
          sending.delete(p);
          wake();
        });
      sending.add(p);
      return p;
    });
  }

  async function runOnce(): Promise<WebhookRoundResult> {
    const results = await Promise.all(await claimAndStart());
    return {
      claimed: results.length,
      succeeded: results.filter((s) => s === "succeeded").length,
      retried: results.filter((s) => s === "pending").length,
      failed: results.filter((s) => s === "failed").length,
    };
  }

  let stopped = options.start === false;
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  /** A wake() came while a round was running (its claim may have missed the new rows): run again at once. */
  let wokenWhileTicking = false;
  let failures = 0;

  function schedule(delay: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delay);
  }

  /** A slot freed: claim again at once rather than after the interval (a backlog drains at full concurrency). */
  function wake(): void {
    if (stopped) return;
    if (ticking) wokenWhileTicking = true;
    else if (inFlight < concurrency) schedule(0);
  }

  async function tick(): Promise<void> {
    if (stopped || ticking) return;
    ticking = true;
    let next = intervalMs;
    try {
      const started = await claimAndStart();
      failures = 0;
      // A full batch suggests more is due: come back as soon as a slot frees (wake), else after the interval.
      if (started.length > 0 && inFlight >= concurrency) next = intervalMs * 10;
    } catch (error) {
      failures += 1;
      loopErrors += 1;
      next = Math.min(intervalMs * 2 ** failures, MAX_LOOP_BACKOFF_MS);
      logger.error("webhooks: claiming deliveries failed; retrying", { error: describeSendError(error), retryInMs: next });
    } finally {
      ticking = false;
    }
    if (wokenWhileTicking && failures === 0 && inFlight < concurrency) next = 0;
    wokenWhileTicking = false;
    schedule(next);
  }

  if (!stopped) schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...sending]);
    },
    runOnce,
    stats: () => ({ ...totals, inFlight, loopErrors }),
    queueDepth: () => webhookQueueDepth(options.db),
    wake,
  };
}
