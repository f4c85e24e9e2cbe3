/**
 * `findPurchaseReplay` on a real maker DB: the identical `buy_key` finds the purchase it made (SUCCESS with its
 * sealed key, FAILED with the refunded balance, INFLIGHT while it runs); any other
 * call is not a replay; a member that is not the channel's actor is refused; the lookup writes nothing; a
 * record written before the answer fields existed is not answered again; the answer survives a reopen.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Address, Signature65, Uuid } from '../../../../schema/codec/types.js';
import { MakerIndex } from '../../../../schema/db/maker-db.js';
import { ChannelType } from '../../../../schema/db/records/channel.js';
import type { Offer } from '../../../../schema/db/records/offer.js';
import { TransactionState, type Transaction } from '../../../../schema/db/records/transaction.js';
import {
  amountOffered,
  auditLedger,
  findPurchaseReplay,
  paymentAfterResolve,
  reservePurchase,
  resolvePurchase,
  type PurchaseReplayRequest,
  type ReservePurchaseRequest,
} from '../../../../worker/market/ledger/index.js';
import { buyRequest, dump, freshDb, hex, newKey, openChannel, putOffer, rnd, wamp, type Key } from './helpers.js';

const PRICE = 35n;
const DEPOSIT = 1000n;

let t: Awaited<ReturnType<typeof freshDb>>;
let buyer: Key;
let seller: Key;
let actor: Address;
let payment: Uuid;
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
  actor = rnd(20) as Address;
  payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, DEPOSIT, { actor });
  openChannel(t.db, ChannelType.PAYING, seller.address, DEPOSIT);
  offer = putOffer(t.db, seller.address, PRICE);
});

/** The replay request of the call `req` made (as the maker's boundary checks it). */
function asked(req: ReservePurchaseRequest, over: Partial<PurchaseReplayRequest> = {}): PurchaseReplayRequest {
  return {
    paymentChannelId: req.paymentChannelId as Uuid,
    channelSeq: req.channelSeq,
    buyerDelegate: req.buyerDelegate,
    buyerMember: actor,
    buyerPubkey: req.buyerPubkey,
    keyId: req.offer.key,
    amount: req.amount,
    balance: req.balance,
    signature: req.signature,
    closeAt: req.closeAt,
    ...over,
  };
}

/** A purchase at seq 2 resolved as SUCCESS with `sealed`. */
function sold(sealed: Uint8Array, amount = PRICE): { req: ReservePurchaseRequest; tid: Uuid } {
  const req = buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE, amount, extra: { buyerMember: actor } });
  const r = reservePurchase(t.db, req);
  resolvePurchase(t.db, r.transaction.tid, { ok: true, sealedKey: sealed });
  return { req, tid: r.transaction.tid };
}

