/**
 * End to end offer procedures (docs/protocol.md#api-offers, events docs/protocol.md#maker-events) through the real edge, with plain wampy
 * sellers logged in as members (#2, the demo provider, and #4; ticket principals of the test config) and an
 * anonymous client that reads the public views (get_offer, query_offers, get_quote, the offer events) but may
 * not place or revoke offers.
 *
 * Error URIs of docs/protocol.md#api-offers still reachable, each asserted below: wamp.error.invalid_argument (naming the
 * argument: bad key_id, uri, expires, valid_from, duplicate key, query without api_id/seller_id),
 * xbr.error.invalid_signature (offer not signed by delegate_adr), wamp.error.not_authorized (provider_id is
 * not the caller; revoke by another seller; place or revoke by an anonymous session), crossbar.error.no_such_object (get_offer / revoke_offer /
 * get_quote of an unknown id or key), xbr.error.offer_revoked (get_quote, second revoke),
 * xbr.error.offer_sold_out (get_quote, part of the purchase test), xbr.error.transaction_failed (dynamic quote
 * the seller answers with junk). xbr.error.offer_expired needs ≥ 5 min (offer-book unit tests cover it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Wampy } from 'wampy';
import { packUint256, unpackUint256 } from '../../../schema/codec/uint256.js';
import { offerMessage, signOffer } from '../../../schema/eip712/offer.js';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import { addr, bytesOf, call, callError, e2eConfig, memberAuthidOf, randomWallet, sleep, TestSeller, uuid, world, XBR, type OfferResult, type QuoteResult, type World } from './offers-purchase-helpers.js';

const P = 'xbr.marketmaker.';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('offer procedures end to end', { timeout: 180_000 }, () => {
  let edge: MarketEdge;
  let w: World;
  let seller: TestSeller;
  let other: TestSeller;
  let client: Wampy;
  const placed: OfferResult[] = [];
  const revoked: OfferResult[] = [];

  before(async () => {
    edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_MM_SELLER_TIMEOUT_MS: '1500' } });
    client = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, client);
    seller = await TestSeller.start(w, 2, edge.account(5));
    other = await TestSeller.start(w, 4, randomWallet());
    await client.subscribe(`${P}on_offer_placed`, ((e: { argsList: unknown[] }) => placed.push(e.argsList[0] as OfferResult)) as never);
    await client.subscribe(`${P}on_offer_revoked`, ((e: { argsList: unknown[] }) => revoked.push(e.argsList[0] as OfferResult)) as never);
  });
  after(async () => {
    await edge?.stop();
  });

  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 100 && !cond(); i++) await sleep(50);
    assert.ok(cond(), 'event not received');
  };

  it('place_offer stores the offer under the caller\'s authid, publishes on_offer_placed; get_offer, query_offers and get_quote return it', async () => {
    const { keyId, offer } = await seller.offer({ price: 4n * XBR, copies: 3 });
    assert.equal(offer.seller_authid, memberAuthidOf(2));
    assert.equal(hex(offer.seller), hex(addr(edge.account(5))));
    assert.equal(offer.copies, 3);
    await until(() => placed.some((o) => hex(o.offer) === hex(offer.offer)));
    const got = await call<OfferResult>(client, `${P}get_offer`, [offer.offer]);
    assert.equal(hex(got.key), hex(keyId));
    assert.equal(unpackUint256(got.price!), 4n * XBR);
    const list = await call<OfferResult[]>(client, `${P}query_offers`, [w.apiId, 0], { limit: 1000 });
    assert.ok(list.some((o: { offer: Uint8Array }) => hex(o.offer) === hex(offer.offer)));
    const bySeller = await call<OfferResult[]>(client, `${P}query_offers`, [], { from_ts: 0, seller_id: addr(edge.account(5)), limit: 1000 });
    assert.ok(bySeller.every((o: { seller: Uint8Array }) => hex(o.seller) === hex(addr(edge.account(5)))));
    const q = await call<QuoteResult>(client, `${P}get_quote`, [keyId]);
    assert.equal(hex(q.key), hex(keyId));
    assert.equal(unpackUint256(q.price), 4n * XBR);
  });

  it('revoke_offer: only the seller may; the offer is kept, marked revoked, published, and no longer quoted', async () => {
    const { keyId, offer } = await seller.offer({ price: XBR });
    let e = await callError(other.session, `${P}revoke_offer`, [keyId]);
    assert.equal(e.errorUri, 'wamp.error.not_authorized');
    e = await callError(client, `${P}revoke_offer`, [keyId]);
    assert.equal(e.errorUri, 'wamp.error.not_authorized');
    assert.match(String(e.argsList?.[0]), /^xbr\.marketmaker\.revoke_offer is for market members: /);
    assert.equal((await call<QuoteResult>(client, `${P}get_quote`, [keyId])).key.length, 16); // still sellable after the refusals
    const r = await call<OfferResult>(seller.session, `${P}revoke_offer`, [keyId]);
    assert.equal(hex(r.offer), hex(offer.offer));
    await until(() => revoked.some((o) => hex(o.offer) === hex(offer.offer)));
    assert.equal((await callError(client, `${P}get_quote`, [keyId])).errorUri, 'xbr.error.offer_revoked');
    assert.equal((await callError(seller.session, `${P}revoke_offer`, [keyId])).errorUri, 'xbr.error.offer_revoked');
    assert.equal(hex((await call<OfferResult>(client, `${P}get_offer`, [offer.offer])).offer), hex(offer.offer));
    const list = await call<OfferResult[]>(client, `${P}query_offers`, [w.apiId, 0], { limit: 1000 });
    assert.ok(!list.some((o: { offer: Uint8Array }) => hex(o.offer) === hex(offer.offer)));
  });

  it('get_quote of a dynamically priced offer asks the seller; a junk answer is transaction_failed', async () => {
    seller.dynamicPrice = 9n * XBR;
    const { keyId } = await seller.offer({ price: null });
    assert.equal(unpackUint256((await call<QuoteResult>(client, `${P}get_quote`, [keyId])).price), 9n * XBR);
    seller.quoteMode = 'junk';
    try {
      assert.equal((await callError(client, `${P}get_quote`, [keyId])).errorUri, 'xbr.error.transaction_failed');
    } finally {
      seller.quoteMode = 'ok';
    }
  });

  it('refuses bad place_offer calls by argument name, and changes nothing', async () => {
    const delegate = edge.account(5);
    const keyId = uuid();
    const sign = (over: Record<string, unknown> = {}) =>
      signOffer(offerMessage({ ...w.binding, keyId, apiId: w.apiId, uri: 'xbr.demo.x', validFrom: 0n, delegate: addr(delegate), price: XBR, ...over }), bytesOf(delegate));
    const place = (args: unknown[], kwargs: Record<string, unknown> = { price: packUint256(XBR) }) => callError(seller.session, `${P}place_offer`, args, kwargs);
    const good = [keyId, w.apiId, 'xbr.demo.x', 0, addr(delegate), sign()];
    const named = async (args: unknown[], name: RegExp, kwargs?: Record<string, unknown>) => {
      const e = await place(args, kwargs);
      assert.equal(e.errorUri, 'wamp.error.invalid_argument', String(e.argsList?.[0]));
      assert.match(String(e.argsList?.[0]), name);
    };
    await named([new Uint8Array(15), ...good.slice(1)], /key_id/);
    await named([keyId, w.apiId, 'Not.A.Uri', ...good.slice(3)], /uri/);
    const now = BigInt(Date.now()) * 1_000_000n;
    await named([...good.slice(0, 3), now + 48n * 3600n * 10n ** 9n, ...good.slice(4)], /valid_from/);
    await named(good, /expires/, { price: packUint256(XBR), expires: 1 });
    const wrongSigner = [...good.slice(0, 5), signOffer(offerMessage({ ...w.binding, keyId, apiId: w.apiId, uri: 'xbr.demo.x', validFrom: 0n, delegate: addr(delegate), price: XBR }), bytesOf(randomWallet()))];
    assert.equal((await place(wrongSigner)).errorUri, 'xbr.error.invalid_signature');
    const foreign = await place(good, { price: packUint256(XBR), provider_id: memberAuthidOf(4) });
    assert.equal(foreign.errorUri, 'wamp.error.not_authorized');
    assert.match(String(foreign.argsList?.[0]), new RegExp(`^provider_id must be your authid ${memberAuthidOf(2)} `));
    // An anonymous session places no offers, whatever it signs.
    const anon = await callError(client, `${P}place_offer`, good, { price: packUint256(XBR) });
    assert.equal(anon.errorUri, 'wamp.error.not_authorized');
    assert.match(String(anon.argsList?.[0]), /^xbr\.marketmaker\.place_offer is for market members: /);
    await call(seller.session, `${P}place_offer`, good, { price: packUint256(XBR) });
    await named(good, /key_id/); // the same key again
    // query without api_id or seller_id
    const e = await callError(client, `${P}query_offers`, [null, 0]);
    assert.equal(e.errorUri, 'wamp.error.invalid_argument');
    assert.match(String(e.argsList?.[0]), /api_id/);
  });

  it('unknown ids are no_such_object', async () => {
    assert.equal((await callError(client, `${P}get_offer`, [uuid()])).errorUri, 'crossbar.error.no_such_object');
    assert.equal((await callError(seller.session, `${P}revoke_offer`, [uuid()])).errorUri, 'crossbar.error.no_such_object');
    assert.equal((await callError(client, `${P}get_quote`, [uuid()])).errorUri, 'crossbar.error.no_such_object');
    const e = await callError(client, `${P}get_offer`, [new Uint8Array(3)]);
    assert.equal(e.errorUri, 'wamp.error.invalid_argument');
    assert.match(String(e.argsList?.[0]), /offer_id/);
  });
});
