/**
 * Rate limiting: a token bucket per API key, and per client IP for requests without one, kept in this process's
 * memory (so per gateway instance: N instances behind a balancer allow up to N times the rate). A request over the
 * limit gets 429 RATE_LIMITED with `Retry-After`; every limited response carries `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` (IETF draft "RateLimit header fields for HTTP").
 *
 * The key bucket is found from the bearer key's id before the key is checked (no database read for a request that
 * will be refused). So that made-up key ids cannot be used to get fresh buckets, every request that ends in 401
 * takes a token from its IP's failed-authentication bucket, and once that is empty the IP's keyed requests are
 * refused too until it refills. Requests with no client address (in-process `app.request` calls: no socket, no
 * proxy header) are not limited: the limit guards the network surface, not the embedding program.
 */
import type { Context, MiddlewareHandler } from "hono";

import { API_KEY_PATTERN } from "../services/index.js";

export interface BucketLimit {
  /** Tokens added per second (the sustained rate). */
  ratePerSecond: number;
  /** Bucket size: the most requests let through at once. */
  burst: number;
}

export interface RateLimitOptions {
  /** Per API key. Default 50/s, burst 100. */
  key?: BucketLimit;
  /** Per client IP, for requests without a well-formed API key. Default 20/s, burst 40. */
  anonymous?: BucketLimit;
  /** Per client IP, taken by every request answered 401. Default 2/s, burst 20. */
  failedAuth?: BucketLimit;
  /**
   * Header a trusted reverse proxy puts the client address in (e.g. "x-forwarded-for": its first entry is used).
   * Default: the TCP peer address. Set it only behind a proxy that overwrites the header, or clients choose their IP.
   */
  ipHeader?: string;
  /** Paths never limited (probes). Default `/healthz`, `/readyz`. */
  exempt?: readonly string[];
  /** Milliseconds clock, for tests. Default `Date.now`. */
  now?: () => number;
  /** Idle (full) buckets are dropped once more than this many exist. Default 10,000. */
  maxBuckets?: number;
}

export const DEFAULT_RATE_LIMITS = {
  key: { ratePerSecond: 50, burst: 100 },
  anonymous: { ratePerSecond: 20, burst: 40 },
  failedAuth: { ratePerSecond: 2, burst: 20 },
} as const satisfies Record<string, BucketLimit>;

interface Bucket {
  tokens: number;
  at: number;
  limit: BucketLimit;
}

interface TakeResult {
  allowed: boolean;
  remaining: number;
  /** Milliseconds until a token is available (0 if allowed). */
  retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
}

/** Token buckets by name. */
class Buckets {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt = 0;

  constructor(
    private readonly now: () => number,
    private readonly maxBuckets: number,
  ) {}

  private refill(name: string, limit: BucketLimit): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(name);
    if (bucket === undefined) {
      bucket = { tokens: limit.burst, at: now, limit };
      this.buckets.set(name, bucket);
      if (this.buckets.size > this.maxBuckets) this.sweep(now);
    } else {
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.ratePerSecond);
      bucket.at = now;
    }
    return bucket;
  }

  /** Takes one token if there is one. */
  take(name: string, limit: BucketLimit): TakeResult {
    const bucket = this.refill(name, limit);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    return this.describe(bucket, allowed);
  }

  /** Whether a token is there, without taking it. */
  peek(name: string, limit: BucketLimit): TakeResult {
    const bucket = this.refill(name, limit);
    return this.describe(bucket, bucket.tokens >= 1);
  }

  private describe(bucket: Bucket, allowed: boolean): TakeResult {
    const rate = bucket.limit.ratePerSecond;
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      retryAfterMs: allowed ? 0 : ((1 - bucket.tokens) / rate) * 1000,
      resetMs: ((bucket.limit.burst - bucket.tokens) / rate) * 1000,
    };
  }

  /** Drops buckets that have refilled completely: forgetting them changes nothing. At most once a second. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [name, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * b.limit.ratePerSecond >= b.limit.burst) this.buckets.delete(name);
    }
  }
}

const BEARER_RE = /^Bearer[ ]+(\S+)\s*$/i;

/**
 * The client's address: the proxy header's first entry if configured, else the TCP peer (node server); undefined
 * for a request that came from no socket (`app.request` / `app.fetch` called in-process).
 */
function clientIp(c: Context, header: string | undefined): string | undefined {
  if (header !== undefined) {
    const value = c.req.header(header)?.split(",")[0]?.trim();
    if (value !== undefined && value !== "") return value;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

function setHeaders(c: Context, limit: BucketLimit, result: TakeResult): void {
  c.header("RateLimit-Limit", String(limit.burst));
  c.header("RateLimit-Remaining", String(result.remaining));
  c.header("RateLimit-Reset", String(Math.ceil(result.resetMs / 1000)));
  c.header("RateLimit-Policy", `${limit.burst};w=${Math.max(1, Math.round(limit.burst / limit.ratePerSecond))}`);
}

function limited(c: Context, limit: BucketLimit, result: TakeResult, who: string): Response {
  setHeaders(c, limit, result);
  c.header("Retry-After", String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))));
  c.header("Cache-Control", "no-store");
  return c.json(
    { error: { code: "RATE_LIMITED", message: `too many requests ${who}: at most ${limit.ratePerSecond} per second (bursts of ${limit.burst}); retry later` } },
    429,
  );
}

/** The rate-limiting middleware; mount it before the routes (`app.use("*", rateLimit(options))`). */
export function rateLimit(options: RateLimitOptions = {}): MiddlewareHandler {
  const keyLimit = options.key ?? DEFAULT_RATE_LIMITS.key;
  const anonymousLimit = options.anonymous ?? DEFAULT_RATE_LIMITS.anonymous;
  const failedLimit = options.failedAuth ?? DEFAULT_RATE_LIMITS.failedAuth;
  const exempt = new Set(options.exempt ?? ["/healthz", "/readyz"]);
  const buckets = new Buckets(options.now ?? Date.now, options.maxBuckets ?? 10_000);

  return async (c, next) => {
    if (exempt.has(c.req.path)) return next();
    const ip = clientIp(c, options.ipHeader);
    // No socket and no proxy header: the embedding program's own in-process call, not network traffic.
    if (ip === undefined) return next();
    const bearer = BEARER_RE.exec(c.req.header("authorization") ?? "")?.[1];
    const keyId = bearer === undefined ? undefined : API_KEY_PATTERN.exec(bearer)?.[1];
    if (keyId !== undefined) {
      const failures = buckets.peek(`fail:${ip}`, failedLimit);
      if (!failures.allowed) return limited(c, failedLimit, failures, "with failed authentications from this address");
      const result = buckets.take(`key:${keyId}`, keyLimit);
      if (!result.allowed) return limited(c, keyLimit, result, "for this API key");
      await next();
      setHeaders(c, keyLimit, result);
      if (c.res.status === 401) buckets.take(`fail:${ip}`, failedLimit);
      return;
    }
    const result = buckets.take(`ip:${ip}`, anonymousLimit);
    if (!result.allowed) return limited(c, anonymousLimit, result, "from this address");
    await next();
    setHeaders(c, anonymousLimit, result);
    if (c.res.status === 401) buckets.take(`fail:${ip}`, failedLimit);
  };
}
