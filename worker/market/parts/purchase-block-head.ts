/**
 * The chain head for the `closeAt` window check. The window is 1440 blocks, so a head up to one poll
 * interval old is as good as a fresh one; asking the node on every purchase would put a JSON-RPC round
 * trip into each `buy_key`. Concurrent callers share one request; a failed request is not cached.
 */
import type { Provider } from 'ethers';

/** Default age limit of the cached head (ms): the monitor's poll interval. */
export const DEFAULT_HEAD_TTL_MS = 1000;

export class BlockHead {
  private value: bigint | undefined;
  private fetchedAt = 0;
  private pending: Promise<bigint> | undefined;
  /** Node requests made so far (for measurements). */
  requests = 0;

  constructor(
    private readonly provider: Pick<Provider, 'getBlockNumber'>,
    private readonly ttlMs: number = DEFAULT_HEAD_TTL_MS,
  ) {}

  /** The latest block number, at most `ttlMs` old. */
  async current(): Promise<bigint> {
    if (this.value !== undefined && Date.now() - this.fetchedAt <= this.ttlMs) return this.value;
    this.pending ??= this.fetch();
    return this.pending;
  }

  private async fetch(): Promise<bigint> {
    try {
      this.requests++;
      const n = BigInt(await this.provider.getBlockNumber());
      this.value = n;
      this.fetchedAt = Date.now();
      return n;
    } finally {
      this.pending = undefined;
    }
  }
}
