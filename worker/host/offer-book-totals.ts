/**
 * A market's offer book as the metrics report it: how many offers are for sale (the entries of the query
 * indexes), and how far the expiry sweep is behind: how long the longest-expired offer still in those indexes
 * has been expired. The maker sweeps every second, so the lag stays near zero; a lag that grows says offers
 * expire faster than the sweep marks them, and every query walks more dead entries.
 */
import type { NsTime } from '../../schema/codec/index.js';
import { MakerIndex, type MakerDb } from '../../schema/db/index.js';
import { expiredOfferIds } from '../market/offers/index.js';

export interface OfferBookTotals {
  /** Offers for sale: not revoked, not sold out, not swept as expired (an expired one counts until it is swept). */
  readonly forSale: number;
  /** Since when the longest-expired offer not yet swept has been expired (ns); 0 when none is waiting. */
  readonly sweepLagNs: bigint;
}

/** The offer book of `db` at `now`: two index lookups and one record read, whatever the book's size. */
export function offerBookTotals(db: MakerDb, now: NsTime): OfferBookTotals {
  // LMDB keeps the entry count of every sub-database: no scan.
  const { entryCount } = db.env.sub(MakerIndex.offerByApi).getStats() as { entryCount: number };
  const [oldest] = expiredOfferIds(db, now, 1);
  const expires = oldest === undefined ? undefined : db.offers.getByKey(oldest)?.expires;
  return { forSale: entryCount, sweepLagNs: expires === undefined || expires > now ? 0n : now - expires };
}
