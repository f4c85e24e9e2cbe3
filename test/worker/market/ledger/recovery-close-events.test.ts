import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Hash32, Uuid } from '../../../../schema/codec/types.js';
import { ChannelState, ChannelType } from '../../../../schema/db/records/channel.js';
import { TransactionState } from '../../../../schema/db/records/transaction.js';
import { signChannelClose } from '../../../../schema/eip712/channelClose.js';
import {
  applyChannelEvent,
  auditLedger,
  checkCooperativeClose,
  getActiveChannelWire,
  getChannelBalanceWire,
  getChannelsByActor,
  getChannelsByDelegate,
  getChannelWire,
  inflightPurchases,
  recoverInflight,
  reservePurchase,
  resolvePurchase,
  type ChannelEvent,
} from '../../../../worker/market/ledger/index.js';
import { BLOCK, buyRequest, dump, freshDb, hex, MAKER, MARKET, newKey, openChannel, putOffer, rnd, tick, wamp } from './helpers.js';
import { channelCloseMessage } from '../../../../schema/eip712/index.js';

let t: Awaited<ReturnType<typeof freshDb>>;
before(async () => {
  t = await freshDb();
});
after(async () => {
  await t.cleanup();
});

test('crash between reserve and resolve: INFLIGHT survives a reopen and is recovered before serving', async () => {
  const buyer = newKey();
  const seller = newKey();
  const payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, 100n);
  const paying = openChannel(t.db, ChannelType.PAYING, seller.address, 100n);
  const offer = putOffer(t.db, seller.address, 10n);
  const r1 = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: 90n }));
  const r2 = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: 80n }));
  const r3 = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 4, balance: 70n }));
  const db = await t.reopen();
  assert.deepEqual(inflightPurchases(db).map((tx) => hex(tx.tid)), [r1, r2, r3].map((r) => hex(r.transaction.tid)));
  auditLedger(db);
  const asked: string[] = [];
  const resolved = await recoverInflight(db, async (tx) => {
    asked.push(hex(tx.tid));
    if (hex(tx.tid) === hex(r1.transaction.tid)) return { ok: true };
    if (hex(tx.tid) === hex(r2.transaction.tid)) return { ok: false, error: 'xbr.error.transaction_failed' };
    throw new Error('seller unreachable');
  });
  assert.equal(asked.length, 3);
  assert.deepEqual(resolved.map((r) => r.transaction.state), [TransactionState.SUCCESS, TransactionState.FAILED, TransactionState.FAILED]);
  assert.equal(inflightPurchases(db).length, 0);
  assert.deepEqual(db.paymentBalances.get(payment), { remaining: 90n, inflight: 0n, spent: 10n, seq: 4, sales: 1, refunds: 2 });
  assert.deepEqual(db.payingBalances.get(paying), { remaining: 90n, inflight: 0n, spent: 10n, seq: 4, sales: 1, refunds: 2 });
  auditLedger(db);
  // Nothing left to do on a second run.
  assert.deepEqual(await recoverInflight(db, () => ({ ok: true })), []);
});

