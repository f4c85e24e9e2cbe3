import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { offerByKey } from '../../../../schema/db/maker-db.js';
import type { Offer } from '../../../../schema/db/records/offer.js';
import {
  checkOfferBuyable,
  dynamicQuoteProcedure,
  getOffer,
  marshalOffer,
  offerRevokedEvent,
  parsePlaceOfferArgs,
  placeOffer,
  quoteFor,
  revokeOffer,
  takeCopy,
} from '../../../../worker/market/offers/index.js';
import { MIN, NOW, XBR, ctxFor, placeArgs, seller, tempMakerDb, terms, uuid, wampErr, type Seller, type Terms } from './helpers.js';

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

describe('getOffer', () => {
  it('returns the stored offer, or no_such_object', () => {
    const o = place(seller(), terms());
    assert.deepEqual(marshalOffer(getOffer(h.db, o.offer)), marshalOffer(o));
    assert.throws(() => getOffer(h.db, uuid()), wampErr('crossbar.error.no_such_object', 'no offer with ID'));
  });
});

describe('revokeOffer', () => {
  it('refuses anyone but the offering seller and changes nothing', () => {
    const s = seller();
    const t = terms({ expires: NOW + 60n * MIN });
    place(s, t);
    const before = offerByKey(h.db, t.keyId);
    const other = seller(2);
    assert.throws(() => revokeOffer(h.db, t.keyId, ctxFor(other, NOW + MIN)), wampErr('wamp.error.not_authorized', 'only the seller'));
    assert.throws(() => revokeOffer(h.db, t.keyId, ctxFor(undefined, NOW + MIN)), wampErr('wamp.error.not_authorized'));
    // Same delegate key, different authenticated session identity: still not the seller.
    assert.throws(() => revokeOffer(h.db, t.keyId, ctxFor({ authid: `${s.authid}x`, sessionId: s.sessionId }, NOW + MIN)), wampErr('wamp.error.not_authorized'));
    assert.deepEqual(offerByKey(h.db, t.keyId), before);
    assert.ok(checkOfferBuyable(h.db, t.keyId, { now: NOW + MIN }));
  });

  it('persists the revocation across a reopen, refuses a second one, and the offer can no longer be bought', async () => {
    const s = seller();
    const t = terms({ expires: NOW + 60n * MIN });
    place(s, t);
    const at = NOW + 2n * MIN;
    const r = revokeOffer(h.db, t.keyId, ctxFor(s, at));
    assert.equal(r.revoked, at);
    assert.equal(r.expires, at);
    const ev = offerRevokedEvent(r);
    assert.equal(ev.topic, 'xbr.marketmaker.on_offer_revoked');
    assert.equal(ev.args[0].revoked, at);
    const db = await h.reopen();
    const stored = offerByKey(db, t.keyId);
    assert.equal(stored?.revoked, at);
    assert.equal(stored?.expires, at);
    assert.throws(() => revokeOffer(db, t.keyId, ctxFor(s, at + 1n)), wampErr('xbr.error.offer_revoked', 'was revoked'));
    assert.throws(() => checkOfferBuyable(db, t.keyId, { now: at }), wampErr('xbr.error.offer_revoked'));
    assert.throws(() => quoteFor(db, t.keyId, { now: at }), wampErr('xbr.error.offer_revoked'));
  });

  it('keeps an earlier expiry and reports unknown keys', () => {
    const s = seller();
    const t = terms({ expires: NOW + 10n * MIN });
    place(s, t);
    assert.equal(revokeOffer(h.db, t.keyId, ctxFor(s, NOW + 20n * MIN)).expires, NOW + 10n * MIN);
    assert.throws(() => revokeOffer(h.db, uuid(), ctxFor(s)), wampErr('crossbar.error.no_such_object', 'no offer for key with ID'));
  });
});

