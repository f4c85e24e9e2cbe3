/**
 * End to end `buy_key` (docs/protocol.md#buy-key; docs/protocol.md#differences) through the real edge: a plain wampy seller
 * (member #2, authid `member-0x…`, delegate = demo account #5, paying channel opened on chain by the market
 * owner) and buyer (a session of member #3, the payment channel's actor; delegate #6, payment channel opened
 * on chain by #3). Only the channel's actor may spend from it (docs/protocol.md#trust-model).
 *
 * Error URIs of docs/protocol.md#buy-key still reachable, each asserted below:
 *   wamp.error.invalid_argument (row 1; names the argument; also close_at out of window or after the current block),
 *   wamp.error.not_authorized (an anonymous session; a member that is not the payment channel's actor),
 *   xbr.error.invalid_signature (row 2: not the channel's delegate; row 14: bad seller signature),
 *   crossbar.error.no_such_object (row 5 unknown payment channel, row 8 no offer for the key),
 *   xbr.error.insufficient_amount (row 9), xbr.error.insufficient_payment_balance (row 10),
 *   xbr.error.insufficient_paying_balance (rows 11–12), seller's URI passed through (row 13),
 *   xbr.error.transaction_failed (row 15: timeout, unusable receipt),
 *   ours: xbr.error.unexpected_channel_seq / unexpected_channel_balance, xbr.error.offer_sold_out, xbr.error.offer_revoked.
 * Not reachable here: row 6 (channel not OPEN: needs a close; ledger tests cover it), rows 3/4 (gone), row 2b
 * (recovery failure is invalid_signature now), offer_expired / offer_not_yet_valid (need ≥ 5 min; offer-book tests).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Wampy } from 'wampy';
import { packUint256, unpackUint256 } from '../../../schema/codec/uint256.js';
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
  uuid,
  randomWallet,
  world,
  XBR,
  type BalanceResult,
  type CallError,
  type QuoteResult,
  type BuyKeyResult,
  type World,
} from './offers-purchase-helpers.js';

const BUY = 'xbr.marketmaker.buy_key';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** Byte equality whatever the container (Buffer from the decoder, Uint8Array from us). */
const sameBytes = (a: Uint8Array, b: Uint8Array): void => assert.equal(hex(a), hex(b));
const PAYMENT = 1000n * XBR;