test('chain events are idempotent and scoped to this market and maker', () => {
  const delegate = newKey().address;
  const channelId = rnd(16) as Uuid;
  const base = { ctype: 1, marketId: MARKET.marketId, channelId, txHash: rnd(32) as Hash32 };
  const opened: ChannelEvent = { ...base, type: 'Opened', blockNumber: 10n, actor: delegate, delegate, marketmaker: MAKER.address, recipient: delegate, amount: 50n, signature: rnd(65) };
  const ctx = { marketId: MARKET.marketId, marketmaker: MAKER.address, now: tick() };
  assert.equal(applyChannelEvent(t.db, opened, ctx), 'created');
  const ch = t.db.paymentChannels.get(channelId);
  assert.equal(ch?.state, ChannelState.OPEN);
  assert.equal(ch?.open_at, 10n);
  assert.deepEqual(t.db.paymentBalances.get(channelId), { remaining: 50n, inflight: 0n, spent: 0n, seq: 1 });
  let before = dump(t.db);
  assert.equal(applyChannelEvent(t.db, opened, { ...ctx, now: tick() }), 'unchanged');
  assert.equal(applyChannelEvent(t.db, { ...opened, ctype: 2 }, ctx), 'unchanged'); // same id as paying: never a second record
  assert.equal(applyChannelEvent(t.db, { ...opened, marketId: rnd(16) as Uuid }, ctx), 'ignored');
  assert.equal(applyChannelEvent(t.db, { ...opened, channelId: rnd(16) as Uuid, marketmaker: newKey().address }, ctx), 'ignored');
  assert.deepEqual(dump(t.db), before);
  const closing: ChannelEvent = { ...base, type: 'Closing', blockNumber: 20n, payout: 10n, fee: 0n, refund: 40n, timeoutAt: 1460n, seq: 3 };
  assert.equal(applyChannelEvent(t.db, closing, ctx), 'updated');
  before = dump(t.db);
  assert.equal(applyChannelEvent(t.db, closing, ctx), 'unchanged');
  assert.deepEqual(dump(t.db), before);
  const c2 = t.db.paymentChannels.get(channelId);
  assert.deepEqual([c2?.state, c2?.close_balance, c2?.close_channel_seq, c2?.closing_at, c2?.timeout], [ChannelState.CLOSING, 40n, 3, 20n, 1440]);
  const closed: ChannelEvent = { ...base, type: 'Closed', blockNumber: 1500n, payout: 10n, fee: 0n, refund: 40n, closedAt: 1500n };
  assert.equal(applyChannelEvent(t.db, closed, ctx), 'updated');
  before = dump(t.db);
  assert.equal(applyChannelEvent(t.db, closed, ctx), 'unchanged');
  assert.equal(applyChannelEvent(t.db, closing, ctx), 'unchanged'); // a redelivered Closing never reopens a CLOSED channel
  assert.equal(applyChannelEvent(t.db, opened, ctx), 'unchanged');
  assert.deepEqual(dump(t.db), before);
  assert.equal(t.db.paymentChannels.get(channelId)?.state, ChannelState.CLOSED);
  assert.equal(applyChannelEvent(t.db, { ...closed, channelId: rnd(16) as Uuid }, ctx), 'ignored'); // unknown channel
  assert.throws(() => applyChannelEvent(t.db, { ...opened, channelId: rnd(16) as Uuid, ctype: 3 }, ctx), wamp('wamp.error.invalid_argument'));
  auditLedger(t.db);
});

test('cooperative close: refused unless it matches the ledger and nothing is in flight; then CLOSING blocks purchases', () => {
  const buyer = newKey();
  const seller = newKey();
  const payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, 100n);
  openChannel(t.db, ChannelType.PAYING, seller.address, 100n);
  const offer = putOffer(t.db, seller.address, 10n);
  const close = (seq: number, balance: bigint, signer = buyer.priv, closeAt = BLOCK, isFinal = true) => ({
    ...MARKET,
    seq,
    balance,
    isFinal,
    closeAt,
    currentBlock: BLOCK,
    delegateSignature: signChannelClose(channelCloseMessage(MARKET, closeAt, payment, seq, balance, isFinal), signer),
  });
  const r = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: 90n }));
  const refusals: [ReturnType<typeof close>, string, Uuid?][] = [
    [close(2, 90n), 'xbr.error.purchase_in_flight'],
    [close(2, 90n, newKey().priv), 'xbr.error.invalid_signature'],
    [close(2, 90n), 'xbr.error.invalid_channel', rnd(16) as Uuid],
    [close(2, 90n, buyer.priv, BLOCK + 1n), 'wamp.error.invalid_argument'],
    [close(2, 90n, buyer.priv, BLOCK - 1441n), 'wamp.error.invalid_argument'],
  ];
  for (const [req, uri, id] of refusals) {
    const before = dump(t.db);
    assert.throws(() => checkCooperativeClose(t.db, id ?? payment, req), wamp(uri));
    assert.deepEqual(dump(t.db), before);
  }
  resolvePurchase(t.db, r.transaction.tid, { ok: true });
  for (const [req, uri] of [
    [close(1, 100n), 'xbr.error.unexpected_channel_seq'],
    [close(3, 80n), 'xbr.error.unexpected_channel_seq'],
    [close(2, 91n), 'xbr.error.unexpected_channel_balance'],
    [close(2, 100n), 'xbr.error.unexpected_channel_balance'],
  ] as const) {
    const before = dump(t.db);
    assert.throws(() => checkCooperativeClose(t.db, payment, req), wamp(uri));
    assert.deepEqual(dump(t.db), before);
  }
  const d = checkCooperativeClose(t.db, payment, close(2, 90n));
  assert.equal(d.type, ChannelType.PAYMENT);
  assert.equal(d.message.channelSeq, 2);
  const stored = t.db.paymentChannels.get(payment);
  assert.deepEqual([stored?.state, stored?.close_channel_seq, stored?.close_balance, stored?.close_is_final, stored?.closing_at], [ChannelState.CLOSING, 2, 90n, true, BLOCK]);
  assert.throws(() => checkCooperativeClose(t.db, payment, close(2, 90n)), wamp('xbr.error.channel_not_open'));
  assert.throws(() => reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 3, balance: 80n })), wamp('crossbar.error.no_such_object'));
  auditLedger(t.db);
});