describe('quoteFor', () => {
  it('quotes a static price with expires 0 for "never", and a free offer', () => {
    const s = seller();
    const t = terms({ price: 7n * XBR });
    place(s, t);
    const q = quoteFor(h.db, t.keyId, { now: NOW + 1n });
    assert.equal(q.kind, 'static');
    if (q.kind !== 'static') return;
    assert.equal(q.quote.timestamp, NOW + 1n);
    assert.deepEqual(q.quote.key, t.keyId);
    assert.equal(Buffer.from(q.quote.price).toString('hex'), (7n * XBR).toString(16).padStart(64, '0'));
    assert.equal(q.quote.expires, 0n);
    const free = terms({ price: 0n, expires: NOW + 6n * MIN });
    place(s, free);
    const fq = quoteFor(h.db, free.keyId, { now: NOW });
    assert.ok(fq.kind === 'static' && fq.quote.price.every((b) => b === 0) && fq.quote.expires === NOW + 6n * MIN);
  });

  it('points a dynamic price at the seller procedure', () => {
    const s = seller();
    const t = terms({ price: null });
    const o = place(s, t);
    const q = quoteFor(h.db, t.keyId, { now: NOW });
    assert.equal(q.kind, 'dynamic');
    assert.equal(q.kind === 'dynamic' ? q.procedure : '', `xbr.provider.${s.authid}.get_quote`);
    assert.equal(dynamicQuoteProcedure(o), `xbr.provider.${s.authid}.get_quote`);
  });

  it('refuses unknown, expired and not yet valid offers', () => {
    const s = seller();
    assert.throws(() => quoteFor(h.db, uuid(), { now: NOW }), wampErr('crossbar.error.no_such_object', 'no offer for key'));
    const t = terms({ expires: NOW + 10n * MIN });
    place(s, t);
    assert.equal(quoteFor(h.db, t.keyId, { now: NOW + 10n * MIN - 1n }).kind, 'static');
    assert.throws(() => quoteFor(h.db, t.keyId, { now: NOW + 10n * MIN }), wampErr('xbr.error.offer_expired', 'already expired'));
    const later = terms({ validFrom: NOW + 60n * MIN });
    place(s, later);
    assert.throws(() => quoteFor(h.db, later.keyId, { now: NOW }), wampErr('xbr.error.offer_not_yet_valid'));
    assert.equal(quoteFor(h.db, later.keyId, { now: NOW + 60n * MIN }).kind, 'static');
  });
});

describe('checkOfferBuyable and takeCopy', () => {
  it('sells exactly `copies` copies, durably, then refuses', async () => {
    const s = seller();
    const t = terms({ copies: 2 });
    const o = place(s, t);
    assert.throws(() => takeCopy(h.db, o), wampErr('wamp.error.runtime_error', 'inside a write transaction'));
    assert.equal(offerByKey(h.db, t.keyId)?.remaining, 2);
    const stale = checkOfferBuyable(h.db, t.keyId, { now: NOW });
    assert.equal(h.db.env.writeSync(() => takeCopy(h.db, stale)).remaining, 1);
    // The same stale record again: takeCopy re-reads inside the transaction, so it cannot oversell.
    assert.equal(h.db.env.writeSync(() => takeCopy(h.db, stale)).remaining, 0);
    assert.throws(() => h.db.env.writeSync(() => takeCopy(h.db, stale)), wampErr('xbr.error.offer_sold_out'));
    const db = await h.reopen();
    assert.equal(offerByKey(db, t.keyId)?.remaining, 0);
    assert.throws(() => checkOfferBuyable(db, t.keyId, { now: NOW }), wampErr('xbr.error.offer_sold_out'));
    assert.throws(() => quoteFor(db, t.keyId, { now: NOW }), wampErr('xbr.error.offer_sold_out'));
  });

  it('rolls the copy back when the surrounding transaction fails', () => {
    const s = seller();
    const t = terms({ copies: 1 });
    const o = place(s, t);
    assert.throws(() =>
      h.db.env.writeSync(() => {
        takeCopy(h.db, o);
        throw new Error('seller call failed');
      }),
    );
    assert.equal(offerByKey(h.db, t.keyId)?.remaining, 1);
  });

  it('leaves offers without copies unlimited', () => {
    const s = seller();
    const t = terms();
    const o = place(s, t);
    for (let i = 0; i < 3; i++) assert.equal(h.db.env.writeSync(() => takeCopy(h.db, o)).remaining, undefined);
    assert.ok(checkOfferBuyable(h.db, t.keyId, { now: NOW }));
  });
});
