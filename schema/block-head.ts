/**
 * A recent chain head for signed states and their checks (`closeAt`, docs/protocol.md#differences): the buyer signs it, the
 * maker checks it lies within 1440 blocks of its own head, so a value up to a second (one poll) old is as
 * good as a fresh one, and fetching it for each purchase would put a round trip (to the chain node, or
 * `get_status` through the router) into every key. Concurrent callers share one request; a failed request
 * is not cached. The source is any `() => Promise<bigint>`, so this needs no chain library.
 *
 * With `onStale`, a failed request answers the last value it had (and tells `onStale` why): for a check that
 * a signed block is not in the future an older head is only stricter, and a node that is down for a moment
 * then costs no purchase. Without a last value the failure is thrown.
 */
/** Default age limit of the cached head (ms): the chain monitor's poll interval. */
export const DEFAULT_HEAD_TTL_MS = 1000;

export class BlockHead {
  private value: bigint | undefined;
  private fetchedAt = 0;
  private pending: Promise<bigint> | undefined;

  constructor(
    private readonly fetch: () => Promise<bigint>,
    private readonly ttlMs = DEFAULT_HEAD_TTL_MS,
    private readonly onStale?: (err: unknown, last: bigint) => void,
  ) {}

  /** The latest block number, at most `ttlMs` old. */
  async current(): Promise<bigint> {
    if (this.value !== undefined && Date.now() - this.fetchedAt <= this.ttlMs) return this.value;
    this.pending ??= this.load();
    return this.pending;
  }

  /** The latest block number, fetched now (for states the maker checks against its fresh head, e.g. a close). */
  async fresh(): Promise<bigint> {
    this.fetchedAt = 0;
    return this.current();
  }

  private async load(): Promise<bigint> {
    try {
      const n = await this.fetch();
      this.value = n;
      this.fetchedAt = Date.now();
      return n;
    } catch (err) {
      if (this.onStale === undefined || this.value === undefined) throw err;
      this.onStale(err, this.value);
      return this.value;
    } finally {
      this.pending = undefined;
    }
  }
}
