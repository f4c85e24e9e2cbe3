import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WampError } from '../../../schema/errors.js';
import { channelsByDelegate, inflightTransactions, MakerIndex, offerByKey, openMakerDb, type MakerDb } from '../../../schema/db/maker-db.js';
import { openWorkerDb } from '../../../schema/db/worker-db.js';
import { initialBalance } from '../../../schema/db/records/balance.js';
import { ChannelState, ChannelType } from '../../../schema/db/records/channel.js';
import { TransactionState } from '../../../schema/db/records/transaction.js';
import { ActorType } from '../../../schema/db/records/chain.js';
import { addressOf, channel, hash, hex, offer, sig, tempDir, transaction, uuidOf } from './helpers.js';

const tmp = tempDir();
const path = join(tmp.dir, 'maker');
let db: MakerDb;
before(async () => {
  db = await openMakerDb({ path, ledgerDebug: false });
});
after(async () => {
  await db.close();
  tmp.cleanup();
});

test('offers: put/get, idx_offer_by_key unique, range', () => {
  const o = offer({ expires: 2n ** 62n, copies: 3, remaining: 3 });
  db.offers.put(o.offer, o);
  const got = db.offers.get(o.offer);
  assert.ok(got);
  assert.equal(got.price, o.price);
  assert.deepEqual(got.categories, { color: 'blue', a: 'b' });
  assert.equal(got.expires, 2n ** 62n);
  assert.equal(hex(offerByKey(db, o.key)?.offer ?? new Uint8Array()), hex(o.offer));
  assert.equal(offerByKey(db, uuidOf()), undefined);
  const dup = offer({ key: o.key });
  assert.throws(() => db.offers.put(dup.offer, dup), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage_duplicate');
  assert.equal(db.offers.count(), 1);
});

test('payment and paying channels: all fields, indexes by delegate/actor/recipient in time order', () => {
  const delegate = addressOf(0x00);
  const recipient = addressOf(0x01);
  const older = channel({ delegate, timestamp: 2n ** 53n + 1n });
  const newer = channel({ delegate, timestamp: 2n ** 60n });
  const oldest = channel({ delegate, timestamp: 2n ** 53n });
  db.env.writeSync(() => {
    for (const c of [older, newer, oldest]) {
      db.paymentChannels.put(c.channel_oid, c);
      db.paymentBalances.put(c.channel_oid, initialBalance(c.amount));
    }
  });
  assert.deepEqual(channelsByDelegate(db, ChannelType.PAYMENT, delegate).map((c) => c.timestamp), [2n ** 53n, 2n ** 53n + 1n, 2n ** 60n]);
  assert.equal(db.paymentChannels.byIndex(MakerIndex.paymentChannelByActor, { prefix: older.actor }).length, 1);
  const closing = {
    ...older,
    state: ChannelState.CLOSING,
    closing_at: 500n,
    close_channel_seq: 7,
    close_balance: 123n,
    close_is_final: true,
    close_mm_sig: sig(),
    close_del_sig: sig(),
    close_tx: hash(),
  };
  db.paymentChannels.put(older.channel_oid, closing);
  const closed = { ...closing, state: ChannelState.CLOSED, closed_at: 510n, closed_tx: hash() };
  db.paymentChannels.put(older.channel_oid, closed);
  const got = db.paymentChannels.get(older.channel_oid);
  assert.ok(got);
  assert.equal(got.state, ChannelState.CLOSED);
  assert.equal(got.close_balance, 123n);
  assert.equal(got.close_channel_seq, 7);
  assert.equal(got.closed_at, 510n);
  assert.equal(hex(got.open_sig ?? new Uint8Array()), hex(older.open_sig ?? new Uint8Array()));
  assert.equal(got.open_at, 100n);
  assert.deepEqual(db.paymentBalances.get(older.channel_oid), { remaining: 10n ** 21n, inflight: 0n, spent: 0n, seq: 1 });

  const paying = channel({ channel_type: ChannelType.PAYING, delegate, recipient });
  db.env.writeSync(() => {
    db.payingChannels.put(paying.channel_oid, paying);
    db.payingBalances.put(paying.channel_oid, initialBalance(paying.amount));
  });
  assert.equal(channelsByDelegate(db, ChannelType.PAYING, delegate).length, 1);
  assert.equal(db.payingChannels.byIndex(MakerIndex.payingChannelByRecipient, { prefix: recipient }).length, 1);
  assert.equal(db.payingBalances.get(paying.channel_oid)?.remaining, paying.amount);
  assert.equal(db.paymentChannels.get(paying.channel_oid), undefined, 'payment and paying tables are distinct');
});

test('transactions: both channel ids and state stored; idx_transaction_by_state holds the INFLIGHT ones only', () => {
  const t1 = transaction({ created: 3n });
  const t2 = transaction({ created: 1n });
  const t3 = transaction({ state: TransactionState.SUCCESS });
  db.env.writeSync(() => {
    for (const t of [t1, t2, t3]) db.transactions.put(t.tid, t);
  });
  const got = db.transactions.get(t1.tid);
  assert.ok(got);
  assert.equal(hex(got.payment_channel), hex(t1.payment_channel));
  assert.equal(hex(got.paying_channel), hex(t1.paying_channel));
  assert.notEqual(hex(got.payment_channel), hex(got.paying_channel));
  assert.equal(got.state, TransactionState.INFLIGHT);
  assert.deepEqual(inflightTransactions(db).map((t) => t.created), [1n, 3n]);
  const indexed = (): number => db.transactions.indexEntries(MakerIndex.transactionByState).length;
  const before = indexed();
  db.transactions.put(t1.tid, { ...t1, state: TransactionState.FAILED, completed: 9n, error: 'xbr.error.transaction_failed' });
  assert.deepEqual(inflightTransactions(db).map((t) => t.created), [1n]);
  assert.equal(indexed(), before - 1, 'a settled transaction leaves the index');
  assert.equal(db.transactions.get(t3.tid)?.state, TransactionState.SUCCESS, 'settled ones are still stored');
});

test('consents: 73-byte key, put/get', () => {
  const c = {
    market_oid: uuidOf(),
    member: addressOf(),
    delegate: addressOf(),
    delegate_type: ActorType.PROVIDER,
    catalog_oid: uuidOf(),
    timestamp: 5n,
    consent: true,
    service_prefix: 'com.example.',
    synced: false,
  };
  db.consents.put(c, c);
  assert.equal(db.consents.keyOf(c).length, 73);
  assert.equal(db.consents.get(c)?.service_prefix, 'com.example.');
});

test('ledger debug mode: a balance write breaking the invariant aborts its transaction', async () => {
  const debugPath = join(tmp.dir, 'debug');
  const d = await openMakerDb({ path: debugPath, ledgerDebug: true });
  try {
    assert.equal(d.ledgerDebug, true);
    const c = channel({ amount: 100n });
    assert.throws(() => d.paymentBalances.put(c.channel_oid, initialBalance(100n)), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.ledger_invariant' && /without its channel/.test(e.message));
    d.env.writeSync(() => {
      d.paymentChannels.put(c.channel_oid, c);
      d.paymentBalances.put(c.channel_oid, initialBalance(100n));
    });
    // reserve 10 (ok), then a bad write (sum off by one) rolls back the whole transaction incl. the transaction record
    d.paymentBalances.put(c.channel_oid, { remaining: 90n, inflight: 10n, spent: 0n, seq: 2 });
    const t = transaction();
    assert.throws(
      () =>
        d.env.writeSync(() => {
          d.transactions.put(t.tid, t);
          d.paymentBalances.put(c.channel_oid, { remaining: 80n, inflight: 10n, spent: 9n, seq: 3 });
        }),
      (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.ledger_invariant' && /amount 100 != remaining 80 \+ inflight 10 \+ spent 9/.test(e.message),
    );
    assert.equal(d.transactions.get(t.tid), undefined);
    assert.throws(() => d.paymentBalances.put(c.channel_oid, { remaining: 80n, inflight: 20n, spent: 0n, seq: 2 }), /without a seq advance/);
    assert.throws(() => d.paymentBalances.put(c.channel_oid, { remaining: 90n, inflight: 10n, spent: 0n, seq: 1 }), /seq must increase/);
    d.paymentBalances.put(c.channel_oid, { remaining: 90n, inflight: 0n, spent: 10n, seq: 2 }); // resolve keeps seq
    assert.deepEqual(d.paymentBalances.get(c.channel_oid), { remaining: 90n, inflight: 0n, spent: 10n, seq: 2 });
  } finally {
    await d.close();
  }
});

test('XBR_LEDGER_DEBUG=1 turns debug mode on by default', async () => {
  const prev = process.env['XBR_LEDGER_DEBUG'];
  process.env['XBR_LEDGER_DEBUG'] = '1';
  try {
    const d = await openMakerDb({ path: join(tmp.dir, 'envdebug') });
    assert.equal(d.ledgerDebug, true);
    await d.close();
  } finally {
    if (prev === undefined) delete process.env['XBR_LEDGER_DEBUG'];
    else process.env['XBR_LEDGER_DEBUG'] = prev;
  }
});

test('durability: maker DB reopened keeps every table and index; a worker DB path is refused', async () => {
  const counts = () => [db.offers.count(), db.paymentChannels.count(), db.payingChannels.count(), db.paymentBalances.count(), db.transactions.count(), db.consents.count()];
  const beforeCounts = counts();
  const inflightBefore = inflightTransactions(db).length;
  await db.close();
  db = await openMakerDb({ path, ledgerDebug: false });
  assert.deepEqual(counts(), beforeCounts);
  assert.equal(inflightTransactions(db).length, inflightBefore);
  await assert.rejects(openWorkerDb({ path }), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage_schema');
});
