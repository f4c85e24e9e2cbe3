/**
 * The block number a buyer puts into its signed states (`closeAt`, DESIGN §4). The maker accepts any block
 * within 1440 of its own head, so a value up to a second old is as good as a fresh one; fetching it for each
 * purchase would add a round trip (to the chain node, or `get_status` through the router) to every key.
 * Concurrent callers share one request; a failed request is not cached.
 */
export class BlockHead {
  private value: bigint | undefined;
  private fetchedAt = 0;
  private pending: Promise<bigint> | undefined;

  constructor(
    private readonly fetch: () => Promise<bigint>,
    private readonly ttlMs = 1000,
  ) {}

  /** The latest block number, at most `ttlMs` old. */
  async current(): Promise<bigint> {
    if (this.value !== undefined && Date.now() - this.fetchedAt <= this.ttlMs) return this.value;
    this.pending ??= this.load();
    return this.pending;
  }

  /** The latest block number, fetched now (for states the maker checks against its fresh head, e.g. a close). */
  async fresh(): Promise<bigint> {
    this.value = undefined;
    return this.current();
  }

  private async load(): Promise<bigint> {
    try {
      const n = await this.fetch();
      this.value = n;
      this.fetchedAt = Date.now();
      return n;
    } finally {
      this.pending = undefined;
    }
  }
}
