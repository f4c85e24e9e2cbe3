import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Offer } from '../../../../schema/db/records/offer.js';
import type { Uuid } from '../../../../schema/codec/types.js';
import { parsePlaceOfferArgs, parseQueryOffersArgs, placeOffer, queryOffers, revokeOffer } from '../../../../worker/market/offers/index.js';
import { MIN, NOW, ctxFor, placeArgs, seller, tempMakerDb, terms, uuid, wampErr, type Seller, type Terms } from './helpers.js';

const INVALID = 'wamp.error.invalid_argument';
let h: Awaited<ReturnType<typeof tempMakerDb>>;
before(async () => {
  h = await tempMakerDb();
});
after(async () => {
  await h.done();
});

function place(s: Seller, t: Terms, now = NOW): Offer {
  const a = placeArgs(s, t);
  return placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s, now));
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('parseQueryOffersArgs', () => {
  const api = uuid();
  it('takes positional or keyword arguments, limit default 10', () => {
    const f = parseQueryOffersArgs([api, NOW], { uri: 'a.', limit: 5 });
    assert.deepEqual(f, { apiId: api, fromTs: NOW, uri: 'a.', limit: 5 });
    assert.equal(parseQueryOffersArgs([api, 0]).limit, 10);
  });
  const bad: Array<[string, unknown[], Record<string, unknown>]> = [
    ['limit', [api, 0], { limit: 0 }],
    ['limit', [api, 0], { limit: 1001 }],
    ['limit', [api, 0], { limit: 'ten' }],
    ['api_id', [new Uint8Array(3), 0], {}],
    ['api_id', [null, 0], {}],
    ['from_ts', [api], {}],
    ['until_ts', [api, 10], { until_ts: 10 }],
    ['uri', [api, 0], { uri: 'A' }],
    ['categories', [api, 0], { categories: { a: 1 } }],
    ['seller_id', [api, 0], { seller_id: new Uint8Array(3) }],
    ['from_ts', [api, 0], { from_ts: 1 }],
    ['args', [api, 0, null, null, null, null, 10, 1], {}],
    ['nope', [api, 0], { nope: 1 }],
    // Categories and URIs are indexed per API: by seller alone they would be checked on every offer it placed.
    ['api_id', [null, 0], { seller_id: new Uint8Array(20), categories: { region: 'eu' } }],
    ['api_id', [null, 0], { seller_id: new Uint8Array(20), uri: 'com.' }],
  ];
  for (const [name, args, kwargs] of bad) {
    it(`names ${name} (${JSON.stringify(kwargs)})`, () => {
      assert.throws(() => parseQueryOffersArgs(args, kwargs), wampErr(INVALID, new RegExp(`^${name}`)));
    });
  }
});

