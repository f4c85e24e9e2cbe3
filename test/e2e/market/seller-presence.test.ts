/**
 * A seller that leaves: its offers are suspended — shown as such, refused by `get_quote` and `buy_key` with
 * `xbr.error.offer_suspended` before anything is reserved, so neither channel loses a seq and the seller is
 * not called — and sold again as soon as the seller has registered `sell` again. Real router, maker, chain.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import {
  addr,
  call,
  callError,
  connectMember,
  e2eConfig,
  openChannelOnChain,
  sleep,
  TestBuyer,
  TestSeller,
  untilKnown,
  world,
  XBR,
  type BalanceResult,
  type OfferResult,
  type World,
} from './offers-purchase-helpers.js';

const MM = 'xbr.marketmaker.';
const PRICE = 2n * XBR;
const SELLER_MEMBER = 2;

describe('a seller that leaves: its offers are suspended, then resumed', { timeout: 240_000 }, () => {
  let edge: MarketEdge;
  let w: World;
  let seller: TestSeller;
  let buyer: TestBuyer;
  let payingId: Uint8Array;

  before(async () => {
    edge = await startMarketEdge({ configure: e2eConfig });
    w = await world(edge, await edge.connect({ serializer: 'cbor' }));
    seller = await TestSeller.start(w, SELLER_MEMBER, edge.account(5));
    payingId = await openChannelOnChain(w, 2, 50n * XBR, addr(edge.account(5)));
    const paymentId = await openChannelOnChain(w, 1, 50n * XBR, addr(edge.account(6)));
    buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, 50n * XBR);
  });
  after(async () => {
    await edge?.stop();
  });

  it('suspends the offers of a seller that left, refuses them without reserving, and sells them once it is back', async () => {
    const first = await seller.offer({ price: PRICE });
    await untilKnown(() => buyer.buy(first.keyId, PRICE));
    const waiting = await seller.offer({ price: PRICE });
    const offerOf = async (): Promise<OfferResult> => call<OfferResult>(buyer.session, `${MM}get_offer`, [waiting.offer.offer]);
    assert.equal((await offerOf()).suspended, false);

    // the seller's session goes: the maker hears it leave
    await seller.session.disconnect();
    let suspended = false;
    for (let i = 0; i < 100 && !suspended; i++) {
      suspended = (await offerOf()).suspended;
      if (!suspended) await sleep(50);
    }
    assert.ok(suspended, 'get_offer shows the offer suspended');
    const listed = await call<OfferResult[]>(buyer.session, `${MM}query_offers`, [w.apiId, 0]);
    assert.equal(listed.find((o) => Buffer.from(o.key).equals(Buffer.from(waiting.keyId)))?.suspended, true);

    const sellerView = await connectMember(edge, SELLER_MEMBER);
    const paymentBefore = await call<BalanceResult>(buyer.session, `${MM}get_payment_channel_balance`, [buyer.channelId]);
    const payingBefore = await call<BalanceResult>(sellerView, `${MM}get_paying_channel_balance`, [payingId]);
    const sellCalls = seller.calls;

    const quote = await callError(buyer.session, `${MM}get_quote`, [waiting.keyId]);
    assert.equal(quote.errorUri, 'xbr.error.offer_suspended');
    const { args, kwargs } = await buyer.buyArgs(waiting.keyId, PRICE);
    const refused = await callError(buyer.session, `${MM}buy_key`, args, kwargs);
    assert.equal(refused.errorUri, 'xbr.error.offer_suspended');
    assert.match(String(refused.argsList?.[0]), /suspended: its seller member-0x[0-9a-f]{40} is not connected/);

    // nothing was reserved: both channels keep their seq and balance; the seller was not called
    assert.deepEqual(await call<BalanceResult>(buyer.session, `${MM}get_payment_channel_balance`, [buyer.channelId]), paymentBefore);
    assert.deepEqual(await call<BalanceResult>(sellerView, `${MM}get_paying_channel_balance`, [payingId]), payingBefore);
    assert.equal(seller.calls, sellCalls);

    // the seller is back (a new session registers sell): the same signed purchase goes through
    const back = await TestSeller.start(w, SELLER_MEMBER, edge.account(5));
    for (const [k, v] of seller.keys) back.keys.set(k, v);
    const bought = await buyer.buy(waiting.keyId, PRICE);
    assert.deepEqual(Buffer.from(bought.key), Buffer.from(waiting.key));
    assert.equal(bought.receipt.channel_seq, paymentBefore.seq + 1);
    assert.equal((await offerOf()).suspended, false);
  });
});
