import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet, TypedDataEncoder } from 'ethers';
import { packUint256 } from '../../../../schema/codec/uint256.js';
import { offerByKey } from '../../../../schema/db/maker-db.js';
import { EIP712_OFFER_TYPE, hashOffer, offerMessage, signOffer } from '../../../../schema/eip712/index.js';
import { checkOffer, marshalOffer, offerPlacedEvent, parsePlaceOfferArgs, placeOffer, placeOfferGrouped, storeOffers } from '../../../../worker/market/offers/index.js';
import { formatUuid } from '../../../../schema/codec/index.js';
import type { Offer } from '../../../../schema/db/records/offer.js';
import { CHAIN_ID, MARKET, MIN, NETWORK, NOW, XBR, ctxFor, placeArgs, seller, tempMakerDb, terms, uuid, wampErr } from './helpers.js';

const INVALID = 'wamp.error.invalid_argument';

describe('parsePlaceOfferArgs', () => {
  const s = seller();
  const good = placeArgs(s, terms());
  const withArg = (i: number, v: unknown): unknown[] => good.args.map((a, j) => (j === i ? v : a));

  it('accepts the original SimpleSeller call shape', () => {
    const input = parsePlaceOfferArgs(good.args, good.kwargs);
    assert.equal(input.price, 35n * XBR);
    assert.equal(input.providerId, s.authid);
    assert.deepEqual(input.categories, {});
  });

  const positional: Array<[number, string, unknown]> = [
    [0, 'key_id', new Uint8Array(15)],
    [1, 'api_id', 'not-bytes'],
    [2, 'uri', 'Com.Example'],
    [2, 'uri', 'a..b'],
    [2, 'uri', 5],
    [3, 'valid_from', -1],
    [3, 'valid_from', 1.5],
    [3, 'valid_from', '1'],
    [4, 'delegate_adr', new Uint8Array(21)],
    [5, 'delegate_signature', new Uint8Array(64)],
  ];
  for (const [i, name, v] of positional) {
    it(`names ${name} when it is ${JSON.stringify(v instanceof Uint8Array ? `${v.length} bytes` : v)}`, () => {
      assert.throws(() => parsePlaceOfferArgs(withArg(i, v), good.kwargs), wampErr(INVALID, `${name}: expected`));
    });
  }

  it('names a missing positional argument and refuses extra ones', () => {
    assert.throws(() => parsePlaceOfferArgs(good.args.slice(0, 5), good.kwargs), wampErr(INVALID, 'delegate_signature: expected'));
    assert.throws(() => parsePlaceOfferArgs([...good.args, 1], good.kwargs), wampErr(INVALID, 'args: expected'));
  });

  const keyword: Array<[string, unknown]> = [
    ['privkey', new Uint8Array(32)],
    ['price', 35],
    ['price', new Uint8Array(31)],
    ['categories', ['a']],
    ['categories', { a: 1 }],
    ['categories', { ['k'.repeat(65)]: 'v' }],
    ['categories', { '': 'v' }],
    ['categories', { a: 'v'.repeat(257) }],
    ['categories', Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']))],
    ['expires', 'soon'],
    ['copies', 0],
    ['copies', -2],
    ['copies', 2 ** 32],
    ['copies', 1.5],
    ['provider_id', 7],
    ['bogus', 1],
  ];
  for (const [name, v] of keyword) {
    it(`names ${name} when it is ${JSON.stringify(v instanceof Uint8Array ? `${v.length} bytes` : v)?.slice(0, 40)}`, () => {
      assert.throws(() => parsePlaceOfferArgs(good.args, { ...good.kwargs, [name]: v }), wampErr(INVALID, name === 'categories' ? /^categories/ : `${name}: expected`));
    });
  }

  it('takes an absent or None price as dynamic pricing', () => {
    assert.equal(parsePlaceOfferArgs(good.args, { ...good.kwargs, price: null }).price, null);
    assert.equal(parsePlaceOfferArgs(good.args, {}).price, null);
  });
});

describe('EIP712Offer', () => {
  it('is standard EIP712: ethers signTypedData gives the same signature', async () => {
    const w = Wallet.createRandom();
    const msg = offerMessage({
      chainId: CHAIN_ID, verifyingContract: NETWORK, marketId: MARKET, keyId: uuid(), apiId: uuid(), uri: 'a.b.', validFrom: NOW,
      delegate: new Uint8Array(Buffer.from(w.address.slice(2), 'hex')) as never, price: 5n, expires: NOW + 10n * MIN, copies: 3,
    });
    const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');
    const fields = [...EIP712_OFFER_TYPE.slice('EIP712Offer('.length, -1).split(',')].map((f) => {
      const [type, name] = f.split(' ');
      return { type: type as string, name: name as string };
    });
    const value = { ...msg, verifyingContract: hex(msg.verifyingContract), marketId: hex(msg.marketId), keyId: hex(msg.keyId), apiId: hex(msg.apiId), delegate: hex(msg.delegate) };
    const domain = { name: 'XBR', version: '1' };
    assert.equal(TypedDataEncoder.hash(domain, { EIP712Offer: fields }, value), hex(hashOffer(msg)));
    const theirs = await w.signTypedData(domain, { EIP712Offer: fields }, value);
    assert.equal(hex(signOffer(msg, Buffer.from(w.privateKey.slice(2), 'hex'))), theirs);
  });
});

describe('placeOffer', () => {
  let h: Awaited<ReturnType<typeof tempMakerDb>>;
  before(async () => {
    h = await tempMakerDb();
  });
  after(async () => {
    await h.done();
  });

  it('stores a signed offer with the caller as seller and returns it (marshal docs/protocol.md#maker-records)', () => {
    const s = seller();
    const t = terms({ categories: { region: 'eu' }, expires: NOW + 30n * MIN, copies: 2 });
    const { args, kwargs } = placeArgs(s, t);
    const offer = placeOffer(h.db, parsePlaceOfferArgs(args, kwargs), ctxFor(s));
    assert.equal(offer.seller_authid, s.authid);
    assert.equal(offer.seller_session_id, s.sessionId);
    assert.deepEqual(new Uint8Array(offer.seller), s.address);
    assert.equal(offer.remaining, 2);
    const stored = offerByKey(h.db, t.keyId);
    assert.ok(stored);
    assert.deepEqual(new Uint8Array(stored.offer), new Uint8Array(offer.offer));
    const wire = marshalOffer(stored);
    assert.deepEqual(Object.keys(wire), [
      'timestamp', 'offer', 'seller', 'seller_session_id', 'seller_authid', 'key', 'api', 'uri', 'valid_from', 'signature', 'price',
      'categories', 'expires', 'copies', 'remaining', 'revoked', 'suspended',
    ]);
    assert.deepEqual(wire.price, new Uint8Array(packUint256(35n * XBR)));
    assert.deepEqual(wire.categories, { region: 'eu' });
    assert.equal(wire.expires, NOW + 30n * MIN);
    assert.equal(wire.revoked, null);
    assert.equal(wire.suspended, false);
    assert.ok(!Buffer.isBuffer(wire.key) && wire.key instanceof Uint8Array);
    const ev = offerPlacedEvent(stored);
    assert.equal(ev.topic, 'xbr.marketmaker.on_offer_placed');
    assert.deepEqual(ev.args[0], wire);
  });

  it('stores a dynamic price as such (the original crashed), and a free one as 32 zero bytes', () => {
    const s = seller();
    const dyn = terms({ price: null });
    const a = placeArgs(s, dyn);
    const offer = placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s));
    assert.equal(offer.price, null);
    assert.equal(offerByKey(h.db, dyn.keyId)?.price, null);
    assert.equal(marshalOffer(offer).price, null);
    const free = terms({ price: 0n });
    const b = placeArgs(s, free);
    const freeOffer = placeOffer(h.db, parsePlaceOfferArgs(b.args, b.kwargs), ctxFor(s));
    assert.equal(freeOffer.price, 0n);
    assert.deepEqual(marshalOffer(freeOffer).price, new Uint8Array(32));
  });

  it('takes valid_from 0 as "from now"', () => {
    const s = seller();
    const t = terms({ validFrom: 0n });
    const a = placeArgs(s, t);
    assert.equal(placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s)).valid_from, NOW);
  });

  it('refuses a signature by another key, or over other terms, and stores nothing', () => {
    const s = seller();
    const t = terms();
    const other = seller(2);
    const a = placeArgs(s, t, other.key);
    assert.throws(() => placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s)), wampErr('xbr.error.invalid_signature', 'not signed by delegate'));
    const b = placeArgs(s, t);
    const cheaper = { ...b.kwargs, price: packUint256(1n) };
    assert.throws(() => placeOffer(h.db, parsePlaceOfferArgs(b.args, cheaper), ctxFor(s)), wampErr('xbr.error.invalid_signature'));
    const junk = new Uint8Array(65).fill(7);
    junk[64] = 27;
    const random = b.args.map((x, i) => (i === 5 ? junk : x));
    assert.throws(() => placeOffer(h.db, parsePlaceOfferArgs(random, b.kwargs), ctxFor(s)), wampErr('xbr.error.invalid_signature'));
    assert.equal(offerByKey(h.db, t.keyId), undefined);
  });

  it('refuses a second offer for the same key with invalid_argument naming key_id', () => {
    const s = seller();
    const t = terms();
    const a = placeArgs(s, t);
    const first = placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s));
    const again = placeArgs(s, { ...t, price: 1n });
    assert.throws(() => placeOffer(h.db, parsePlaceOfferArgs(again.args, again.kwargs), ctxFor(s)), wampErr(INVALID, /^key_id: key with ID ".*" already offered$/));
    assert.equal(offerByKey(h.db, t.keyId)?.price, first.price);
  });

  it('storeOffers: a batch is stored whole, or not at all when one key is offered already or twice in it', () => {
    const s = seller();
    const check = (t: ReturnType<typeof terms>): Offer => {
      const a = placeArgs(s, t);
      return checkOffer(parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s));
    };
    const stored = check(terms());
    storeOffers(h.db, [stored]);
    const fresh = [terms(), terms(), terms()];
    const taken = { ...terms(), keyId: stored.key };
    assert.throws(() => storeOffers(h.db, [...fresh, taken].map(check)), wampErr(INVALID, `key_id: key with ID "${formatUuid(stored.key)}" already offered`));
    const twice = terms();
    assert.throws(() => storeOffers(h.db, [...fresh, twice, { ...twice, price: 2n }].map(check)), wampErr(INVALID, /^key_id: .* already offered$/));
    for (const t of [...fresh, twice]) assert.equal(offerByKey(h.db, t.keyId), undefined);
    storeOffers(h.db, fresh.map(check));
    for (const t of fresh) assert.ok(offerByKey(h.db, t.keyId) !== undefined);
  });

  it('placements in one group commit: each stored once, a racing second offer of a key refused alone, the rest kept', async () => {
    const s = seller();
    const dup = terms();
    const others = [terms(), terms()];
    const results = await Promise.allSettled(
      [dup, { ...dup, price: 2n }, ...others].map((t) => {
        const a = placeArgs(s, t);
        return placeOfferGrouped(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s));
      }),
    );
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.throws(() => {
      throw (results[1] as PromiseRejectedResult).reason;
    }, wampErr(INVALID, /^key_id: key with ID ".*" already offered$/));
    assert.equal(offerByKey(h.db, dup.keyId)?.price, dup.price);
    for (const t of others) assert.ok(offerByKey(h.db, t.keyId) !== undefined);
  });

  it('takes the seller identity from the call, not from provider_id', () => {
    const s = seller();
    const t = terms();
    const a = placeArgs(s, t);
    assert.throws(() => placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(undefined)), wampErr('wamp.error.not_authorized', 'not authenticated'));
    assert.throws(
      () => placeOffer(h.db, parsePlaceOfferArgs(a.args, { ...a.kwargs, provider_id: 'someone-else' }), ctxFor(s)),
      wampErr('wamp.error.not_authorized', 'provider_id'),
    );
    assert.throws(() => placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor({ authid: 'a.b', sessionId: 1 })), wampErr('wamp.error.not_authorized'));
    assert.equal(offerByKey(h.db, t.keyId), undefined);
    const noProvider = { ...a.kwargs };
    delete noProvider['provider_id'];
    assert.equal(placeOffer(h.db, parsePlaceOfferArgs(a.args, noProvider), ctxFor(s)).seller_authid, s.authid);
  });

  const timeCases: Array<[string, Partial<Parameters<typeof terms>[0]>, string]> = [
    ['valid_from more than 5 min ago', { validFrom: NOW - 5n * MIN - 1n }, 'valid_from: expected'],
    ['valid_from more than 24 h ahead', { validFrom: NOW + 24n * 60n * MIN + 1n }, 'valid_from: expected'],
    ['expires not after valid_from', { expires: NOW }, 'expires: expected a time after valid_from'],
    ['expires more than 24 h ahead', { expires: NOW + 24n * 60n * MIN + 1n }, 'expires: expected a time at most now + 24 h'],
    ['expires less than 5 min after valid_from', { expires: NOW + 5n * MIN - 1n }, 'expires: expected at least 5 min'],
  ];
  for (const [what, over, text] of timeCases) {
    it(`refuses ${what}`, () => {
      const s = seller();
      const t = terms(over);
      const a = placeArgs(s, t);
      assert.throws(() => placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s)), wampErr(INVALID, text));
      assert.equal(offerByKey(h.db, t.keyId), undefined);
    });
  }

  it('refuses an expires already past by the maker\'s clock, also just after a valid_from 5 min ago (the end is exclusive)', () => {
    const s = seller();
    for (const t of [terms({ validFrom: NOW - 5n * MIN, expires: NOW }), terms({ validFrom: NOW + 10n * MIN, expires: NOW - 1n })]) {
      const a = placeArgs(s, t);
      assert.throws(() => placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s)), wampErr(INVALID, /^expires: expected a time after valid_from and after now .*: already past by /));
      assert.equal(offerByKey(h.db, t.keyId), undefined);
    }
  });

  // A seller whose clock is off: the refusal names both clocks' times and how far apart they are.
  const skewCases: Array<[string, Partial<Parameters<typeof terms>[0]>, 'valid_from' | 'expires', RegExp]> = [
    [
      'valid_from stamped by a clock a day ahead',
      { validFrom: NOW + 24n * 60n * MIN + 5n * 1_000_000_000n },
      'valid_from',
      /^valid_from: expected 0 \(from now\) or a time between now - 5 min and now \+ 24 h \(now = 2025-10-09T08:53:20\.000000000Z by the market maker's clock\), got 2025-10-10T08:53:25\.000000000Z: 1 d 0 h after now; is the seller's clock ahead of the market maker's\?$/,
    ],
    [
      'valid_from stamped by a clock a day behind',
      { validFrom: NOW - 24n * 60n * MIN },
      'valid_from',
      /^valid_from: expected .* got 2025-10-08T08:53:20\.000000000Z: 1 d 0 h before now; is the seller's clock behind the market maker's\?$/,
    ],
    [
      'expires = own clock + 1 h on a clock a day behind (valid_from 0)',
      { validFrom: 0n, expires: NOW - 23n * 60n * MIN },
      'expires',
      /^expires: expected a time after valid_from and after now \(now = 2025-10-09T08:53:20\.000000000Z by the market maker's clock\), got 2025-10-08T09:53:20\.000000000Z: already past by 23 h 0 min; is the seller's clock behind the market maker's\?$/,
    ],
    [
      'expires = own clock + 1 h on a clock a day ahead (valid_from 0)',
      { validFrom: 0n, expires: NOW + 25n * 60n * MIN },
      'expires',
      /^expires: expected a time at most now \+ 24 h \(now = .*\), got 2025-10-10T09:53:20\.000000000Z: 1 d 1 h after now; is the seller's clock ahead of the market maker's\?$/,
    ],
    ['an expiry 4 min after valid_from 0', { validFrom: 0n, expires: NOW + 4n * MIN }, 'expires', /^expires: expected at least 5 min after valid_from \(0: now\), got .*: only 4 min 0 s after it$/],
  ];
  for (const [what, over, argument, text] of skewCases) {
    it(`refuses ${what}, naming the times`, () => {
      const s = seller();
      const t = terms(over);
      const a = placeArgs(s, t);
      let refused: unknown;
      assert.throws(
        () => placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s)),
        (e: unknown) => {
          refused = e;
          return wampErr(INVALID, text)(e);
        },
      );
      assert.deepEqual((refused as { kwargs?: unknown }).kwargs, { argument, now: NOW, [argument]: argument === 'valid_from' ? t.validFrom : t.expires });
      assert.equal(offerByKey(h.db, t.keyId), undefined);
    });
  }

  it('accepts the edges of the time windows', () => {
    const s = seller();
    for (const t of [terms({ validFrom: NOW - 5n * MIN }), terms({ validFrom: NOW + 24n * 60n * MIN }), terms({ expires: NOW + 5n * MIN }), terms({ validFrom: NOW - 5n * MIN, expires: NOW + 24n * 60n * MIN })]) {
      const a = placeArgs(s, t);
      assert.ok(placeOffer(h.db, parsePlaceOfferArgs(a.args, a.kwargs), ctxFor(s)));
    }
  });
});