test('getters: shapes of docs/protocol.md#api-channels, active channel of docs/protocol.md#active-channel, error URIs', () => {
  const d = newKey();
  const actor = newKey().address;
  const empty = openChannel(t.db, ChannelType.PAYMENT, d.address, 5n, { actor });
  const mid = openChannel(t.db, ChannelType.PAYMENT, d.address, 50n, { actor });
  const young = openChannel(t.db, ChannelType.PAYMENT, d.address, 70n, { actor });
  // Spend `empty` completely so it is no longer usable.
  const seller = newKey();
  openChannel(t.db, ChannelType.PAYING, seller.address, 100n);
  const r = reservePurchase(t.db, buyRequest({ offer: putOffer(t.db, seller.address, 5n), channelId: empty, buyer: d, seq: 2, balance: 0n }));
  resolvePurchase(t.db, r.transaction.tid, { ok: true });
  const active = getActiveChannelWire(t.db, ChannelType.PAYMENT, d.address);
  assert.equal(hex(active!.channel_oid), hex(mid));
  assert.equal(getActiveChannelWire(t.db, ChannelType.PAYING, d.address), null);
  assert.deepEqual(getChannelsByDelegate(t.db, d.address, 1).map(hex), [mid, young].map(hex));
  assert.deepEqual(getChannelsByDelegate(t.db, d.address, 1, false).map(hex), [empty, mid, young].map(hex));
  assert.deepEqual(getChannelsByActor(t.db, actor, 1, false).map(hex), [empty, mid, young].map(hex));
  assert.deepEqual(getChannelsByActor(t.db, actor, 2, false), []);
  assert.throws(() => getChannelsByDelegate(t.db, d.address, 3), wamp('xbr.marketmaker.error.invalid_channel_type'));
  assert.throws(() => getChannelsByDelegate(t.db, new Uint8Array(19), 1), wamp('xbr.marketmaker.error.invalid_delegate_adr'));
  assert.throws(() => getChannelsByActor(t.db, new Uint8Array(21), 2), wamp('xbr.marketmaker.error.invalid_member_adr'));
  assert.throws(() => getChannelWire(t.db, 1, rnd(16)), wamp('crossbar.error.no_such_object'));
  assert.throws(() => getChannelBalanceWire(t.db, 2, mid), wamp('crossbar.error.no_such_object')); // a payment channel is not a paying one
  assert.throws(() => getChannelWire(t.db, 1, rnd(20)), wamp('wamp.error.invalid_argument'));
  const wire = getChannelWire(t.db, 1, mid);
  assert.deepEqual(Object.keys(wire).sort(), [
    'actor', 'amount', 'channel_oid', 'channel_type', 'close_balance', 'close_channel_seq', 'close_del_sig', 'close_is_final', 'close_mm_sig',
    'closed_at', 'closed_tx', 'closing_at', 'delegate', 'market_oid', 'marketmaker', 'member_oid', 'open_at', 'recipient', 'seq', 'state', 'timeout', 'timestamp',
  ]);
  assert.equal(wire.amount.length, 32);
  assert.equal(Buffer.from(wire.amount).readBigUInt64BE(24), 50n);
  assert.equal(wire.close_balance.length, 32);
  assert.equal(wire.state, 1);
  assert.equal(wire.channel_type, 1);
  const bal = getChannelBalanceWire(t.db, 1, empty);
  assert.deepEqual(Object.keys(bal).sort(), ['inflight', 'remaining', 'seq']);
  assert.deepEqual([hex(bal.remaining), hex(bal.inflight), bal.seq], ['00'.repeat(32), '00'.repeat(32), 2]);
});
