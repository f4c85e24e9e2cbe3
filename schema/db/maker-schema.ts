/**
 * The maker DB's layout, apart from `openMakerDb` so that its migrations (`maker-migrations.ts`) build the
 * same index entries as the tables do: sub-database names and encodings, and the transactions' indexes.
 */
import { createHash } from 'node:crypto';
import type { Uuid } from '../codec/types.js';
import type { SubDbEncoding } from './env.js';
import { address, bytes, key, prefixRange, u32, u64, u8, uuid, type KeyPart } from './keys.js';
import type { Offer } from './records/offer.js';
import { TransactionState, type Transaction } from './records/transaction.js';
import type { IndexDef } from './table.js';

/** Index names of the maker DB. */
export const MakerIndex = {
  offerByKey: 'idx_offer_by_key',
  offerByApi: 'idx_offer_by_api',
  offerBySeller: 'idx_offer_by_seller',
  offerByApiSeller: 'idx_offer_by_api_seller',
  offerByCategory: 'idx_offer_by_category',
  offerByCategoryPair: 'idx_offer_by_category_pair',
  offerByUri: 'idx_offer_by_uri',
  offerByExpiry: 'idx_offer_by_expiry',
  paymentChannelByDelegate: 'idx_payment_channel_by_delegate',
  paymentChannelByActor: 'idx_payment_channel_by_actor',
  payingChannelByDelegate: 'idx_paying_channel_by_delegate',
  payingChannelByRecipient: 'idx_paying_channel_by_recipient',
  transactionByState: 'idx_transaction_by_state',
  transactionByPaymentSeq: 'idx_transaction_by_payment_seq',
} as const;

/** Sub-databases of a maker DB and how they store values. */
export const MAKER_SUBDBS: Readonly<Record<string, SubDbEncoding>> = {
  offers: 'msgpack',
  [MakerIndex.offerByKey]: 'binary',
  [MakerIndex.offerByApi]: 'binary',
  [MakerIndex.offerBySeller]: 'binary',
  [MakerIndex.offerByApiSeller]: 'binary',
  [MakerIndex.offerByCategory]: 'binary',
  [MakerIndex.offerByCategoryPair]: 'binary',
  [MakerIndex.offerByUri]: 'binary',
  [MakerIndex.offerByExpiry]: 'binary',
  payment_channels: 'msgpack',
  [MakerIndex.paymentChannelByDelegate]: 'binary',
  [MakerIndex.paymentChannelByActor]: 'binary',
  payment_balances: 'msgpack',
  paying_channels: 'msgpack',
  [MakerIndex.payingChannelByDelegate]: 'binary',
  [MakerIndex.payingChannelByRecipient]: 'binary',
  paying_balances: 'msgpack',
  transactions: 'msgpack',
  [MakerIndex.transactionByState]: 'binary',
  [MakerIndex.transactionByPaymentSeq]: 'binary',
  consents: 'msgpack',
};

/**
 * Offers in the query indexes: those that may still be sold. Revoked and sold-out offers never can again, and an
 * expired one leaves once the maker's sweep marks it `lapsed` (expiry depends on the clock, an index key cannot),
 * so a query walks only live offers plus those that expired since the last sweep.
 */
const offerForSale = (o: Offer): boolean => o.revoked === undefined && o.remaining !== 0 && o.lapsed === undefined;

/** Bytes of a category's digest in `idx_offer_by_category(_pair)` keys: a collision only costs one record read. */
const CATEGORY_DIGEST_BYTES = 8;
/** Offers with more categories than this are listed once under {@link WIDE_OFFER} in the pair index instead of per pair. */
const MAX_PAIR_INDEXED_CATEGORIES = 8;
/** The pair-index "digest" of offers with too many categories to list every pair (28 entries at most per offer). */
export const WIDE_OFFER = Buffer.alloc(CATEGORY_DIGEST_BYTES, 0xff);

// Offers of a market share few category values, and every placement and query digests each of its pairs.
const DIGEST_CACHE_MAX = 4096;
const digestCache = new Map<string, Buffer>();

function digestOf(parts: readonly string[]): Buffer {
  const id = parts.join('\0');
  let d = digestCache.get(id);
  if (d === undefined) {
    d = createHash('sha256').update(id).digest().subarray(0, CATEGORY_DIGEST_BYTES);
    if (digestCache.size >= DIGEST_CACHE_MAX) digestCache.clear();
    digestCache.set(id, d);
  }
  return d;
}

/** The digest of one category as `idx_offer_by_category` keys it (name and value NUL-separated: they cannot run into each other). */
export function categoryDigest(name: string, value: string): Buffer {
  return digestOf([name, value]);
}

/** The digest of two categories as `idx_offer_by_category_pair` keys them, whichever order they are given in. */
export function categoryPairDigest(a: readonly [string, string], b: readonly [string, string]): Buffer {
  const [x, y] = a[0] < b[0] ? [a, b] : [b, a];
  return digestOf([x[0], x[1], y[0], y[1]]);
}

