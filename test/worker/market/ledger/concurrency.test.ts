import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Signature65 } from '../../../../schema/codec/types.js';
import { ChannelType } from '../../../../schema/db/records/channel.js';
import { TransactionState } from '../../../../schema/db/records/transaction.js';
import { signChannelClose } from '../../../../schema/eip712/channelClose.js';
import { WampError } from '../../../../schema/errors.js';
import {
  auditLedger,
  inflightPurchases,
  KeyedMutex,
  reservePurchase,
  reservePurchaseBatched,
  resolvePurchaseBatched,
  runPurchase,
  type ReservedPurchase,
} from '../../../../worker/market/ledger/index.js';
import { buyRequest, dump, freshDb, newKey, openChannel, putOffer, wamp } from './helpers.js';

let t: Awaited<ReturnType<typeof freshDb>>;
before(async () => {
  t = await freshDb();
});
after(async () => {
  await t.cleanup();
});

const signAs = (priv: Uint8Array) => async (r: ReservedPurchase): Promise<{ sellerSignature: Signature65 }> => ({ sellerSignature: signChannelClose(r.paying!.message, priv) });

test('concurrent reservations with the same seq: exactly one succeeds', async () => {
  const buyer = newKey();
  const seller = newKey();
  const payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, 1000n);
  openChannel(t.db, ChannelType.PAYING, seller.address, 1000n);
  const offers = Array.from({ length: 8 }, () => putOffer(t.db, seller.address, 10n));
  const results = await Promise.allSettled(offers.map(async (offer) => reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: 990n }))));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') assert.ok(wamp('xbr.error.unexpected_channel_seq')(r.reason));
  assert.deepEqual(t.db.paymentBalances.get(payment), { remaining: 990n, inflight: 10n, spent: 0n, seq: 2 });
  // The same through runPurchase (the lock): still exactly one.
  const mutex = new KeyedMutex();
  const more = await Promise.allSettled(offers.map((offer) => runPurchase(t.db, mutex, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: 980n }), signAs(seller.priv))));
  assert.equal(more.filter((r) => r.status === 'fulfilled').length, 1);
  assert.equal(mutex.size, 0);
  auditLedger(t.db);
});

test('purchases on one channel run one at a time across the seller call; other channels run concurrently', async () => {
  const buyer = newKey();
  const seller = newKey();
  const payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, 1000n);
  openChannel(t.db, ChannelType.PAYING, seller.address, 1000n);
  const offer = putOffer(t.db, seller.address, 10n);
  const mutex = new KeyedMutex();
  const log: string[] = [];
  const slow = (name: string) => async (r: ReservedPurchase) => {
    log.push(`${name}:start`);
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
    log.push(`${name}:end`);
    return signAs(seller.priv)(r);
  };
  // The buyer signs two consecutive states ahead; the lock keeps them in order.
  const [a, b] = await Promise.all([
    runPurchase(t.db, mutex, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: 990n }), slow('a')),
    runPurchase(t.db, mutex, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: 980n }), slow('b')),
  ]);
  assert.deepEqual(log, ['a:start', 'a:end', 'b:start', 'b:end']);
  assert.equal(a.resolved.transaction.state, TransactionState.SUCCESS);
  assert.equal(b.resolved.paymentBalance.seq, 3);

  // Two buyers, two sellers: the second purchase completes while the first waits for it (no serialization).
  const [b1, b2, s1, s2] = [newKey(), newKey(), newKey(), newKey()];
  const p1 = openChannel(t.db, ChannelType.PAYMENT, b1.address, 100n);
  const p2 = openChannel(t.db, ChannelType.PAYMENT, b2.address, 100n);
  openChannel(t.db, ChannelType.PAYING, s1.address, 100n);
  openChannel(t.db, ChannelType.PAYING, s2.address, 100n);
  const o1 = putOffer(t.db, s1.address, 1n);
  const o2 = putOffer(t.db, s2.address, 1n);
  let releaseFirst!: () => void;
  const secondDone = new Promise<void>((res) => (releaseFirst = res));
  const first = runPurchase(t.db, mutex, buyRequest({ offer: o1, channelId: p1, buyer: b1, seq: 2, balance: 99n }), async (r) => {
    await secondDone; // would deadlock if purchases on different channels were serialized
    return signAs(s1.priv)(r);
  });
  await runPurchase(t.db, mutex, buyRequest({ offer: o2, channelId: p2, buyer: b2, seq: 2, balance: 99n }), signAs(s2.priv));
  releaseFirst();
  await first;
  assert.equal(mutex.size, 0);
  auditLedger(t.db);
});

