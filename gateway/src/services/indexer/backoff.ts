/** Exponential backoff for a loop that retries after errors: base, doubled per consecutive failure, capped. */
export interface BackoffOptions {
  /** First delay, ms (default 500). */
  baseMs?: number;
  /** Largest delay, ms (default 30,000). */
  capMs?: number;
}

/** The delay before the next attempt after `failures` consecutive failures (1 = the first failure). */
export function backoffDelay(failures: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 500;
  const cap = options.capMs ?? 30_000;
  if (failures <= 0) return 0;
  // 2^30 is far past any cap: keeps the power finite.
  return Math.min(cap, base * 2 ** Math.min(failures - 1, 30));
}
