/**
 * Nonce allocation for one sending account. One transaction at a time holds the next nonce, from
 * signing until the node has accepted it; concurrent senders queue (FIFO) and so get consecutive
 * nonces. A step that throws before the broadcast was accepted releases its nonce: the next sender
 * gets the same one, so a failure never leaves a gap that would block every later transaction.
 *
 * Only the short sign → journal → broadcast step is serialized; gas estimation, fee look-up and
 * waiting for receipts run concurrently outside it.
 */

/**
 * @example
 * const nonces = new NonceAllocator(() => provider.getTransactionCount(address, 'pending'));
 * await nonces.withNonce(async (nonce) => { ...sign, journal, broadcast... }); // resolves → nonce consumed
 */
export class NonceAllocator {
  private next: number | undefined;
  private tail: Promise<void> = Promise.resolve();
  private readonly fetch: () => Promise<number>;

  /** `fetch` gives the account's pending transaction count (read on first use and after {@link resync}). */
  constructor(fetch: () => Promise<number>) {
    this.fetch = fetch;
  }

  /**
   * Runs `fn` with the next nonce, exclusively. If `fn` resolves the nonce is consumed; if it throws,
   * the nonce is released and handed to the next caller.
   */
  async withNonce<T>(fn: (nonce: number) => Promise<T>): Promise<T> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      if (this.next === undefined) this.next = await this.fetch();
      const nonce = this.next;
      const result = await fn(nonce);
      this.next = nonce + 1;
      return result;
    } finally {
      release();
    }
  }

  /** Forgets the local counter; the next allocation reads the chain's pending count again. */
  resync(): void {
    this.next = undefined;
  }

  /** The nonce the next transaction will get, if known (tests, logs). */
  peek(): number | undefined {
    return this.next;
  }
}