test('runPurchase: a failing or lying seller is refunded and the error carries the resync state', async () => {
  const buyer = newKey();
  const seller = newKey();
  const payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, 100n);
  const paying = openChannel(t.db, ChannelType.PAYING, seller.address, 100n);
  const offer = putOffer(t.db, seller.address, 30n);
  const mutex = new KeyedMutex();
  await assert.rejects(
    runPurchase(t.db, mutex, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: 70n }), async () => {
      throw new Error('seller went away');
    }),
    (e: unknown) => {
      assert.ok(e instanceof WampError);
      assert.equal(e.uri, 'xbr.error.transaction_failed');
      assert.equal(e.kwargs['channel_seq'], 2);
      assert.equal(e.kwargs['remaining'], 100n);
      return true;
    },
  );
  await assert.rejects(
    runPurchase(t.db, mutex, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: 70n }), signAs(newKey().priv)),
    wamp('xbr.error.invalid_signature'),
  );
  await assert.rejects(
    runPurchase(t.db, mutex, buyRequest({ offer, channelId: payment, buyer, seq: 4, balance: 70n }), async () => {
      throw new WampError('xbr.error.unexpected_channel_seq', 'seller disagrees');
    }),
    wamp('xbr.error.unexpected_channel_seq'),
  );
  assert.deepEqual(t.db.paymentBalances.get(payment), { remaining: 100n, inflight: 0n, spent: 0n, seq: 4, refunds: 3 });
  assert.deepEqual(t.db.payingBalances.get(paying), { remaining: 100n, inflight: 0n, spent: 0n, seq: 4, refunds: 3 });
  assert.equal(inflightPurchases(t.db).filter((tx) => Buffer.from(tx.payment_channel).equals(Buffer.from(payment))).length, 0);
  // A refused reservation never calls the seller.
  let called = false;
  const before = dump(t.db);
  await assert.rejects(
    runPurchase(t.db, mutex, buyRequest({ offer, channelId: payment, buyer, seq: 4, balance: 70n }), async (r) => {
      called = true;
      return signAs(seller.priv)(r);
    }),
    wamp('xbr.error.unexpected_channel_seq'),
  );
  assert.equal(called, false);
  assert.deepEqual(dump(t.db), before);
  const ok = await runPurchase(t.db, mutex, buyRequest({ offer, channelId: payment, buyer, seq: 5, balance: 70n }), signAs(seller.priv));
  assert.equal(ok.resolved.paymentBalance.spent, 30n);
  assert.equal(mutex.size, 0);
  auditLedger(t.db);
});

test('KeyedMutex: releases on throw, multi-key calls do not deadlock, idle map is empty', async () => {
  const m = new KeyedMutex();
  await assert.rejects(m.run('a', () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(m.isLocked('a'), false);
  const order: string[] = [];
  const gate = (name: string) => async () => {
    order.push(`${name}+`);
    await new Promise((r) => setImmediate(r));
    order.push(`${name}-`);
  };
  await Promise.all([m.run(['x', 'y'], gate('xy')), m.run(['y', 'x'], gate('yx')), m.run('x', gate('x')), m.run('z', gate('z'))]);
  // xy and yx share keys: never interleaved; z is free to run alongside.
  assert.ok(order.indexOf('xy-') < order.indexOf('yx+'));
  assert.ok(order.indexOf('yx-') < order.indexOf('x+'));
  assert.equal(m.size, 0);
});

test('resolvePurchaseBatched: a reserve queued right behind the resolve (before it ran) sees it settled; a refused resolve rejects and changes nothing', async () => {
  const buyer = newKey();
  const seller = newKey();
  const payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, 1000n);
  openChannel(t.db, ChannelType.PAYING, seller.address, 1000n);
  const offer = putOffer(t.db, seller.address, 10n);
  const first = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: 990n }));
  const sig = signChannelClose(first.paying!.message, seller.priv);
  // Both queued in the same turn, nothing awaited in between: queue order decides what the reserve reads.
  const resolving = resolvePurchaseBatched(t.db, first.transaction.tid, { ok: true, sellerSignature: sig });
  const reserving = reservePurchaseBatched(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: 980n }));
  assert.equal(t.db.transactions.get(first.transaction.tid)?.state, TransactionState.INFLIGHT, 'nothing runs before the end of the turn');
  const [resolved, second] = await Promise.all([resolving, reserving]);
  assert.equal(resolved.transaction.state, TransactionState.SUCCESS);
  assert.deepEqual(resolved.paymentBalance, { remaining: 990n, inflight: 0n, spent: 10n, seq: 2, sales: 1 });
  assert.deepEqual(second.payment.balance, { remaining: 980n, inflight: 10n, spent: 10n, seq: 3, sales: 1 });

  // A resolve the ledger refuses (already resolved) rejects; the one queued behind it still commits.
  const before = dump(t.db);
  const again = resolvePurchaseBatched(t.db, first.transaction.tid, { ok: true, sellerSignature: sig });
  await assert.rejects(again, wamp('xbr.error.invalid_transaction'));
  assert.deepEqual(dump(t.db), before);
  await resolvePurchaseBatched(t.db, second.transaction.tid, { ok: false, error: 'xbr.error.transaction_failed' });
  auditLedger(t.db);
});

test('runPurchase: sales of one seller run in seq order and each reservation sees every earlier sale settled (locks released at the resolve)', async () => {
  const seller = newKey();
  openChannel(t.db, ChannelType.PAYING, seller.address, 1000n);
  const offer = putOffer(t.db, seller.address, 10n);
  const buyers = Array.from({ length: 6 }, () => newKey());
  const payments = buyers.map((b) => openChannel(t.db, ChannelType.PAYMENT, b.address, 100n));
  const mutex = new KeyedMutex();
  const seen: number[] = [];
  const results = await Promise.all(
    buyers.map((buyer, i) =>
      runPurchase(t.db, mutex, buyRequest({ offer, channelId: payments[i]!, buyer, seq: 2, balance: 90n }), async (r) => {
        seen.push(r.paying!.balance.seq);
        // every earlier sale of this seller is settled in the ledger when the next one is reserved
        assert.equal(r.paying!.balance.inflight, 10n);
        return signAs(seller.priv)(r);
      }),
    ),
  );
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  assert.equal(new Set(seen).size, buyers.length);
  for (const r of results) assert.equal(r.resolved.transaction.state, TransactionState.SUCCESS);
  assert.equal(mutex.size, 0);
  auditLedger(t.db);
});
