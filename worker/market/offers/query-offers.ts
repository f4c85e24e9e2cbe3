/**
 * `query_offers` (docs/protocol.md#query-offers; not implemented in the original): offers that can be sold now, filtered as the
 * docstring intended. Each filter the offer book has an index for gives a posting list over the `valid_from` range
 * `[from_ts, min(until_ts, now + 1))` (postings.ts), the lists are intersected, and only the offers all of them agree
 * on are read and checked in full. The cost follows the answer, not the size of the book: a filter that matches
 * nothing ends as soon as one of its lists runs out. The query indexes hold no revoked, sold-out or swept-expired
 * offers. Results are in `valid_from` order (oldest first), so a client pages by passing the last `valid_from` + 1
 * as the next `from_ts`.
 */
import { address, key, storageError, u64, uuid } from '../../../schema/db/index.js';
import { categoryDigest, categoryPairDigest, MakerIndex, offerUriPrefix, WIDE_OFFER, type MakerDb } from '../../../schema/db/index.js';
import type { Offer, ReadSnapshot } from '../../../schema/db/index.js';
import { isSellable } from './offer-state.js';
import { intersect, POSITION_BYTES, RangePosting, UnionPosting, type Posting } from './postings.js';
import type { OfferContext, QueryOffersFilter } from './types.js';

const U64_MAX = (1n << 64n) - 1n;
/** At most this many distinct URIs under a `uri` prefix are joined cursor by cursor; beyond, their entries are sorted. */
const MAX_URI_BRANCHES = 64;
/** Bytes after the URI in an `idx_offer_by_uri` entry: 0x00 ‖ u64be(valid_from) ‖ offer id. */
const URI_TAIL_BYTES = 1 + POSITION_BYTES;

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

/** The range `[prefix ‖ from, prefix ‖ upper)` of one index as a posting list. */
function range(db: MakerDb, index: string, prefix: Buffer, upper: bigint, snapshot: ReadSnapshot): Posting {
  return new RangePosting(db.offers, index, prefix, Buffer.concat([prefix, key(u64(upper))]), snapshot);
}

/** Positions from a sorted array: a list built in memory. */
class ArrayPosting implements Posting {
  private at = 0;
  constructor(private readonly positions: readonly Buffer[]) {}
  seek(target: Buffer): Buffer | undefined {
    while (this.at < this.positions.length && Buffer.compare(this.positions[this.at] as Buffer, target) < 0) this.at++;
    return this.positions[this.at];
  }
  close(): void {}
}

/**
 * The offers of the API whose URI starts with `uri`, in position order: one posting list per distinct URI (found by
 * skipping from one URI to the next), joined; undefined when the prefix covers more than {@link MAX_URI_BRANCHES}.
 */
function uriBranches(db: MakerDb, apiId: Uint8Array, uri: string, upper: bigint, snapshot: ReadSnapshot): Posting | undefined {
  const { start, end } = offerUriPrefix(apiId, uri);
  const parts: Posting[] = [];
  let from = start;
  for (;;) {
    const [first] = db.offers.indexKeys(MakerIndex.offerByUri, { start: from, ...(end === undefined ? {} : { end }), limit: 1, snapshot });
    if (first === undefined) return new UnionPosting(parts);
    if (parts.length === MAX_URI_BRANCHES) return undefined;
    // This URI's entries: api ‖ uri ‖ 0x00 ‖ …; the next URI starts after api ‖ uri ‖ 0x01 (URIs hold no byte below '.').
    const uriKey = first.subarray(0, first.length - URI_TAIL_BYTES);
    parts.push(range(db, MakerIndex.offerByUri, Buffer.concat([uriKey, Buffer.of(0)]), upper, snapshot));
    from = Buffer.concat([uriKey, Buffer.of(1)]);
  }
}

/** The positions in `[lower, upper)` of every `idx_offer_by_uri` entry under the prefix, sorted: read from the index, no record. */
function uriEntries(db: MakerDb, apiId: Uint8Array, uri: string, lower: bigint, upper: bigint, snapshot: ReadSnapshot): Posting {
  const { start, end } = offerUriPrefix(apiId, uri);
  const positions: Buffer[] = [];
  const cursor = db.offers.indexCursor(MakerIndex.offerByUri, { start, ...(end === undefined ? {} : { end }), snapshot });
  for (let next = cursor.next(); next.done !== true; next = cursor.next()) {
    const position = next.value.subarray(next.value.length - POSITION_BYTES);
    const validFrom = position.readBigUInt64BE(0);
    if (validFrom >= lower && validFrom < upper) positions.push(position);
  }
  return new ArrayPosting(positions.sort(Buffer.compare));
}