describe('findPurchaseReplay', () => {
  test('the identical call finds its SUCCESS: sealed key and everything the receipt holds are in the record; nothing is written', () => {
    const sealed = rnd(80);
    const { req, tid } = sold(sealed, PRICE + 5n);
    const before = dump(t.db);
    const found = findPurchaseReplay(t.db, asked(req));
    assert.deepEqual(dump(t.db), before, 'the lookup writes nothing');
    assert.equal(found?.state, 'sold');
    if (found?.state !== 'sold') return;
    const tx = found.transaction;
    assert.equal(hex(tx.tid), hex(tid));
    assert.equal(hex(tx.sealed_key), hex(sealed));
    assert.equal(tx.close_at, req.closeAt);
    assert.equal(amountOffered(tx), PRICE + 5n, 'the amount the buyer offered, not the price');
    assert.equal(tx.amount, PRICE);
    assert.deepEqual(paymentAfterResolve(tx), { seq: 2, remaining: DEPOSIT - PRICE, inflight: 0n });
    // What the channel lock determines is not stored twice.
    assert.equal(tx.completed_payment_remaining, undefined);
    assert.equal(tx.completed_payment_inflight, undefined);
    assert.equal(hex(found.channel.delegate), hex(buyer.address));
    // The index maps (channel, seq) to this one transaction.
    const entries = t.db.transactions.indexEntries(MakerIndex.transactionByPaymentSeq).filter((e) => hex(e.primaryKey) === hex(tid));
    assert.equal(entries.length, 1);
    assert.equal(hex(entries[0]!.key.subarray(0, 20)), hex(payment) + '00000002');
    auditLedger(t.db);
  });

  test('anything not identical is not a replay (the normal refusal stands)', () => {
    const { req } = sold(rnd(80));
    const other = newKey();
    const changes: [string, Partial<PurchaseReplayRequest>][] = [
      ['balance', { balance: req.balance - 1n }],
      ['amount', { amount: req.amount + 1n }],
      ['close_at', { closeAt: req.closeAt - 1n }],
      ['signature', { signature: rnd(65) as Signature65 }],
      ['key_id', { keyId: rnd(16) as Uuid }],
      ['buyer_pubkey', { buyerPubkey: rnd(32) as never }],
      ['delegate_adr', { buyerDelegate: other.address }],
      ['an earlier seq', { channelSeq: 1 }],
      ['a seq not reached yet', { channelSeq: 3 }],
      ['another channel', { paymentChannelId: rnd(16) as Uuid }],
    ];
    for (const [what, change] of changes) assert.equal(findPurchaseReplay(t.db, asked(req, change)), undefined, what);
    assert.equal(findPurchaseReplay(t.db, asked(req))?.state, 'sold');
  });

  test('a member that is not the channel\'s actor gets not_authorized, not the sealed key', () => {
    const { req } = sold(rnd(80));
    assert.throws(() => findPurchaseReplay(t.db, asked(req, { buyerMember: rnd(20) as Address })), wamp('wamp.error.not_authorized'));
    // ...but only for the identical call: any other call by that member is simply not a replay.
    assert.equal(findPurchaseReplay(t.db, asked(req, { buyerMember: rnd(20) as Address, balance: 1n })), undefined);
  });

  test('INFLIGHT while the first call runs; FAILED gives the refunded balance (seq kept)', () => {
    const req = buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE });
    const r = reservePurchase(t.db, req);
    assert.equal(findPurchaseReplay(t.db, asked(req))?.state, 'inflight');
    resolvePurchase(t.db, r.transaction.tid, { ok: false, error: 'com.example.seller_broken' });
    const found = findPurchaseReplay(t.db, asked(req));
    assert.equal(found?.state, 'refunded');
    if (found?.state !== 'refunded') return;
    assert.equal(found.transaction.error, 'com.example.seller_broken');
    assert.deepEqual(paymentAfterResolve(found.transaction), { seq: 2, remaining: DEPOSIT, inflight: 0n }, 'the price back, the seq kept');
    assert.equal(found.transaction.sealed_key, undefined);
    auditLedger(t.db);
  });

  test('the buyer\'s amount is stored only when it is not the price', () => {
    const { tid } = sold(rnd(80));
    const tx = t.db.transactions.get(tid)!;
    assert.equal(tx.amount_offered, undefined);
    assert.equal(amountOffered(tx), PRICE);
  });

  test('a SUCCESS whose balance after is not the state the buyer signed is not answered (the first call signed no receipt either)', () => {
    const { req, tid } = sold(rnd(80));
    const tx = t.db.transactions.get(tid)!;
    t.db.env.writeSync(() => t.db.transactions.put(tid, { ...tx, completed_payment_remaining: DEPOSIT - PRICE - 1n }));
    assert.equal(findPurchaseReplay(t.db, asked(req)), undefined);
  });

  test('a SUCCESS without a sealed key, or a record from before the answer fields, is not answered again', () => {
    const req = buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: DEPOSIT - PRICE });
    const r = reservePurchase(t.db, req);
    resolvePurchase(t.db, r.transaction.tid, { ok: true });
    assert.equal(findPurchaseReplay(t.db, asked(req)), undefined);

    // An old record (no close_at, amount_offered, completed_payment_*): in the index (it used its seq; schema 2
    // indexes every transaction), but not answered again.
    const req2 = buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: DEPOSIT - 2n * PRICE });
    const r2 = reservePurchase(t.db, req2);
    resolvePurchase(t.db, r2.transaction.tid, { ok: true, sealedKey: rnd(80) });
    const { close_at: _c, ...old } = t.db.transactions.get(r2.transaction.tid) as Transaction;
    t.db.env.writeSync(() => t.db.transactions.put(r2.transaction.tid, old));
    assert.equal(t.db.transactions.indexEntries(MakerIndex.transactionByPaymentSeq).some((e) => hex(e.primaryKey) === hex(r2.transaction.tid)), true);
    assert.equal(findPurchaseReplay(t.db, asked(req2)), undefined);
    assert.equal(t.db.transactions.get(r2.transaction.tid)?.state, TransactionState.SUCCESS);
  });

  test('the answer is durable: found the same after the DB is reopened (a restarted maker)', async () => {
    const sealed = rnd(80);
    const { req, tid } = sold(sealed);
    await t.reopen();
    const found = findPurchaseReplay(t.db, asked(req));
    assert.equal(found?.state, 'sold');
    assert.equal(hex(found!.transaction.tid), hex(tid));
    assert.equal(hex((found as { transaction: { sealed_key: Uint8Array } }).transaction.sealed_key), hex(sealed));
  });
});
