/**
 * The backoff of the node's retry loops: the controller's restart delay, the chain monitor's retries, the
 * IPFS fetcher's download retries (which add jitter on top), the maker session's and the chain gateway's
 * reconnects.
 */

/**
 * The delay after `failures` consecutive failures (≥ 1; less counts as 1): `initial · 2^(failures − 1)`,
 * capped at `max`. Unit-free: the result is in the unit of `initial` and `max`.
 *
 * @example
 * backoffDelay(5_000, 60_000, 3); // 20 000
 */
export function backoffDelay(initial: number, max: number, failures: number): number {
  const n = Math.max(1, Math.floor(failures));
  // 2^40 ms is 35 years: capping the exponent keeps the arithmetic exact and far past any cap.
  return Math.min(max, initial * 2 ** Math.min(n - 1, 40));
}
