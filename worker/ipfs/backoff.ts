/**
 * When a failed download is tried again: exponential backoff with "equal jitter".
 *
 * The n-th consecutive failure (n = `retries` after it, ≥ 1) gives a base delay
 * `d = min(retry_max, retry_initial · 2^(n−1))`, and the next attempt comes `d/2 + random · d/2` later. Half
 * the delay is fixed, so a file nobody has is never hammered; the other half is random, so files that failed
 * together (one node outage) do not all come back in the same instant.
 */
import { backoffDelay } from '../../process/index.js';

export interface BackoffPolicy {
  /** Base delay after the first failure (ms). */
  initialMs: number;
  /** Cap of the base delay (ms). */
  maxMs: number;
}

/**
 * The delay (ms) before the next attempt after `retries` consecutive failures, in `[d/2, d]` of
 * the base delay (process/ `backoffDelay`); `random` returns a number in [0, 1) (default `Math.random`).
 *
 * @example
 * retryDelayMs({ initialMs: 5_000, maxMs: 3_600_000 }, 3); // between 10 000 and 20 000
 */
export function retryDelayMs(policy: BackoffPolicy, retries: number, random: () => number = Math.random): number {
  const d = backoffDelay(policy.initialMs, policy.maxMs, retries);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(d / 2 + r * (d / 2));
}
