/**
 * The operator's lists of the ledger: channels with their balances (payment then paying, by id; filtered by type,
 * actor, delegate and state; paged by cursor), and purchases newest first (all, one payment channel's through
 * its seq index, one paying channel's), paged; unknown channels and foreign cursors are refused by name.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AdminChannelResult } from '../../../../schema/api/index.js';
import { unpackUint256 } from '../../../../schema/codec/uint256.js';
import type { Address, Uuid } from '../../../../schema/codec/types.js';
import { ChannelState, ChannelType } from '../../../../schema/db/records/channel.js';
import { signChannelClose } from '../../../../schema/eip712/channelClose.js';
import { applyChannelEvent, listChannels, listTransactions, reservePurchase, resolvePurchase } from '../../../../worker/market/ledger/index.js';
import { buyRequest, freshDb, hex, MARKET, newKey, openChannel, putOffer, rnd, wamp, type Key } from './helpers.js';

const PRICE = 5n;

let t: Awaited<ReturnType<typeof freshDb>>;
let buyer: Key;
let seller: Key;
const payments: Uuid[] = [];
const payings: Uuid[] = [];
const actor = rnd(20) as Address;
let sold: Uuid[] = [];
let otherSold: Uuid[] = [];

before(async () => {
  t = await freshDb();
  buyer = newKey();
  seller = newKey();
  payments.push(openChannel(t.db, ChannelType.PAYMENT, buyer.address, 100n, { actor }));
  payments.push(openChannel(t.db, ChannelType.PAYMENT, newKey().address, 50n));
  const other = newKey();
  payments.push(openChannel(t.db, ChannelType.PAYMENT, other.address, 70n));
  payings.push(openChannel(t.db, ChannelType.PAYING, seller.address, 500n));
  payings.push(openChannel(t.db, ChannelType.PAYING, newKey().address, 40n));
  const offer = putOffer(t.db, seller.address, PRICE);
  sold = [];
  for (let i = 0; i < 3; i++) {
    const r = reservePurchase(t.db, buyRequest({ offer, channelId: payments[0]!, buyer, seq: i + 2, balance: 100n - BigInt(i + 1) * PRICE }));
    resolvePurchase(t.db, r.transaction.tid, { ok: true, sellerSignature: signChannelClose(r.paying!.message, seller.priv) });
    sold.push(r.transaction.tid);
  }
  const r = reservePurchase(t.db, buyRequest({ offer, channelId: payments[2]!, buyer: other, seq: 2, balance: 70n - PRICE }));
  resolvePurchase(t.db, r.transaction.tid, { ok: true, sellerSignature: signChannelClose(r.paying!.message, seller.priv) });
  otherSold = [r.transaction.tid];
  // the second paying channel closes on chain
  applyChannelEvent(t.db, { type: 'Closed', ctype: 2, marketId: MARKET.marketId, channelId: payings[1]!, blockNumber: 200n, txHash: rnd(32) as never, payout: 0n, fee: 0n, refund: 40n, closedAt: 200n }, { marketId: MARKET.marketId, now: 1n });
});
after(async () => {
  await t.cleanup();
});

const ids = (cs: readonly AdminChannelResult[]): string[] => cs.map((c) => hex(c.channel_oid));
const byId = (xs: Uuid[]): string[] => xs.map(hex).sort();

describe('listChannels', () => {
  test('every channel with its balance: payment ones by id, then paying ones', () => {
    const page = listChannels(t.db, { limit: 100 });
    assert.deepEqual(ids(page.channels), [...byId(payments), ...byId(payings)]);
    assert.equal(page.next_cursor, null);
    const c = page.channels.find((x) => hex(x.channel_oid) === hex(payments[0]!))!;
    assert.deepEqual(
      { type: c.channel_type, state: c.state, amount: unpackUint256(c.amount), remaining: unpackUint256(c.remaining), inflight: unpackUint256(c.inflight), spent: unpackUint256(c.spent), seq: c.seq },
      { type: 1, state: ChannelState.OPEN, amount: 100n, remaining: 85n, inflight: 0n, spent: 15n, seq: 4 },
    );
    assert.equal(hex(c.actor), hex(actor));
    assert.equal(hex(c.delegate), hex(buyer.address));
    assert.equal(unpackUint256(c.open_at), 100n);
    assert.equal(c.closed_at, null);
    const y = page.channels.find((x) => hex(x.channel_oid) === hex(payings[0]!))!;
    assert.deepEqual([unpackUint256(y.spent), y.seq], [20n, 5], 'the seller\'s paying channel moved with all four sales');
    const closed = page.channels.find((x) => hex(x.channel_oid) === hex(payings[1]!))!;
    assert.equal(closed.state, ChannelState.CLOSED);
    assert.equal(unpackUint256(closed.closed_at!), 200n);
  });

  test('pages: next_cursor is the last id, across the payment and paying tables', () => {
    const all = [...byId(payments), ...byId(payings)];
    const seen: string[] = [];
    let cursor: Uuid | undefined;
    for (let i = 0; i < 10; i++) {
      const page = listChannels(t.db, { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...ids(page.channels));
      if (page.next_cursor === null) break;
      assert.equal(hex(page.next_cursor), seen[seen.length - 1]);
      cursor = page.next_cursor as Uuid;
    }
    assert.deepEqual(seen, all);
    // exactly one page full: no next page
    assert.equal(listChannels(t.db, { limit: all.length }).next_cursor, null);
  });

  test('filters: type, actor, delegate, state', () => {
    assert.deepEqual(ids(listChannels(t.db, { limit: 100, type: 2 }).channels), byId(payings));
    assert.deepEqual(ids(listChannels(t.db, { limit: 100, member: actor }).channels), [hex(payments[0]!)]);
    assert.deepEqual(ids(listChannels(t.db, { limit: 100, delegate: seller.address }).channels), [hex(payings[0]!)]);
    assert.deepEqual(ids(listChannels(t.db, { limit: 100, state: ChannelState.CLOSED }).channels), [hex(payings[1]!)]);
    assert.deepEqual(ids(listChannels(t.db, { limit: 100, state: ChannelState.CLOSING }).channels), []);
  });

  test('a cursor that is no channel (of the listed type) is refused by name', () => {
    assert.throws(() => listChannels(t.db, { limit: 2, cursor: rnd(16) as Uuid }), wamp('wamp.error.invalid_argument'));
    assert.throws(() => listChannels(t.db, { limit: 2, type: 2, cursor: payments[0]! }), /cursor: expected a channel id of this maker of type 2/);
  });
});

describe('listTransactions', () => {
  test('all purchases newest first, paged', () => {
    const all = listTransactions(t.db, { limit: 100 });
    assert.deepEqual(all.transactions.map((x) => hex(x.tid)), [...otherSold, ...sold].map(hex).sort().reverse());
    assert.equal(all.next_cursor, null);
    const first = listTransactions(t.db, { limit: 3 });
    assert.equal(first.transactions.length, 3);
    assert.ok(first.next_cursor !== null);
    const rest = listTransactions(t.db, { limit: 3, cursor: first.next_cursor as Uuid });
    assert.deepEqual([...first.transactions, ...rest.transactions].map((x) => hex(x.tid)), all.transactions.map((x) => hex(x.tid)));
    assert.equal(rest.next_cursor, null);
  });

  test('one payment channel\'s, highest seq first, with the signed states', () => {
    const page = listTransactions(t.db, { channel: payments[0]!, limit: 2 });
    assert.deepEqual(page.transactions.map((x) => x.payment_seq), [4, 3]);
    assert.deepEqual(page.transactions.map((x) => unpackUint256(x.payment_remaining)), [85n, 90n]);
    const tx = page.transactions[0]!;
    assert.equal(tx.state, 3);
    assert.equal(unpackUint256(tx.amount), PRICE);
    assert.equal(hex(tx.paying_channel!), hex(payings[0]!));
    assert.equal(tx.payment_del_sig?.length, 65);
    assert.equal(tx.paying_del_sig?.length, 65);
    assert.equal(tx.payment_mm_sig, null);
    const next = listTransactions(t.db, { channel: payments[0]!, limit: 2, cursor: page.next_cursor as Uuid });
    assert.deepEqual(next.transactions.map((x) => x.payment_seq), [2]);
    assert.equal(next.next_cursor, null);
    assert.deepEqual(listTransactions(t.db, { channel: payments[1]!, limit: 5 }).transactions, []);
  });

  test('one paying channel\'s: every sale of its seller', () => {
    const page = listTransactions(t.db, { channel: payings[0]!, limit: 100 });
    assert.deepEqual(page.transactions.map((x) => x.paying_seq), [5, 4, 3, 2]);
    const p = listTransactions(t.db, { channel: payings[0]!, limit: 3 });
    assert.deepEqual(listTransactions(t.db, { channel: payings[0]!, limit: 3, cursor: p.next_cursor as Uuid }).transactions.map((x) => x.paying_seq), [2]);
  });

  test('an unknown channel, a cursor of another list', () => {
    assert.throws(() => listTransactions(t.db, { channel: rnd(16) as Uuid, limit: 5 }), wamp('crossbar.error.no_such_object'));
    assert.throws(() => listTransactions(t.db, { channel: payments[0]!, limit: 5, cursor: otherSold[0]! }), /cursor: expected a tid of this list/);
    assert.throws(() => listTransactions(t.db, { limit: 5, cursor: rnd(16) as Uuid }), wamp('wamp.error.invalid_argument'));
  });
});
