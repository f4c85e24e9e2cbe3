/**
 * `queryOffers` intersects posting lists of several indexes; this compares it with the plain definition (every
 * offer, filtered in full, sorted by (valid_from, offer id), cut at the limit) on offer books and filters fast-check
 * draws from small domains, so that filters often overlap, tie on valid_from, share URI prefixes and match nothing.
 * Offers are written straight into the maker DB (what `placeOffer` stores), in every state the book knows:
 * live, expired (swept or not), not yet valid, revoked, sold out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Address, Uuid } from '../../../../schema/codec/types.js';
import type { Offer } from '../../../../schema/db/records/offer.js';
import { isSellable, markLapsed, expiredOfferIds, queryOffers, sweepExpiredOffers } from '../../../../worker/market/offers/index.js';
import type { QueryOffersFilter } from '../../../../worker/market/offers/types.js';
import { MakerIndex, type MakerDb } from '../../../../schema/db/index.js';
import { NOW, tempMakerDb } from './helpers.js';
import { memoryLogger } from '../../../helpers/router.js';
import { startOfferSweeps } from '../../../../worker/market/parts/offers.js';

const bytes = (n: number, tag: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i === n - 1 ? tag : 0xa0 + tag));
const APIS = [0, 1, 2].map((i) => bytes(16, i) as Uuid);
const SELLERS = [0, 1, 2, 3].map((i) => bytes(20, i) as Address);
const URIS = ['a.', 'a.b', 'a.b.c', 'a.bc', 'ab.', 'b.x', 'b.x.y'];
const CATEGORY_NAMES = ['region', 'kind', 'w0'];
const CATEGORY_VALUES = ['eu', 'us', 'v'];
/** 8 categories: with one or two drawn ones beside them an offer is wide (over 8: the pair index lists it once, not per pair). */
const WIDE = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`w${i}`, 'v']));
const T = 1_000_000_000n;

interface Drawn {
  api: number;
  seller: number;
  uri: number;
  validFrom: number;
  categories: [number, number][];
  wide: boolean;
  state: 'live' | 'expires' | 'revoked' | 'soldout';
  expiresIn: number;
}

const drawnOffer = fc.record({
  api: fc.nat(APIS.length - 1),
  seller: fc.nat(SELLERS.length - 1),
  uri: fc.nat(URIS.length - 1),
  validFrom: fc.integer({ min: -20, max: 5 }),
  categories: fc.array(fc.tuple(fc.nat(CATEGORY_NAMES.length - 1), fc.nat(CATEGORY_VALUES.length - 1)), { maxLength: 2 }),
  wide: fc.boolean(),
  state: fc.constantFrom('live', 'live', 'expires', 'revoked', 'soldout'),
  expiresIn: fc.integer({ min: -10, max: 10 }),
}) as fc.Arbitrary<Drawn>;

const drawnFilter = fc.record(
  {
    api: fc.nat(APIS.length - 1),
    seller: fc.nat(SELLERS.length),
    uri: fc.constantFrom('', 'a', 'a.', 'a.b', 'a.b.', 'a.bc', 'b.x', 'c.'),
    categories: fc.array(fc.tuple(fc.nat(CATEGORY_NAMES.length - 1), fc.nat(CATEGORY_VALUES.length - 1)), { maxLength: 3 }),
    from: fc.integer({ min: -22, max: 6 }),
    until: fc.integer({ min: -22, max: 8 }),
    limit: fc.integer({ min: 1, max: 12 }),
  },
  { requiredKeys: ['api', 'from', 'limit'] },
);

/** Empties the offer book, so each case starts from its own offers. */
function clearBook(db: MakerDb): void {
  db.env.writeSync(() => {
    for (const { value } of db.offers.range()) db.offers.delete(value.offer);
  });
}

