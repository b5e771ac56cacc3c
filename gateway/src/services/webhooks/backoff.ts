/**
 * The retry schedule: the wait after a failed attempt grows from 10 s to 8 h; 12 attempts in all, the last about
 * 31 h after the first (so at least 24 h of retries, as issue 11 asks, even for an endpoint down a whole day), then
 * the delivery is `failed`. Jitter only lengthens a wait (0..+20 %), so endpoints that fail together do not retry in
 * lockstep and the schedule never gets shorter than the nominal one.
 */
const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** The wait after attempt n (index n-1), milliseconds, before jitter. */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [10 * S, 30 * S, 1 * M, 5 * M, 15 * M, 1 * H, 2 * H, 4 * H, 8 * H, 8 * H, 8 * H];

/** Attempts before a delivery is given up: the first one and one per scheduled wait. */
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;

/** Largest jitter, as a fraction of the wait. */
export const WEBHOOK_JITTER = 0.2;

/**
 * How long to wait after the `attempts`-th failed attempt (1-based), milliseconds, or undefined when the schedule
 * is exhausted (give up). `random` in [0, 1) picks the jitter.
 */
export function webhookRetryDelay(attempts: number, random: () => number = Math.random): number | undefined {
  if (attempts < 1 || attempts >= WEBHOOK_MAX_ATTEMPTS) return undefined;
  const base = WEBHOOK_RETRY_DELAYS_MS[attempts - 1] as number;
  return Math.round(base * (1 + WEBHOOK_JITTER * random()));
}
