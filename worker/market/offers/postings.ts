/**
 * Posting lists over the offer-book indexes (schema/db/maker-schema.ts `offerIndexes`): every query index ends in
 * `u64be(valid_from) ‖ offer id`, so under one prefix (an API, a seller, an API and a category, …) it lists offers
 * in the order `query_offers` answers in. A query intersects the lists of its filters by seeking each one forward
 * to the largest position any of them reached (leapfrog), so it reads index keys around the answers, not every
 * offer of the API, and reads a record only when every filter it has an index for agrees.
 */
import type { Offer, ReadSnapshot, Table } from '../../../schema/db/index.js';
import type { Uuid } from '../../../schema/codec/index.js';

/** Bytes of a position in a posting list: `u64be(valid_from) ‖ offer id`. */
export const POSITION_BYTES = 24;

/** A sorted list of offer positions that can only move forward. */
export interface Posting {
  /** The first position ≥ `target` (bytewise), or undefined when the list has none. */
  seek(target: Buffer): Buffer | undefined;
  /** Releases what the list holds open (its cursor); seek must not be called after. */
  close(): void;
}

/** Steps a cursor takes towards a target before it seeks instead: most leapfrog jumps are short. */
const STEPS_BEFORE_SEEK = 8;

/**
 * The positions of the entries of `index` between `prefix ‖ lower` and `prefix ‖ upper` (exclusive), read through
 * one LMDB cursor: a short move forward steps the cursor, a longer one starts it again at the target (a B-tree
 * search), so a leapfrog over long lists costs about one step or search per jump, not per entry it skips.
 * {@link close} releases the cursor.
 */
export class RangePosting implements Posting {
  private cursor: Iterator<Buffer> | undefined;
  private head: Buffer | undefined;
  private done = false;

  constructor(
    private readonly offers: Table<Uuid, Offer>,
    private readonly index: string,
    private readonly prefix: Buffer,
    private readonly end: Buffer,
    private readonly snapshot: ReadSnapshot,
  ) {}

  seek(target: Buffer): Buffer | undefined {
    if (this.done) return undefined;
    if (this.head !== undefined && Buffer.compare(this.head, target) >= 0) return this.head;
    if (this.cursor !== undefined) {
      for (let i = 0; i < STEPS_BEFORE_SEEK; i++) {
        if (!this.step()) return undefined;
        if (Buffer.compare(this.head as Buffer, target) >= 0) return this.head;
      }
      this.cursor.return?.();
    }
    this.cursor = this.offers.indexCursor(this.index, { start: Buffer.concat([this.prefix, target]), end: this.end, snapshot: this.snapshot });
    return this.step() ? this.head : undefined;
  }

  close(): void {
    this.cursor?.return?.();
    this.cursor = undefined;
  }

  /** Moves the cursor one entry on; false (and closed) at the end of the range. */
  private step(): boolean {
    const next = (this.cursor as Iterator<Buffer>).next();
    if (next.done === true) {
      this.done = true;
      this.head = undefined;
      this.close();
      return false;
    }
    const entry = next.value;
    this.head = entry.subarray(entry.length - POSITION_BYTES);
    return true;
  }
}

/** The union of several posting lists (one per URI under a prefix): the smallest of their next positions. */
export class UnionPosting implements Posting {
  private readonly heads: (Buffer | undefined)[];

  constructor(private readonly parts: readonly Posting[]) {
    this.heads = parts.map(() => Buffer.alloc(0));
  }

  close(): void {
    for (const part of this.parts) part.close();
  }

  seek(target: Buffer): Buffer | undefined {
    let best: Buffer | undefined;
    for (let i = 0; i < this.parts.length; i++) {
      let head = this.heads[i];
      if (head !== undefined && Buffer.compare(head, target) < 0) {
        head = (this.parts[i] as Posting).seek(target);
        this.heads[i] = head;
      }
      if (head !== undefined && (best === undefined || Buffer.compare(head, best) < 0)) best = head;
    }
    return best;
  }
}

/** The smallest position after `position`: the same bytes and one 0x00 (lists hold fixed-width positions only). */
function after(position: Buffer): Buffer {
  return Buffer.concat([position, Buffer.alloc(1)]);
}

/**
 * Positions in every list of `postings` from `lower` on, in order, while `visit` returns true (leapfrog join:
 * each list seeks to the largest position seen, until all stand on the same one).
 */
export function intersect(postings: readonly Posting[], lower: Buffer, visit: (position: Buffer) => boolean): void {
  if (postings.length === 0) return;
  let target = lower;
  for (;;) {
    let agreed = 0;
    let i = 0;
    // Seek the lists in turn to the target until all of them agree on it; a list that moves past it moves it.
    while (agreed < postings.length) {
      const head = (postings[i] as Posting).seek(target);
      if (head === undefined) return;
      if (Buffer.compare(head, target) === 0) agreed++;
      else {
        target = head;
        agreed = 1;
      }
      i = (i + 1) % postings.length;
    }
    if (!visit(target)) return;
    target = after(target);
  }
}
