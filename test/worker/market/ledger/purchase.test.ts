import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Address, Hash32, Uuid } from '../../../../schema/codec/types.js';
import { unpackUint256 } from '../../../../schema/codec/uint256.js';
import { ChannelType } from '../../../../schema/db/records/channel.js';
import type { Offer } from '../../../../schema/db/records/offer.js';
import { TransactionState } from '../../../../schema/db/records/transaction.js';
import { recoverChannelClose, signChannelClose } from '../../../../schema/eip712/channelClose.js';
import { WampError } from '../../../../schema/errors.js';
import {
  applyChannelEvent,
  auditLedger,
  NO_PAYING_CHANNEL,
  reservePurchase,
  resolvePurchase,
  verifySellerSignature,
  type ReservePurchaseRequest,
} from '../../../../worker/market/ledger/index.js';
import { BLOCK, buyRequest, dump, freshDb, hex, MAKER, MARKET, newKey, openChannel, putOffer, rnd, tick, wamp, type Key } from './helpers.js';

const E18 = 10n ** 18n;
const PRICE = 35n * E18;
const DEPOSIT = 100n * E18;
const PAYING_DEPOSIT = 80n * E18;

let t: Awaited<ReturnType<typeof freshDb>>;
let buyer: Key;
let seller: Key;
let payment: Uuid;
let paying: Uuid;
let offer: Offer;

before(async () => {
  t = await freshDb();
});
after(async () => {
  await t.cleanup();
});
beforeEach(() => {
  buyer = newKey();
  seller = newKey();
  payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, DEPOSIT);
  paying = openChannel(t.db, ChannelType.PAYING, seller.address, PAYING_DEPOSIT);
  offer = putOffer(t.db, seller.address, PRICE);
});