/** How a prefix over more URIs than {@link MAX_URI_BRANCHES} is served: checked on the records, or from its sorted entries. */
type BroadUri = 'records' | 'entries';

/**
 * The posting lists of the filters that have an index (at least one: the API's or the seller's), and whether a broad
 * URI prefix was left to the records.
 */
function plan(db: MakerDb, filter: QueryOffersFilter, upper: bigint, snapshot: ReadSnapshot, broadUri: BroadUri): { lists: Posting[]; uriOnRecords: boolean } {
  const { apiId, sellerId } = filter;
  // Without an API only the seller and the time range narrow a query (parseQueryOffersArgs refuses the rest).
  if (apiId === undefined) return { lists: [range(db, MakerIndex.offerBySeller, key(address(sellerId as Uint8Array)), upper, snapshot)], uriOnRecords: false };
  const lists: Posting[] = [];
  if (sellerId !== undefined) lists.push(range(db, MakerIndex.offerByApiSeller, key(uuid(apiId), address(sellerId)), upper, snapshot));
  const categories = Object.entries(filter.categories ?? {});
  if (categories.length >= 2) {
    // The first two through the pair index (plus the wide offers, which it lists once each), the others one by one.
    const [a, b] = categories as [[string, string], [string, string]];
    const pair = range(db, MakerIndex.offerByCategoryPair, Buffer.concat([key(uuid(apiId)), categoryPairDigest(a, b)]), upper, snapshot);
    lists.push(new UnionPosting([pair, range(db, MakerIndex.offerByCategoryPair, Buffer.concat([key(uuid(apiId)), WIDE_OFFER]), upper, snapshot)]));
    categories.splice(0, 2);
  }
  for (const [name, value] of categories) {
    lists.push(range(db, MakerIndex.offerByCategory, Buffer.concat([key(uuid(apiId)), categoryDigest(name, value)]), upper, snapshot));
  }
  let uriOnRecords = false;
  if (filter.uri !== undefined && filter.uri !== '') {
    const branches = uriBranches(db, apiId, filter.uri, upper, snapshot);
    if (branches !== undefined) lists.push(branches);
    else if (broadUri === 'entries') lists.push(uriEntries(db, apiId, filter.uri, filter.fromTs, upper, snapshot));
    else uriOnRecords = true;
  }
  if (lists.length === 0) lists.push(range(db, MakerIndex.offerByApi, key(uuid(apiId)), upper, snapshot));
  return { lists, uriOnRecords };
}

/**
 * Records a query over a broad URI prefix reads before it reads the prefix's entries instead: a prefix over many
 * URIs usually matches many offers, found soon among the records; when it does not, the entries bound the work.
 */
const BROAD_URI_RECORD_BUDGET = 256;

/** Offers matching `filter` that can be sold at `ctx.now`, at most `filter.limit`. */
export function queryOffers(db: MakerDb, filter: QueryOffersFilter, ctx: Pick<OfferContext, 'now'>): Offer[] {
  const untilOrNow = filter.untilTs === undefined || filter.untilTs > ctx.now ? ctx.now + 1n : filter.untilTs;
  const upper = untilOrNow > U64_MAX ? U64_MAX : untilOrNow;
  if (upper <= filter.fromTs) return [];
  const snapshot = db.env.readSnapshot();
  try {
    const found = run(db, filter, ctx.now, upper, snapshot, 'records');
    return found ?? (run(db, filter, ctx.now, upper, snapshot, 'entries') as Offer[]);
  } finally {
    snapshot.done();
  }
}

/** One pass of a query; undefined when a broad URI prefix checked on the records ran out of its budget. */
function run(db: MakerDb, filter: QueryOffersFilter, now: bigint, upper: bigint, snapshot: ReadSnapshot, broadUri: BroadUri): Offer[] | undefined {
  const out: Offer[] = [];
  const { lists, uriOnRecords } = plan(db, filter, upper, snapshot, broadUri);
  let budget = uriOnRecords ? BROAD_URI_RECORD_BUDGET + 2 * filter.limit : Number.POSITIVE_INFINITY;
  try {
    intersect(lists, key(u64(filter.fromTs)), (position) => {
      if (budget-- === 0) return false;
      const offer = db.offers.getByKey(position.subarray(8), snapshot);
      // Offers are never deleted, and the snapshot sees the index and the records at one instant.
      if (offer === undefined) throw storageError('offers: a query index points to a missing offer', { table: 'offers' });
      // In full: an offer that expired since the last sweep is still listed, and a category digest may collide.
      if (isSellable(offer, now) && matches(offer, filter)) out.push(offer);
      return out.length < filter.limit;
    });
  } finally {
    for (const list of lists) list.close();
  }
  return budget < 0 ? undefined : out;
}