describe('queryOffers', () => {
  const api = uuid();
  const s1 = seller(1);
  const s2 = seller(2);
  const mine: Record<string, Offer> = {};

  before(() => {
    // 5,000 offers of other APIs (by the same sellers, in the same time range) around the ones asked for.
    for (let i = 0; i < 5000; i++) place(i % 2 === 0 ? s1 : s2, terms({ validFrom: NOW - 4n * MIN + BigInt(i), apiId: uuid() }));
    const specs: Array<[string, Seller, Partial<Terms>]> = [
      ['a', s1, { validFrom: NOW - 3n * MIN, uri: 'com.example.weather.', categories: { region: 'eu', kind: 'temp' } }],
      ['b', s2, { validFrom: NOW - 2n * MIN, uri: 'com.example.weather.berlin', categories: { region: 'eu' } }],
      ['c', s1, { validFrom: NOW - 1n * MIN, uri: 'com.example.traffic.', categories: { region: 'us' } }],
      ['expired', s1, { validFrom: NOW - 4n * MIN, expires: NOW - 4n * MIN + 5n * MIN }],
      ['revoked', s2, { validFrom: NOW - 90n * 1_000_000_000n }],
      ['soldout', s1, { validFrom: NOW - 80n * 1_000_000_000n, copies: 1 }],
      ['future', s2, { validFrom: NOW + 10n * MIN }],
    ];
    for (const [name, s, over] of specs) mine[name] = place(s, terms({ apiId: api, ...over }), NOW - 4n * MIN);
    revokeOffer(h.db, (mine['revoked'] as Offer).key, ctxFor(s2, NOW - 4n * MIN));
    h.db.env.writeSync(() => {
      const o = h.db.offers.get((mine['soldout'] as Offer).offer) as Offer;
      h.db.offers.put(o.offer, { ...o, remaining: 0 });
    });
  });

  const q = (over: Record<string, unknown>, now = NOW + 2n * MIN): Offer[] => queryOffers(h.db, parseQueryOffersArgs([], { api_id: api, from_ts: 0, ...over }), { now });
  const names = (offers: Offer[]): string[] => offers.map((o) => Object.entries(mine).find(([, m]) => hex(m.offer) === hex(o.offer))?.[0] ?? '?');

  it('returns only live offers of the API, oldest valid_from first', () => {
    assert.deepEqual(names(q({})), ['a', 'b', 'c']);
    // At an earlier time the expired one is still live (it expires at NOW + 1 min).
    assert.deepEqual(names(q({}, NOW)), ['expired', 'a', 'b', 'c']);
    assert.deepEqual(names(q({}, NOW + 10n * MIN)), ['a', 'b', 'c', 'future']);
  });

  it('filters by time range, uri prefix, categories and seller', () => {
    assert.deepEqual(names(q({ from_ts: NOW - 2n * MIN })), ['b', 'c']);
    assert.deepEqual(names(q({ until_ts: NOW - 2n * MIN })), ['a']);
    assert.deepEqual(names(q({ uri: 'com.example.weather.' })), ['a', 'b']);
    assert.deepEqual(names(q({ uri: 'com.example.weather.berlin' })), ['b']);
    assert.deepEqual(names(q({ categories: { region: 'eu' } })), ['a', 'b']);
    assert.deepEqual(names(q({ categories: { region: 'eu', kind: 'temp' } })), ['a']);
    assert.deepEqual(names(q({ categories: { region: 'eu', kind: 'wind' } })), []);
    assert.deepEqual(names(q({ seller_id: s1.address })), ['a', 'c']);
    assert.deepEqual(names(q({ seller_id: s2.address, uri: 'com.' })), ['b']);
  });

  it('applies the limit', () => {
    assert.deepEqual(names(q({ limit: 2 })), ['a', 'b']);
    assert.deepEqual(names(q({ limit: 1, from_ts: (mine['a'] as Offer).valid_from + 1n })), ['b']);
  });

  it('queries by seller alone across APIs', () => {
    const all = queryOffers(h.db, parseQueryOffersArgs([null, NOW - 3n * MIN], { seller_id: s2.address, limit: 1000 }), { now: NOW });
    assert.ok(all.every((o) => hex(o.seller) === hex(s2.address)));
    assert.ok(all.some((o) => hex(o.offer) === hex((mine['b'] as Offer).offer)));
    assert.ok(!all.some((o) => hex(o.offer) === hex((mine['revoked'] as Offer).offer)));
  });

  /** Runs `fn` counting the index keys and the records it reads; refuses a scan of the offers table. */
  function reads<T>(fn: () => T): { result: T; keys: number; records: number } {
    const offers = h.db.offers;
    const indexKeys = offers.indexKeys.bind(offers);
    const indexCursor = offers.indexCursor.bind(offers);
    const getByKey = offers.getByKey.bind(offers);
    const range = offers.range.bind(offers);
    let keys = 0;
    let records = 0;
    offers.indexKeys = (name, opts) => {
      const page = indexKeys(name, opts);
      keys += page.length;
      return page;
    };
    offers.indexCursor = (name, opts) => {
      const cursor = indexCursor(name, opts);
      return {
        next: () => {
          const r = cursor.next();
          if (r.done !== true) keys++;
          return r;
        },
        return: (v?: unknown) => cursor.return?.(v) ?? { done: true, value: undefined },
      };
    };
    offers.getByKey = (k, snapshot) => {
      records++;
      return getByKey(k, snapshot);
    };
    offers.range = () => assert.fail('queryOffers must not scan the offers table');
    try {
      return { result: fn(), keys, records };
    } finally {
      offers.indexKeys = indexKeys;
      offers.indexCursor = indexCursor;
      offers.getByKey = getByKey;
      offers.range = range;
    }
  }

  it('is served from the API index: reads only that API range, never the 5,000 other offers', () => {
    const r = reads(() => names(q({ limit: 1000 })));
    assert.deepEqual(r.result, ['a', 'b', 'c']);
    // a, b, c and the expired one are the only index entries in range (revoked/sold out left the index).
    assert.deepEqual([r.keys, r.records], [4, 4]);
    assert.equal(h.db.offers.count(), 5007);
  });

  it('reads no record for filters that match nothing, and only the answers for filters that match', () => {
    const none = [
      { categories: { region: 'eu', kind: 'wind' } },
      { categories: { region: 'mars' } },
      { uri: 'org.' },
      { seller_id: seller(9).address },
      { seller_id: s2.address, categories: { kind: 'temp' } },
      { from_ts: NOW + MIN },
    ];
    for (const over of none) {
      const r = reads(() => q(over));
      assert.deepEqual([r.result.length, r.records], [0, 0], `filter ${Object.keys(over).join(' + ')} #${none.indexOf(over)}`);
    }
    const eu = reads(() => names(q({ categories: { region: 'eu', kind: 'temp' } })));
    assert.deepEqual([eu.result, eu.records], [['a'], 1]);
    const weather = reads(() => names(q({ uri: 'com.example.weather.', seller_id: s2.address })));
    assert.deepEqual([weather.result, weather.records], [['b'], 1]);
  });

  it('returns nothing for an unknown API', () => {
    assert.deepEqual(queryOffers(h.db, parseQueryOffersArgs([uuid() as Uuid, 0]), { now: NOW }), []);
  });
});
