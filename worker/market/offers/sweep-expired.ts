/**
 * The sweep of expired offers: an offer past its `expires` can never be sold again, but an index key cannot depend
 * on the clock, so expired offers would stay in the query indexes and every query over a long-running book would
 * walk its whole history. The sweep marks them `lapsed`, which takes them out (schema/db/maker-schema.ts
 * `offerForSale`); `idx_offer_by_expiry` lists exactly the live offers that expire, soonest first, so a sweep reads
 * only what it changes.
 */
import type { NsTime, Uuid } from '../../../schema/codec/index.js';
import { key, MakerIndex, u64, type MakerDb, type Offer } from '../../../schema/db/index.js';

/** Offers marked per write: a slice is a few ms of the maker's thread, so purchases interleave with a long sweep. */
const SWEEP_SLICE = 500;

/** The ids of at most `max` live offers expired at `now` (positions in `idx_offer_by_expiry`: u64be(expires) ‖ offer id). */
export function expiredOfferIds(db: MakerDb, now: NsTime, max: number): Buffer[] {
  return db.offers.indexKeys(MakerIndex.offerByExpiry, { end: key(u64(now + 1n)), limit: max }).map((entry) => entry.subarray(8));
}

/**
 * Marks the offers `ids` lapsed at `now`, in the caller's write transaction (or one of its own); an offer that is
 * no longer live or not expired at `now` is left as it is. Returns how many it marked.
 */
export function markLapsed(db: MakerDb, ids: readonly Buffer[], now: NsTime): number {
  const write = (): number => {
    const lapsed: (readonly [Uuid, Offer])[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const hex = id.toString('hex');
      if (seen.has(hex)) continue;
      seen.add(hex);
      const offer = db.offers.getByKey(id);
      if (offer === undefined || offer.lapsed !== undefined || offer.expires === undefined || offer.expires > now) continue;
      lapsed.push([offer.offer, { ...offer, lapsed: now }]);
    }
    db.offers.putMany(lapsed);
    return lapsed.length;
  };
  return db.env.writeSync(write);
}

/**
 * Sweeps every offer expired at `now()` in slices of {@link SWEEP_SLICE}, each a group commit of its own, yielding
 * to the event loop between slices. Resolves with the number marked.
 */
export async function sweepExpiredOffers(db: MakerDb, now: () => NsTime): Promise<number> {
  let total = 0;
  for (;;) {
    const at = now();
    const ids = expiredOfferIds(db, at, SWEEP_SLICE);
    if (ids.length === 0) return total;
    const marked = await db.env.write(() => markLapsed(db, ids, at));
    total += marked;
    // Nothing marked from a full slice would be the same slice again: stop rather than spin.
    if (ids.length < SWEEP_SLICE || marked === 0) return total;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