function toOffer(d: Drawn, i: number): Offer {
  const validFrom = NOW + BigInt(d.validFrom) * T;
  const id = new Uint8Array(16);
  id[0] = (i * 37) % 256; // ids not in insertion order, so ties on valid_from order by id
  id[15] = i;
  const keyId = new Uint8Array(16);
  keyId[0] = 0xee;
  keyId[15] = i;
  return {
    timestamp: NOW,
    offer: id as Uuid,
    seller: SELLERS[d.seller] as Address,
    seller_session_id: 1,
    seller_authid: `member-${Buffer.from(SELLERS[d.seller] as Uint8Array).toString('hex')}`,
    key: keyId as Uuid,
    api: APIS[d.api] as Uuid,
    uri: URIS[d.uri] as string,
    valid_from: validFrom,
    signature: new Uint8Array(65) as Offer['signature'],
    price: 1n,
    categories: { ...(d.wide ? WIDE : {}), ...Object.fromEntries(d.categories.map(([n, v]) => [CATEGORY_NAMES[n], CATEGORY_VALUES[v]])) },
    ...(d.state === 'expires' ? { expires: NOW + BigInt(d.expiresIn) * T } : {}),
    ...(d.state === 'revoked' ? { revoked: NOW - T, expires: NOW - T } : {}),
    ...(d.state === 'soldout' ? { copies: 1, remaining: 0 } : {}),
  };
}

/** What `query_offers` means, read off every offer. */
function expected(all: readonly Offer[], f: QueryOffersFilter, now: bigint): string[] {
  const upper = f.untilTs === undefined || f.untilTs > now ? now + 1n : f.untilTs;
  return all
    .filter((o) => o.valid_from >= f.fromTs && o.valid_from < upper && isSellable(o, now))
    .filter((o) => f.apiId === undefined || Buffer.from(o.api).equals(f.apiId))
    .filter((o) => f.sellerId === undefined || Buffer.from(o.seller).equals(f.sellerId))
    .filter((o) => f.uri === undefined || o.uri.startsWith(f.uri))
    .filter((o) => Object.entries(f.categories ?? {}).every(([k, v]) => o.categories[k] === v))
    .sort((x, y) => (x.valid_from < y.valid_from ? -1 : x.valid_from > y.valid_from ? 1 : Buffer.compare(x.offer, y.offer)))
    .slice(0, f.limit)
    .map((o) => Buffer.from(o.offer).toString('hex'));
}