/** The pair-index keys (before valid_from) of an offer's categories: every pair, or {@link WIDE_OFFER} for a wide offer. */
function pairDigests(categories: Readonly<Record<string, string>>): Buffer[] {
  const entries = Object.entries(categories);
  if (entries.length < 2) return [];
  if (entries.length > MAX_PAIR_INDEXED_CATEGORIES) return [WIDE_OFFER];
  const out: Buffer[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) out.push(categoryPairDigest(entries[i] as [string, string], entries[j] as [string, string]));
  }
  return out;
}

/** Separates the URI from `valid_from` in `idx_offer_by_uri` keys. */
const URI_END = Buffer.of(0);

function uriBytes(uri: string): KeyPart {
  const b = Buffer.from(uri, 'utf8');
  return bytes(b, b.length);
}

/** The `idx_offer_by_uri` entries of the API's offers whose URI starts with `uriPrefix`. */
export function offerUriPrefix(apiId: Uint8Array, uriPrefix: string): { start: Buffer; end: Buffer | undefined } {
  return prefixRange(key(uuid(apiId), uriBytes(uriPrefix)));
}

/**
 * The offer-book indexes (docs/protocol.md#key-layouts). Every query index ends in `u64be(valid_from) ‖ offer id`, so
 * all of them list a prefix's offers in the order `query_offers` answers in, and a query over several filters
 * intersects them by seeking (`worker/market/offers/postings.ts`) instead of reading records it then drops.
 */
export const offerIndexes = {
  byKey: { name: MakerIndex.offerByKey, unique: true, key: (o) => key(uuid(o.key)) },
  byApi: { name: MakerIndex.offerByApi, key: (o) => (offerForSale(o) ? key(uuid(o.api), u64(o.valid_from)) : undefined) },
  bySeller: { name: MakerIndex.offerBySeller, key: (o) => (offerForSale(o) ? key(address(o.seller), u64(o.valid_from)) : undefined) },
  byApiSeller: {
    name: MakerIndex.offerByApiSeller,
    key: (o) => (offerForSale(o) ? key(uuid(o.api), address(o.seller), u64(o.valid_from)) : undefined),
  },
  /** One entry per category pair; by API, the only filter a category query always comes with. */
  byCategory: {
    name: MakerIndex.offerByCategory,
    key: (o) =>
      offerForSale(o) ? Object.entries(o.categories).map(([k, v]) => key(uuid(o.api), bytes(categoryDigest(k, v), CATEGORY_DIGEST_BYTES), u64(o.valid_from))) : undefined,
  },
  /**
   * One entry per two categories of an offer, so a query for two categories (the common many-filter case) reads
   * only offers that have both, even when each alone is common; a wide offer has one entry under WIDE_OFFER,
   * which a pair query reads too.
   */
  byCategoryPair: {
    name: MakerIndex.offerByCategoryPair,
    key: (o) => (offerForSale(o) ? pairDigests(o.categories).map((d) => key(uuid(o.api), bytes(d, CATEGORY_DIGEST_BYTES), u64(o.valid_from))) : undefined),
  },
  /** api ‖ uri ‖ 0x00 ‖ valid_from: a URI never holds a NUL, so one URI's offers are one range, in time order. */
  byUri: {
    name: MakerIndex.offerByUri,
    key: (o) => (offerForSale(o) ? key(uuid(o.api), uriBytes(o.uri), bytes(URI_END, 1), u64(o.valid_from)) : undefined),
  },
  /** Live offers that expire, by when: what the sweep takes out of the query indexes. */
  byExpiry: { name: MakerIndex.offerByExpiry, key: (o) => (offerForSale(o) && o.expires !== undefined ? key(u64(o.expires)) : undefined) },
} as const satisfies Record<string, IndexDef<Offer>>;

/** The key of `idx_transaction_by_payment_seq` for payment seq `seq` of channel `channelId` (a prefix of its entries). */
export const paymentSeqKey = (channelId: Uuid, seq: number): Buffer => key(uuid(channelId), u32(seq));

/**
 * `idx_transaction_by_state`: only INFLIGHT transactions are indexed (nothing ever asks for settled ones by
 * state): a resolve only removes its entry, and the index stays one small, hot leaf instead of growing with
 * every purchase. (Builds before schema 2 kept settled entries too; the 1 → 2 migration drops them.)
 */
export const transactionByState: IndexDef<Transaction> = {
  name: MakerIndex.transactionByState,
  key: (t) => (t.state === TransactionState.INFLIGHT ? key(u8(t.state), u64(t.created)) : undefined),
};

/**
 * `idx_transaction_by_payment_seq`: the purchase that used a payment seq — for a `buy_key` asked again, and
 * for audits (which purchase took seq N of a channel). Every transaction is in it, also those written before
 * `close_at` existed (they cannot be answered again, `findPurchaseReplay` checks that, but they did use their
 * seq). Its key is fixed at the reserve, so a resolve writes nothing to it. Not unique: a unique index reads
 * before every put, and a seq is used by one reservation only anyway.
 */
export const transactionByPaymentSeq: IndexDef<Transaction> = {
  name: MakerIndex.transactionByPaymentSeq,
  key: (t) => paymentSeqKey(t.payment_channel, t.created_payment_channel_seq + 1),
};