describe('reservePurchase + resolvePurchase', () => {
  test('happy path: reserve moves the price into inflight on both legs, resolve moves it to spent', () => {
    const req = buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE });
    const r = reservePurchase(t.db, req);
    assert.deepEqual(t.db.paymentBalances.get(payment), { remaining: DEPOSIT - PRICE, inflight: PRICE, spent: 0n, seq: 2 });
    assert.deepEqual(t.db.payingBalances.get(paying), { remaining: PAYING_DEPOSIT - PRICE, inflight: PRICE, spent: 0n, seq: 2 });
    const tx = t.db.transactions.get(r.transaction.tid);
    assert.ok(tx);
    assert.equal(tx.state, TransactionState.INFLIGHT);
    assert.equal(tx.amount, PRICE);
    assert.equal(hex(tx.payment_channel), hex(payment));
    assert.equal(hex(tx.paying_channel), hex(paying));
    assert.equal(hex(tx.offer), hex(offer.offer));
    assert.equal(hex(tx.key), hex(offer.key));
    assert.equal(hex(tx.buyer_pubkey), hex(req.buyerPubkey));
    assert.equal(tx.created_payment_channel_seq, 1);
    assert.equal(tx.created_paying_channel_seq, 1);
    assert.equal(tx.payment_channel_after, DEPOSIT - PRICE);
    assert.equal(tx.paying_channel_after, PAYING_DEPOSIT - PRICE);
    assert.equal(hex(tx.payment_del_sig ?? new Uint8Array()), hex(req.signature));
    assert.equal(tx.created, req.now);
    // The messages: what the buyer signed (receipt) and what the maker signs for the seller.
    assert.equal(hex(recoverChannelClose(r.payment.message, req.signature)), hex(buyer.address));
    assert.deepEqual(
      { seq: r.paying?.message.channelSeq, balance: r.paying?.message.balance, ch: hex(r.paying?.message.channelId ?? new Uint8Array()), final: r.paying?.message.isFinal, closeAt: r.paying?.message.closeAt },
      { seq: 2, balance: PAYING_DEPOSIT - PRICE, ch: hex(paying), final: false, closeAt: BLOCK },
    );
    const sellerSig = signChannelClose(r.paying!.message, seller.priv);
    verifySellerSignature(r, sellerSig);
    assert.throws(() => verifySellerSignature(r, signChannelClose(r.paying!.message, newKey().priv)), wamp('xbr.error.invalid_signature'));
    assert.throws(() => verifySellerSignature(r, undefined), wamp('xbr.error.invalid_signature'));

    const done = resolvePurchase(t.db, r.transaction.tid, { ok: true, sellerSignature: sellerSig }, { now: tick() });
    assert.deepEqual(done.paymentBalance, { remaining: DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 });
    assert.deepEqual(t.db.payingBalances.get(paying), { remaining: PAYING_DEPOSIT - PRICE, inflight: 0n, spent: PRICE, seq: 2, sales: 1 });
    const stored = t.db.transactions.get(r.transaction.tid);
    assert.equal(stored?.state, TransactionState.SUCCESS);
    assert.equal(stored?.completed_payment_channel_seq, 2);
    assert.equal(hex(stored?.paying_del_sig ?? new Uint8Array()), hex(sellerSig));
    auditLedger(t.db);

    // The next purchase signs seq 3 over the new remaining.
    const r2 = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: DEPOSIT - 2n * PRICE }));
    assert.equal(r2.payment.balance.seq, 3);
    assert.equal(r2.paying?.balance.seq, 3);
    resolvePurchase(t.db, r2.transaction.tid, { ok: true });
    auditLedger(t.db);
  });

  test('buy without a channel id uses the delegate\'s active payment channel', () => {
    const req = buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE });
    const { paymentChannelId: _drop, ...noId } = req;
    const r = reservePurchase(t.db, noId);
    assert.equal(hex(r.payment.channel.channel_oid), hex(payment));
  });

  test('amount above the price: the price is charged and the signed balance must be remaining − price', () => {
    assert.throws(
      () => reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE - 1n, amount: PRICE + 1n })),
      wamp('xbr.error.unexpected_channel_balance'),
    );
    const r = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, amount: PRICE + 1n }));
    assert.equal(r.transaction.amount, PRICE);
  });

  test('failure refunds both legs and keeps the advanced seq; the next purchase signs seq + 1', () => {
    const r = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }));
    const f = resolvePurchase(t.db, r.transaction.tid, { ok: false, error: 'xbr.error.transaction_failed' });
    assert.deepEqual(f.paymentBalance, { remaining: DEPOSIT, inflight: 0n, spent: 0n, seq: 2, refunds: 1 });
    assert.deepEqual(f.payingBalance, { remaining: PAYING_DEPOSIT, inflight: 0n, spent: 0n, seq: 2, refunds: 1 });
    assert.equal(f.transaction.state, TransactionState.FAILED);
    assert.equal(f.transaction.error, 'xbr.error.transaction_failed');
    auditLedger(t.db);
    // The failed state's signature cannot be replayed, and the refunded state is next at seq 3.
    assert.throws(() => reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE })), wamp('xbr.error.unexpected_channel_seq'));
    const r2 = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: DEPOSIT - PRICE }));
    assert.equal(r2.payment.balance.remaining, DEPOSIT - PRICE);
  });

  test('the audit holds the sales and refunds counts to the transactions', () => {
    const sold = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }));
    resolvePurchase(t.db, sold.transaction.tid, { ok: true });
    const refunded = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: DEPOSIT - 2n * PRICE }));
    resolvePurchase(t.db, refunded.transaction.tid, { ok: false, error: 'xbr.error.transaction_failed' });
    const b = t.db.payingBalances.get(paying)!;
    assert.deepEqual([b.sales, b.refunds], [1, 1]);
    auditLedger(t.db);
    for (const wrong of [{ ...b, sales: 2 }, { ...b, refunds: 0 }]) {
      t.db.env.writeSync(() => t.db.payingBalances.put(paying, wrong));
      assert.throws(() => auditLedger(t.db), wamp('xbr.error.ledger_invariant'));
    }
    t.db.env.writeSync(() => t.db.payingBalances.put(paying, b));
    auditLedger(t.db);
  });

  test('resolving twice (or an unknown tid) is refused and changes nothing', () => {
    const r = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }));
    resolvePurchase(t.db, r.transaction.tid, { ok: true });
    const before = dump(t.db);
    assert.throws(() => resolvePurchase(t.db, r.transaction.tid, { ok: false, error: 'x.y' }), wamp('xbr.error.invalid_transaction'));
    assert.throws(() => resolvePurchase(t.db, r.transaction.tid, { ok: true }), wamp('xbr.error.invalid_transaction'));
    assert.throws(() => resolvePurchase(t.db, rnd(16) as Uuid, { ok: true }), wamp('crossbar.error.no_such_object'));
    assert.throws(() => resolvePurchase(t.db, r.transaction.tid, { ok: false, error: '' }), wamp('wamp.error.invalid_argument'));
    assert.deepEqual(dump(t.db), before);
  });

  test('free key: no paying channel needed; payment seq advances, nothing is charged', () => {
    const lonely = newKey();
    const free = putOffer(t.db, lonely.address, 0n);
    const r = reservePurchase(t.db, buyRequest({ offer: free, channelId: payment, buyer, seq: 2, balance: DEPOSIT, amount: 0n }));
    assert.equal(r.paying, undefined);
    assert.equal(hex(r.transaction.paying_channel), hex(NO_PAYING_CHANNEL));
    assert.deepEqual(t.db.paymentBalances.get(payment), { remaining: DEPOSIT, inflight: 0n, spent: 0n, seq: 2 });
    resolvePurchase(t.db, r.transaction.tid, { ok: true });
    auditLedger(t.db);
    // A free key of a seller with a paying channel advances that channel's seq at zero amount.
    const freeToo = putOffer(t.db, seller.address, 0n);
    const r2 = reservePurchase(t.db, buyRequest({ offer: freeToo, channelId: payment, buyer, seq: 3, balance: DEPOSIT, amount: 0n }));
    assert.deepEqual(r2.paying?.balance, { remaining: PAYING_DEPOSIT, inflight: 0n, spent: 0n, seq: 2 });
    resolvePurchase(t.db, r2.transaction.tid, { ok: false, error: 'xbr.error.transaction_failed' });
    auditLedger(t.db);
  });

  test('dynamic price: the quoted price is required and charged', () => {
    const dyn = putOffer(t.db, seller.address, null);
    assert.throws(() => reservePurchase(t.db, buyRequest({ offer: dyn, channelId: payment, buyer, seq: 2, balance: DEPOSIT - 5n, amount: 5n })), wamp('wamp.error.invalid_argument'));
    const r = reservePurchase(t.db, buyRequest({ offer: dyn, channelId: payment, buyer, seq: 2, balance: DEPOSIT - 5n, amount: 5n, extra: { price: 5n } }));
    assert.equal(r.price, 5n);
    assert.throws(
      () => reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: DEPOSIT - 5n - PRICE, extra: { price: PRICE - 1n } })),
      wamp('wamp.error.invalid_argument'),
    );
  });

  test('onReserve runs inside the transaction: its writes commit with the reservation, its throw aborts everything', () => {
    const counted = putOffer(t.db, seller.address, PRICE, { copies: 1, remaining: 1 });
    const take = (o: Offer): void => {
      if (o.remaining === 0) throw new WampError('xbr.error.offer_sold_out', 'sold out');
      t.db.offers.put(o.offer, { ...o, remaining: (o.remaining ?? 1) - 1 });
    };
    const r = reservePurchase(t.db, buyRequest({ offer: counted, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, extra: { onReserve: take } }));
    assert.equal(r.offer.remaining, 0);
    assert.equal(t.db.offers.get(counted.offer)?.remaining, 0);
    const before = dump(t.db);
    assert.throws(
      () => reservePurchase(t.db, buyRequest({ offer: counted, channelId: payment, buyer, seq: 3, balance: DEPOSIT - 2n * PRICE, extra: { onReserve: take } })),
      wamp('xbr.error.offer_sold_out'),
    );
    assert.deepEqual(dump(t.db), before);
  });
});

