/**
 * Per-key mutual exclusion for async work: callers of `run` with a common key run one at a time, in call
 * order; callers with disjoint keys run concurrently. A call holding several keys acquires them in sorted
 * order, so two multi-key calls can never deadlock. Used to serialize purchases per payment channel and
 * per seller (docs/protocol.md#ledger-rules) across the `await` of the seller call.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `fn` while holding every key in `keys`; releases them when `fn` settles (also on throw).
   * @example await mutex.run([`payment:${hex(channelId)}`, `seller:${hex(seller)}`], () => purchase())
   */
  async run<T>(keys: string | readonly string[], fn: () => Promise<T> | T): Promise<T> {
    const sorted = [...new Set(typeof keys === 'string' ? [keys] : keys)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of sorted) releases.push(await this.acquire(key));
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** True while some caller holds or waits for `key`. */
  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  /** Number of keys currently held or waited for (0 when idle: no memory is kept per finished key). */
  get size(): number {
    return this.tails.size;
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
