/**
 * When a failed download is tried again: exponential backoff with "equal jitter".
 *
 * The n-th consecutive failure (n = `retries` after it, ≥ 1) gives a base delay
 * `d = min(retry_max, retry_initial · 2^(n−1))`, and the next attempt comes `d/2 + random · d/2` later. Half
 * the delay is fixed, so a file nobody has is never hammered; the other half is random, so files that failed
 * together (one node outage) do not all come back in the same instant.
 */

export interface BackoffPolicy {
  /** Base delay after the first failure (ms). */
  initialMs: number;
  /** Cap of the base delay (ms). */
  maxMs: number;
}

/** The base delay (ms) after `retries` consecutive failures, before jitter. */
export function baseDelayMs(policy: BackoffPolicy, retries: number): number {
  const n = Math.max(1, Math.floor(retries));
  // 2^40 ms is 35 years: capping the exponent keeps the arithmetic exact and far past any retry_max.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(n - 1, 40));
}

/**
 * The delay (ms) before the next attempt after `retries` consecutive failures, in `[d/2, d]` of
 * {@link baseDelayMs}; `random` returns a number in [0, 1) (default `Math.random`).
 *
 * @example
 * retryDelayMs({ initialMs: 5_000, maxMs: 3_600_000 }, 3); // between 10 000 and 20 000
 */
export function retryDelayMs(policy: BackoffPolicy, retries: number, random: () => number = Math.random): number {
  const d = baseDelayMs(policy, retries);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(d / 2 + r * (d / 2));
}