describe('buy_key end to end', { timeout: 240_000 }, () => {
  let edge: MarketEdge;
  let w: World;
  let seller: TestSeller;
  let buyer: TestBuyer;
  let client: Wampy;

  before(async () => {
    edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_MM_SELLER_TIMEOUT_MS: '1500' } });
    client = await edge.connect({ serializer: 'cbor' });
    w = await world(edge, client);
    seller = await TestSeller.start(w, 2, edge.account(5));
    await openChannelOnChain(w, 2, 500n * XBR, addr(edge.account(5)));
    const paymentId = await openChannelOnChain(w, 1, PAYMENT, addr(edge.account(6)));
    // The payment channel's actor is #3: only its sessions may buy with it.
    buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, PAYMENT);
  });
  after(async () => {
    await edge?.stop();
  });

  it('sells keys in sequence: the decrypted key is the seller\'s, the receipt is maker-signed and matches the buyer\'s state', async () => {
    const offers: Awaited<ReturnType<TestSeller['offer']>>[] = [];
    for (let i = 0; i < 3; i++) offers.push(await seller.offer({ price: 5n * XBR }));
    const t0 = performance.now();
    const first = await untilKnown(() => buyer.buy(offers[0]!.keyId, 5n * XBR));
    sameBytes(first.key, offers[0]!.key);
    const times: number[] = [];
    for (const o of offers.slice(1)) {
      const s = performance.now();
      const { key, receipt } = await buyer.buy(o.keyId, 5n * XBR);
      times.push(performance.now() - s);
      sameBytes(key, o.key);
      assert.equal(receipt.channel_seq, buyer.seq);
      assert.equal(unpackUint256(receipt.remaining), buyer.remaining);
      assert.equal(unpackUint256(receipt.inflight), 0n);
      assert.equal(unpackUint256(receipt.amount_paid), 5n * XBR);
      assert.equal(receipt.free_rated, false);
      sameBytes(new Uint8Array(receipt.key_id), o.keyId);
      sameBytes(new Uint8Array(receipt.offer_id), new Uint8Array(o.offer.offer));
      sameBytes(buyer.signerOf(receipt.channel_seq, buyer.remaining, BigInt(receipt.close_at), receipt.signature), w.maker);
    }
    assert.equal(buyer.seq, 4);
    console.log(`buy_key_latency_ms ${times.map((t) => t.toFixed(1)).join(' ')} (first incl. replication wait ${(performance.now() - t0).toFixed(0)})`);
  });

  it('a replayed signed buy_key is answered again and changes nothing; another purchase at a used seq is refused', async () => {
    const o = await seller.offer({ price: XBR });
    const { args, kwargs } = await buyer.buyArgs(o.keyId, XBR);
    const receipt = await call<BuyKeyResult>(buyer.session, BUY, args, kwargs);
    buyer.seq += 1;
    buyer.remaining -= XBR;
    const calls = seller.calls;
    // The identical call (a buyer whose answer was lost) gets the same receipt, without a sale or a charge
    // (idempotent-purchase.test.ts covers it in full).
    const again = await call<BuyKeyResult>(buyer.session, BUY, args, kwargs);
    assert.equal(hex(again.signature), hex(receipt.signature));
    assert.equal(hex(again.sealed_key), hex(receipt.sealed_key));
    assert.equal(seller.calls, calls);
    // A different purchase signed at the used seq: refused, with the seq to sign next.
    const o2 = await seller.offer({ price: XBR });
    const stale = await buyer.buyArgs(o2.keyId, XBR, { seq: buyer.seq, balance: buyer.remaining });
    const e = await callError(buyer.session, BUY, stale.args, stale.kwargs);
    assert.equal(e.errorUri, 'xbr.error.unexpected_channel_seq');
    assert.equal(e.argsDict?.['expected_seq'], buyer.seq + 1);
    const b = await call<BalanceResult>(buyer.session, 'xbr.marketmaker.get_payment_channel_balance', [buyer.channelId]);
    assert.equal(b.seq, buyer.seq);
    assert.equal(unpackUint256(b.remaining), buyer.remaining);
    await buyer.buy(o2.keyId, XBR);
  });

  it('refuses a signature by a key that is not the channel\'s delegate, and bad arguments by name', async () => {
    const o = await seller.offer({ price: XBR });
    const stranger = randomWallet();
    let r = await buyer.buyArgs(o.keyId, XBR, { signer: stranger });
    assert.equal((await callError(buyer.session, BUY, r.args, r.kwargs)).errorUri, 'xbr.error.invalid_signature');
    // delegate_adr claims the stranger, signed by the stranger: still not the channel's delegate
    r = await buyer.buyArgs(o.keyId, XBR, { signer: stranger });
    r.args[0] = addr(stranger);
    assert.equal((await callError(buyer.session, BUY, r.args, r.kwargs)).errorUri, 'xbr.error.invalid_signature');
    r = await buyer.buyArgs(o.keyId, XBR);
    const bad = [...r.args];
    bad[0] = new Uint8Array(19);
    let e = await callError(buyer.session, BUY, bad, r.kwargs);
    assert.equal(e.errorUri, 'wamp.error.invalid_argument');
    assert.match(String(e.argsList?.[0]), /delegate_adr/);
    e = await callError(buyer.session, BUY, r.args, { close_at: BigInt(await edge.provider().getBlockNumber()) + 5000n });
    assert.equal(e.errorUri, 'wamp.error.invalid_argument');
    assert.match(String(e.argsList?.[0]), /close_at/);
    // A state signed for a block after the current one: the contract would refuse it until then.
    e = await callError(buyer.session, BUY, r.args, { close_at: BigInt(await edge.provider().getBlockNumber()) + 1n });
    assert.equal(e.errorUri, 'wamp.error.invalid_argument');
    assert.match(String(e.argsList?.[0]), /^close_at: .*not after the current block/);
    // unknown payment channel / unknown key
    const other = [...r.args];
    other[3] = uuid();
    assert.equal((await callError(buyer.session, BUY, other, r.kwargs)).errorUri, 'crossbar.error.no_such_object');
    const nokey = [...r.args];
    nokey[2] = uuid();
    assert.equal((await callError(buyer.session, BUY, nokey, r.kwargs)).errorUri, 'crossbar.error.no_such_object');
    // amount below the price; balance the ledger disagrees with; price above what the channel holds
    r = await buyer.buyArgs(o.keyId, XBR, { amount: XBR - 1n });
    assert.equal((await callError(buyer.session, BUY, r.args, r.kwargs)).errorUri, 'xbr.error.insufficient_amount');
    r = await buyer.buyArgs(o.keyId, XBR, { balance: buyer.remaining });
    assert.equal((await callError(buyer.session, BUY, r.args, r.kwargs)).errorUri, 'xbr.error.unexpected_channel_balance');
    const big = await seller.offer({ price: PAYMENT + XBR });
    r = await buyer.buyArgs(big.keyId, PAYMENT + XBR, { balance: 0n });
    assert.equal((await callError(buyer.session, BUY, r.args, r.kwargs)).errorUri, 'xbr.error.insufficient_payment_balance');
    // nothing of the above moved the ledger: the next purchase is the expected seq
    await buyer.buy(o.keyId, XBR);
  });

  it('only the payment channel\'s actor buys with it: an anonymous session and another member are refused, nothing moves', async () => {
    const o = await seller.offer({ price: XBR });
    const { args, kwargs } = await buyer.buyArgs(o.keyId, XBR);
    const calls = seller.calls;
    let e = await callError(client, BUY, args, kwargs);
    assert.equal(e.errorUri, 'wamp.error.not_authorized');
    assert.match(String(e.argsList?.[0]), /^xbr\.marketmaker\.buy_key is for market members: /);
    // The seller member #2 holds a correctly signed payment of #3's delegate: still not its channel.
    e = await callError(seller.session, BUY, args, kwargs);
    assert.equal(e.errorUri, 'wamp.error.not_authorized');
    assert.match(String(e.argsList?.[0]), /^payment channel "[0-9a-f-]{36}" is not yours: its actor is 0x[0-9a-f]{40}, the caller is member 0x[0-9a-f]{40}$/);
    assert.equal(seller.calls, calls, 'the seller was never asked');
    // The refused calls reserved nothing: the same signed payment now buys, at the expected seq.
    const sells = seller.sells;
    const receipt = await call<BuyKeyResult>(buyer.session, BUY, args, kwargs);
    buyer.seq += 1;
    buyer.remaining -= XBR;
    assert.equal(receipt.channel_seq, buyer.seq);
    assert.equal(unpackUint256(receipt.remaining), buyer.remaining);
    assert.equal(seller.sells, sells + 1);
    sameBytes(buyer.open(receipt.sealed_key), o.key);
  });

  it('of two concurrent buy_key with the same seq exactly one succeeds', async () => {
    const a = await seller.offer({ price: XBR });
    const b = await seller.offer({ price: XBR });
    const ra = await buyer.buyArgs(a.keyId, XBR);
    const rb = await buyer.buyArgs(b.keyId, XBR);
    const results = await Promise.allSettled([call(buyer.session, BUY, ra.args, ra.kwargs), call(buyer.session, BUY, rb.args, rb.kwargs)]);
    const ok = results.filter((x) => x.status === 'fulfilled');
    const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(failed.length, 1);
    assert.equal((failed[0]!.reason as { errorUri: string }).errorUri, 'xbr.error.unexpected_channel_seq');
    buyer.seq += 1;
    buyer.remaining -= XBR;
    const o = await seller.offer({ price: XBR });
    await buyer.buy(o.keyId, XBR);
  });

  const failedPurchase = async (mode: 'throw' | 'hang' | 'badsig' | 'junk', uri: string): Promise<void> => {
    const o = await seller.offer({ price: 2n * XBR });
    seller.mode = mode;
    const { args, kwargs } = await buyer.buyArgs(o.keyId, 2n * XBR);
    let e: CallError;
    try {
      e = await callError(buyer.session, BUY, args, kwargs);
    } finally {
      seller.mode = 'ok';
    }
    assert.equal(e.errorUri, uri);
    const k = e.argsDict ?? {};
    // refunded: remaining unchanged, seq advanced by one; the maker signed exactly that state
    assert.equal(Number(k['channel_seq']), buyer.seq + 1);
    assert.equal(unpackUint256(k['remaining'] as Uint8Array), buyer.remaining);
    sameBytes(buyer.signerOf(Number(k['channel_seq']), buyer.remaining, BigInt(k['close_at'] as bigint), k['signature'] as Uint8Array), w.maker);
    buyer.seq += 1;
    // the next purchase builds on the refunded state
    const next = await seller.offer({ price: 2n * XBR });
    const { key } = await buyer.buy(next.keyId, 2n * XBR);
    sameBytes(key, next.key);
  };

  it('a seller that throws: its error URI reaches the buyer, who is refunded with a maker-signed state', () => failedPurchase('throw', 'com.example.seller_broken'));
  it('a seller that does not answer in time: transaction_failed and refund', async () => {
    await failedPurchase('hang', 'xbr.error.transaction_failed');
    await sleep(3000); // let the late answer arrive and be dropped
  });
  it('a seller signature over another state: invalid_signature and refund', () => failedPurchase('badsig', 'xbr.error.invalid_signature'));
  it('a receipt without a sealed key: transaction_failed and refund', () => failedPurchase('junk', 'xbr.error.transaction_failed'));

  it('copies are enforced: the last copy sells, then offer_sold_out; a revoked offer is refused', async () => {
    const o = await seller.offer({ price: XBR, copies: 1 });
    await buyer.buy(o.keyId, XBR);
    const r = await buyer.buyArgs(o.keyId, XBR);
    assert.equal((await callError(buyer.session, BUY, r.args, r.kwargs)).errorUri, 'xbr.error.offer_sold_out');
    const v = await seller.offer({ price: XBR });
    await call(seller.session, 'xbr.marketmaker.revoke_offer', [v.keyId]);
    const rv = await buyer.buyArgs(v.keyId, XBR);
    assert.equal((await callError(buyer.session, BUY, rv.args, rv.kwargs)).errorUri, 'xbr.error.offer_revoked');
  });

  it('a free key from a seller without a paying channel sells; a priced one from it is insufficient_paying_balance', async () => {
    // Member #4 has no paying channel (nor has its fresh delegate).
    const free = await TestSeller.start(w, 4, randomWallet());
    const o = await free.offer({ price: 0n });
    const before = buyer.remaining;
    const { key, receipt } = await buyer.buy(o.keyId, 0n);
    sameBytes(key, o.key);
    assert.equal(receipt.free_rated, true);
    assert.equal(unpackUint256(receipt.remaining), before);
    assert.equal(free.seen[0]?.[3], null);
    const p = await free.offer({ price: XBR });
    const r = await buyer.buyArgs(p.keyId, XBR);
    assert.equal((await callError(buyer.session, BUY, r.args, r.kwargs)).errorUri, 'xbr.error.insufficient_paying_balance');
  });

  it('a dynamically priced key is charged the seller\'s quote', async () => {
    seller.dynamicPrice = 3n * XBR;
    const o = await seller.offer({ price: null });
    const q = await call<QuoteResult>(client, 'xbr.marketmaker.get_quote', [o.keyId]);
    assert.equal(unpackUint256(q.price), 3n * XBR);
    const { key, receipt } = await buyer.buy(o.keyId, 3n * XBR);
    sameBytes(key, o.key);
    sameBytes(new Uint8Array(receipt.amount_paid), new Uint8Array(packUint256(3n * XBR)));
  });

  it('a purchase that empties the payment channel publishes on_payment_channel_empty with its id', async () => {
    const empty: Uint8Array[] = [];
    await client.subscribe('xbr.marketmaker.on_payment_channel_empty', ((e: { argsList: unknown[] }) => void empty.push(e.argsList[0] as Uint8Array)) as never);
    const small = await openChannelOnChain(w, 1, 2n * XBR, addr(edge.account(6)));
    const b2 = new TestBuyer(w, buyer.session, edge.account(6), small, 2n * XBR);
    const o = await seller.offer({ price: 2n * XBR });
    await untilKnown(() => b2.buy(o.keyId, 2n * XBR));
    for (let i = 0; i < 100 && empty.length === 0; i++) await sleep(50);
    assert.deepEqual(empty.map(hex), [hex(small)]);
  });
});