describe('queryOffers equals the definition on drawn offer books', () => {
  let h: Awaited<ReturnType<typeof tempMakerDb>>;
  before(async () => {
    h = await tempMakerDb();
  });
  after(async () => {
    await h.done();
  });

  it('for every filter, before and after the expired offers are swept', () => {
    fc.assert(
      fc.property(fc.array(drawnOffer, { minLength: 0, maxLength: 40 }), fc.array(drawnFilter, { minLength: 1, maxLength: 12 }), fc.boolean(), (drawn, filters, sweep) => {
        const db = h.db;
        // One book per run: clear what the previous run wrote.
        clearBook(db);
        const offers = drawn.map(toOffer);
        db.env.writeSync(() => {
          for (const o of offers) db.offers.put(o.offer, o);
        });
        if (sweep) markLapsed(db, expiredOfferIds(db, NOW, 1000), NOW);
        for (const d of filters) {
          const f: QueryOffersFilter = {
            apiId: APIS[d.api] as Uuid,
            fromTs: NOW + BigInt(d.from) * T,
            limit: d.limit,
            ...(d.seller !== undefined && d.seller < SELLERS.length ? { sellerId: SELLERS[d.seller] as Address } : {}),
            ...(d.uri === undefined ? {} : { uri: d.uri }),
            ...(d.categories === undefined ? {} : { categories: Object.fromEntries(d.categories.map(([n, v]) => [CATEGORY_NAMES[n] as string, CATEGORY_VALUES[v] as string])) }),
            ...(d.until === undefined || d.until <= d.from ? {} : { untilTs: NOW + BigInt(d.until) * T }),
          };
          const got = queryOffers(db, f, { now: NOW }).map((o) => Buffer.from(o.offer).toString('hex'));
          assert.deepEqual(got, expected(offers, f, NOW));
          // The same query by seller alone (no API) must agree with the definition too.
          if (f.sellerId !== undefined) {
            const { apiId: _, ...bySeller } = f;
            assert.deepEqual(
              queryOffers(db, bySeller, { now: NOW }).map((o) => Buffer.from(o.offer).toString('hex')),
              expected(offers, bySeller, NOW),
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a query for two or more categories finds offers with up to 8 categories through their pairs, and wider ones too', () => {
    const db = h.db;
    clearBook(db);
    const base: Drawn = { api: 2, seller: 2, uri: 2, validFrom: -3, categories: [], wide: false, state: 'live', expiresIn: 0 };
    // 8 categories (every pair listed), 9 and 10 (wide: listed once), and one without w1.
    const offers = [
      toOffer({ ...base, wide: true }, 1),
      toOffer({ ...base, wide: true, categories: [[0, 0]] }, 2),
      toOffer({ ...base, wide: true, categories: [[0, 0], [1, 1]] }, 3),
      { ...toOffer({ ...base, categories: [[0, 0], [2, 2]] }, 4) },
    ];
    db.env.writeSync(() => {
      for (const o of offers) db.offers.put(o.offer, o);
    });
    const ask = (categories: Record<string, string>): number[] =>
      queryOffers(db, { apiId: APIS[2] as Uuid, fromTs: 0n, limit: 10, categories }, { now: NOW }).map((o) => o.offer[15] as number);
    assert.deepEqual(ask({ w0: 'v', w1: 'v' }), [1, 2, 3]);
    assert.deepEqual(ask({ w7: 'v', region: 'eu' }), [2, 3]);
    assert.deepEqual(ask({ region: 'eu', w0: 'v' }), [2, 3, 4]);
    assert.deepEqual(ask({ region: 'eu', kind: 'us', w3: 'v' }), [3]);
    assert.deepEqual(ask({ region: 'eu', kind: 'eu' }), []);
  });

  it('a URI prefix over more than 64 URIs: the right offers, reading a bounded number of the API\'s other offers', () => {
    const db = h.db;
    clearBook(db);
    const base: Drawn = { api: 0, seller: 0, uri: 0, validFrom: 0, categories: [], wide: false, state: 'live', expiresIn: 0 };
    const offers: Offer[] = [];
    // 2,000 offers of one URI first, then one offer each under 70 URIs of the prefix asked for, the newest last.
    for (let i = 0; i < 2070; i++) {
      const o = toOffer({ ...base, validFrom: -20 }, i % 256);
      o.offer[1] = i >> 8;
      o.key[1] = i >> 8;
      o.valid_from = NOW - 10_000n * T + BigInt(i) * T;
      if (i >= 2000) o.uri = `zz.u${i - 2000}`;
      offers.push(o);
    }
    db.env.writeSync(() => {
      for (const o of offers) db.offers.put(o.offer, o);
    });
    let records = 0;
    const getByKey = db.offers.getByKey.bind(db.offers);
    db.offers.getByKey = (k, snapshot) => {
      records++;
      return getByKey(k, snapshot);
    };
    try {
      const found = queryOffers(db, { apiId: APIS[0] as Uuid, fromTs: 0n, limit: 5, uri: 'zz.' }, { now: NOW });
      assert.deepEqual(found.map((o) => o.uri), ['zz.u0', 'zz.u1', 'zz.u2', 'zz.u3', 'zz.u4']);
      // A bounded look at the records first (a broad prefix usually matches soon), then the prefix's index entries.
      assert.ok(records <= 256 + 2 * 5 + 5 + 1, `${records} records read of the API's 2,070`);
      // Where the prefix's offers are dense, the look at the records finds them at once.
      records = 0;
      const dense = queryOffers(db, { apiId: APIS[0] as Uuid, fromTs: offers[2010]!.valid_from, limit: 3, uri: 'zz.' }, { now: NOW });
      assert.deepEqual([dense.map((o) => o.uri), records], [['zz.u10', 'zz.u11', 'zz.u12'], 3]);
      const window = queryOffers(db, { apiId: APIS[0] as Uuid, fromTs: offers[2065]!.valid_from, limit: 10, uri: 'zz.u6' }, { now: NOW });
      assert.deepEqual(window.map((o) => o.uri), ['zz.u65', 'zz.u66', 'zz.u67', 'zz.u68', 'zz.u69']);
    } finally {
      db.offers.getByKey = getByKey;
    }
  });

  it('a sweep takes exactly the expired offers out of every query index and leaves the records', () => {
    const db = h.db;
    clearBook(db);
    const base: Drawn = { api: 0, seller: 0, uri: 0, validFrom: -5, categories: [[0, 0], [1, 1]], wide: false, state: 'expires', expiresIn: 0 };
    const offers = [
      toOffer({ ...base, expiresIn: -1 }, 1),
      toOffer({ ...base, expiresIn: 0 }, 2), // expires at NOW: expired (the end is exclusive)
      toOffer({ ...base, expiresIn: 1 }, 3),
      toOffer({ ...base, state: 'live' }, 4),
    ];
    db.env.writeSync(() => {
      for (const o of offers) db.offers.put(o.offer, o);
    });
    const listed = (index: string): number => db.offers.indexEntries(index).length;
    const queryIndexes = [MakerIndex.offerByApi, MakerIndex.offerBySeller, MakerIndex.offerByApiSeller, MakerIndex.offerByCategoryPair, MakerIndex.offerByUri];
    assert.deepEqual(queryIndexes.map(listed), [4, 4, 4, 4, 4]);
    assert.equal(listed(MakerIndex.offerByCategory), 8);
    assert.equal(listed(MakerIndex.offerByExpiry), 3);

    const ids = expiredOfferIds(db, NOW, 1000);
    assert.deepEqual(ids.map((id) => id[15]), [1, 2]);
    assert.equal(markLapsed(db, ids, NOW), 2);
    assert.deepEqual(queryIndexes.map(listed), [2, 2, 2, 2, 2]);
    assert.equal(listed(MakerIndex.offerByCategory), 4);
    assert.equal(listed(MakerIndex.offerByExpiry), 1);
    assert.equal(db.offers.count(), 4, 'the records stay (buy_key still says why an offer cannot be sold)');
    assert.equal(db.offers.get(offers[0]!.offer)?.lapsed, NOW);
    // Marking again changes nothing; an offer not yet expired is never marked, even when asked.
    assert.equal(markLapsed(db, ids, NOW), 0);
    assert.equal(markLapsed(db, [Buffer.from(offers[2]!.offer)], NOW), 0);
    assert.equal(db.offers.get(offers[2]!.offer)?.lapsed, undefined);
  });

  it('the maker\'s sweep drains a backlog larger than one slice, and only what is expired by its clock', async () => {
    const db = h.db;
    clearBook(db);
    const base: Drawn = { api: 1, seller: 1, uri: 1, validFrom: -5, categories: [], wide: false, state: 'expires', expiresIn: -1 };
    db.env.writeSync(() => {
      for (let i = 0; i < 1203; i++) {
        const o = toOffer({ ...base, expiresIn: i < 1200 ? -1 : 5 }, i % 256);
        o.offer[1] = i >> 8; // 1,203 distinct ids and keys
        o.key[1] = i >> 8;
        db.offers.put(o.offer, o);
      }
    });
    assert.equal(await sweepExpiredOffers(db, () => NOW), 1200);
    assert.equal(db.offers.indexEntries(MakerIndex.offerByApi).length, 3);
    assert.equal(await sweepExpiredOffers(db, () => NOW), 0);
    assert.equal(await sweepExpiredOffers(db, () => NOW + 10n * T), 3);
  });

  it('the offers part\'s timer sweeps while the maker runs, and not after it stopped', async () => {
    const db = h.db;
    clearBook(db);
    // Expired long ago by the wall clock the part reads (nowNs).
    const o = toOffer({ api: 0, seller: 0, uri: 0, validFrom: -5, categories: [], wide: false, state: 'expires', expiresIn: -1 }, 7);
    db.env.writeSync(() => db.offers.put(o.offer, o));
    const log = memoryLogger();
    const stop = startOfferSweeps({ makerDb: db, log, marketIdHex: '0x00' }, 20);
    try {
      const deadline = Date.now() + 5000;
      while (db.offers.get(o.offer)?.lapsed === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(db.offers.get(o.offer)?.lapsed !== undefined, 'swept within 5 s');
    } finally {
      await stop();
    }
    const after = { ...toOffer({ api: 0, seller: 0, uri: 0, validFrom: -5, categories: [], wide: false, state: 'expires', expiresIn: -1 }, 8) };
    db.env.writeSync(() => db.offers.put(after.offer, after));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(db.offers.get(after.offer)?.lapsed, undefined, 'no sweep after stop');
  });
});
