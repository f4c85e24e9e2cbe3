/**
 * `query_offers` (docs/protocol.md#query-offers; not implemented in the original): offers that can be sold now, filtered as the
 * docstring intended, served from one index — `idx_offer_by_api` when `api_id` is given, else
 * `idx_offer_by_seller` — over the `valid_from` range `[from_ts, min(until_ts, now + 1))`. Those indexes
 * hold no revoked or sold-out offers, so the scan touches only the key range asked for plus offers that
 * expired inside it. Results are in `valid_from` order (oldest first), so a client pages by passing the
 * last `valid_from` + 1 as the next `from_ts`.
 */
import { address, key, u64, uuid } from '../../../schema/db/index.js';
import { MakerIndex, type MakerDb } from '../../../schema/db/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { isSellable } from './offer-state.js';
import type { OfferContext, QueryOffersFilter } from './types.js';

const U64_MAX = (1n << 64n) - 1n;

function matches(offer: Offer, filter: QueryOffersFilter): boolean {
  if (filter.apiId !== undefined && !Buffer.from(offer.api).equals(filter.apiId)) return false;
  if (filter.sellerId !== undefined && !Buffer.from(offer.seller).equals(filter.sellerId)) return false;
  if (filter.uri !== undefined && !offer.uri.startsWith(filter.uri)) return false;
  if (filter.categories !== undefined) {
    for (const [k, v] of Object.entries(filter.categories)) {
      if (!Object.hasOwn(offer.categories, k) || offer.categories[k] !== v) return false;
    }
  }
  return true;
}

/** Offers matching `filter` that can be sold at `ctx.now`, at most `filter.limit`. */
export function queryOffers(db: MakerDb, filter: QueryOffersFilter, ctx: Pick<OfferContext, 'now'>): Offer[] {
  const byApi = filter.apiId !== undefined;
  const index = byApi ? MakerIndex.offerByApi : MakerIndex.offerBySeller;
  const prefixPart = byApi ? uuid(filter.apiId as Uint8Array) : address(filter.sellerId as Uint8Array);
  const upper = filter.untilTs === undefined || filter.untilTs > ctx.now ? ctx.now + 1n : filter.untilTs;
  if (upper <= filter.fromTs) return [];
  let start: Buffer = key(prefixPart, u64(filter.fromTs));
  const end = key(prefixPart, u64(upper > U64_MAX ? U64_MAX : upper));
  const chunk = Math.min(Math.max(filter.limit * 2, 64), 1000);
  const out: Offer[] = [];
  for (;;) {
    const page = db.offers.byIndex(index, { start, end, limit: chunk });
    for (const { key: pk, value } of page) {
      if (isSellable(value, ctx.now) && matches(value, filter)) {
        out.push(value);
        if (out.length === filter.limit) return out;
      }
      // Next index entry after (prefix ‖ valid_from ‖ offer id): the same bytes plus one 0x00.
      start = Buffer.concat([key(prefixPart, u64(value.valid_from)), pk, Buffer.alloc(1)]);
    }
    if (page.length < chunk) return out;
  }
}