describe('every refusal changes nothing', () => {
  const cases: [string, string, () => ReservePurchaseRequest | (() => void)][] = [
    ['signed by someone else', 'xbr.error.invalid_signature', () => buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, signer: newKey() })],
    [
      'signed by another key that also claims to be delegate_adr',
      'xbr.error.invalid_signature',
      () => {
        const thief = newKey();
        return { ...buyRequest({ offer, channelId: payment, buyer: thief, seq: 2, balance: DEPOSIT - PRICE }), paymentChannelId: payment };
      },
    ],
    ['signature over another chain id', 'xbr.error.invalid_signature', () => buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, binding: { ...MARKET, chainId: 1n } })],
    ['signature over another market', 'xbr.error.invalid_signature', () => buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, binding: { ...MARKET, marketId: rnd(16) as Uuid } })],
    ['garbage signature', 'xbr.error.invalid_signature', () => ({ ...buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }), signature: rnd(65) as never })],
    ['seq not advanced (seq 1)', 'xbr.error.unexpected_channel_seq', () => buyRequest({ offer, channelId: payment, buyer, seq: 1, balance: DEPOSIT - PRICE })],
    ['seq gap', 'xbr.error.unexpected_channel_seq', () => buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: DEPOSIT - PRICE })],
    ['wrong balance', 'xbr.error.unexpected_channel_balance', () => buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE + 1n })],
    ['amount below price', 'xbr.error.insufficient_amount', () => buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, amount: PRICE - 1n })],
    [
      'payment balance too low',
      'xbr.error.insufficient_payment_balance',
      () => {
        const big = putOffer(t.db, seller.address, DEPOSIT + 1n);
        return buyRequest({ offer: big, channelId: payment, buyer, seq: 2, balance: 0n });
      },
    ],
    [
      'paying balance too low',
      'xbr.error.insufficient_paying_balance',
      () => {
        const big = putOffer(t.db, seller.address, PAYING_DEPOSIT + 1n);
        const rich = openChannel(t.db, ChannelType.PAYMENT, buyer.address, DEPOSIT * 10n);
        return buyRequest({ offer: big, channelId: rich, buyer, seq: 2, balance: DEPOSIT * 10n - PAYING_DEPOSIT - 1n });
      },
    ],
    [
      'seller without paying channel',
      'xbr.error.insufficient_paying_balance',
      () => buyRequest({ offer: putOffer(t.db, newKey().address, PRICE), channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }),
    ],
    [
      'payment channel closing on chain',
      'crossbar.error.no_such_object',
      () => {
        applyChannelEvent(t.db, { type: 'Closing', ctype: 1, marketId: MARKET.marketId, channelId: payment, blockNumber: 200n, txHash: rnd(32) as Hash32, payout: 0n, fee: 0n, refund: DEPOSIT, timeoutAt: 1640n }, { marketId: MARKET.marketId, now: tick() });
        return buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE });
      },
    ],
    [
      'payment channel closed',
      'crossbar.error.no_such_object',
      () => {
        applyChannelEvent(t.db, { type: 'Closed', ctype: 1, marketId: MARKET.marketId, channelId: payment, blockNumber: 200n, txHash: rnd(32) as Hash32, payout: 0n, fee: 0n, refund: DEPOSIT, closedAt: 200n }, { marketId: MARKET.marketId, now: tick() });
        return buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE });
      },
    ],
    ['unknown payment channel', 'crossbar.error.no_such_object', () => ({ ...buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }), paymentChannelId: rnd(16) as Uuid })],
    [
      'payment channel of another market',
      'crossbar.error.no_such_object',
      () => {
        const other = rnd(16) as Uuid;
        const ch = openChannel(t.db, ChannelType.PAYMENT, buyer.address, DEPOSIT, { marketId: other }); // ignored: another market
        return buyRequest({ offer, channelId: ch, buyer, seq: 2, balance: DEPOSIT - PRICE });
      },
    ],
    ['offer unknown', 'crossbar.error.no_such_object', () => buyRequest({ offer: { ...offer, offer: rnd(16) as Uuid }, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE })],
    [
      'offer revoked',
      'xbr.error.offer_revoked',
      () => {
        t.db.offers.put(offer.offer, { ...offer, revoked: tick() });
        return buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE });
      },
    ],
    ['closeAt far in the past', 'wamp.error.invalid_argument', () => buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, closeAt: BLOCK - 1441n })],
    ['closeAt far in the future', 'wamp.error.invalid_argument', () => buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, closeAt: BLOCK + 1441n })],
    ['closeAt 1 (the original\'s) on a chain past block 1441', 'wamp.error.invalid_argument', () => buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, closeAt: 1n })],
    ['negative amount', 'wamp.error.invalid_argument', () => ({ ...buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }), amount: -1n })],
    ['seq not a uint32', 'wamp.error.invalid_argument', () => ({ ...buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }), channelSeq: 2 ** 32 })],
    [
      'existing tid',
      'wamp.error.invalid_argument',
      () => {
        const r = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE }));
        return buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: DEPOSIT - 2n * PRICE, extra: { tid: r.transaction.tid } });
      },
    ],
  ];
  for (const [name, uri, make] of cases) {
    test(name, () => {
      const req = make();
      const before = dump(t.db);
      assert.throws(() => reservePurchase(t.db, req as ReservePurchaseRequest), wamp(uri));
      assert.deepEqual(dump(t.db), before);
      auditLedger(t.db);
    });
  }

  test('replaying an old signed purchase is refused', () => {
    const req = buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE });
    const r = reservePurchase(t.db, req);
    resolvePurchase(t.db, r.transaction.tid, { ok: true });
    const before = dump(t.db);
    for (const replay of [req, { ...req, now: tick() }]) assert.throws(() => reservePurchase(t.db, replay), wamp('xbr.error.unexpected_channel_seq'));
    assert.deepEqual(dump(t.db), before);
  });

  test('the refusal kwargs carry the maker\'s seq and remaining for a resync', () => {
    try {
      reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 5, balance: DEPOSIT - PRICE }));
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof WampError);
      assert.equal(e.kwargs['expected_seq'], 2);
      assert.equal(unpackUint256(e.kwargs['remaining'] as Uint8Array), DEPOSIT);
    }
  });

  test('a purchase uses the seller\'s active (oldest usable) paying channel and refuses if it is short', () => {
    // An older but empty paying channel is skipped; the next-oldest one is used.
    const s2 = newKey();
    const first = openChannel(t.db, ChannelType.PAYING, s2.address, 10n);
    const second = openChannel(t.db, ChannelType.PAYING, s2.address, PAYING_DEPOSIT);
    const o = putOffer(t.db, s2.address, 10n);
    const r = reservePurchase(t.db, buyRequest({ offer: o, channelId: payment, buyer, seq: 2, balance: DEPOSIT - 10n }));
    assert.equal(hex(r.paying!.channel.channel_oid), hex(first));
    resolvePurchase(t.db, r.transaction.tid, { ok: true });
    const r2 = reservePurchase(t.db, buyRequest({ offer: o, channelId: payment, buyer, seq: 3, balance: DEPOSIT - 20n }));
    assert.equal(hex(r2.paying!.channel.channel_oid), hex(second));
    // The active channel is short for a bigger price even though it is not empty: refused, nothing changed.
    const third = putOffer(t.db, s2.address, PAYING_DEPOSIT);
    const before = dump(t.db);
    assert.throws(() => reservePurchase(t.db, buyRequest({ offer: third, channelId: payment, buyer, seq: 4, balance: DEPOSIT - 20n - PAYING_DEPOSIT })), wamp('xbr.error.insufficient_paying_balance'));
    assert.deepEqual(dump(t.db), before);
  });
});

test('makers other than this one and other markets are ignored by applyChannelEvent (smoke)', () => {
  const other: Address = newKey().address;
  const id = rnd(16) as Uuid;
  const res = applyChannelEvent(
    t.db,
    { type: 'Opened', ctype: 1, marketId: MARKET.marketId, channelId: id, blockNumber: 1n, txHash: rnd(32) as Hash32, actor: other, delegate: other, marketmaker: other, recipient: other, amount: 1n },
    { marketId: MARKET.marketId, marketmaker: MAKER.address, now: tick() },
  );
  assert.equal(res, 'ignored');
  assert.equal(t.db.paymentChannels.get(id), undefined);
});
