/**
 * The operator's audit (`replayAudit`) on a real maker DB: a clean ledger of sales, a refund and a purchase in
 * flight passes with every signature checked; then each kind of corruption is found and named — a balance
 * field, a purchase's price, a purchase gone, a buyer's, seller's or maker's signature, a missing record, and
 * every disagreement with the chain — without stopping at the first; the list is capped and all are counted;
 * the audit reads one snapshot while purchases go on; a few thousand purchases are audited in slices.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditResult } from '../../../../schema/api/index.js';
import type { Uuid } from '../../../../schema/codec/types.js';
import { openMakerDb, type MakerDb } from '../../../../schema/db/maker-db.js';
import { ChannelState, ChannelType } from '../../../../schema/db/records/channel.js';
import type { Transaction } from '../../../../schema/db/records/transaction.js';
import { signChannelClose } from '../../../../schema/eip712/channelClose.js';
import { channelCloseMessage } from '../../../../schema/eip712/index.js';
import { replayAudit, reservePurchase, resolvePurchase, type AuditChain, type ChainChannelView } from '../../../../worker/market/ledger/index.js';
import { buyRequest, hex, MAKER, MARKET, newKey, openChannel, putOffer, type Key } from './helpers.js';

const PRICE = 5n;
const DEPOSIT = 100n;
const PAYING_DEPOSIT = 500n;

interface Fixture {
  db: MakerDb;
  buyer: Key;
  seller: Key;
  payment: Uuid;
  paying: Uuid;
  tids: Uuid[];
  cleanup(): Promise<void>;
}

/**
 * A maker DB (ledger debug off, so a test can write what the ledger never would) with one payment and one paying
 * channel and `sales` sales, then one refunded purchase and one in flight.
 */
async function fixture(sales = 3): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-audit-'));
  const db = await openMakerDb({ path: join(dir, 'maker'), ledgerDebug: false });
  const buyer = newKey();
  const seller = newKey();
  const payment = openChannel(db, ChannelType.PAYMENT, buyer.address, DEPOSIT);
  const paying = openChannel(db, ChannelType.PAYING, seller.address, PAYING_DEPOSIT);
  const offer = putOffer(db, seller.address, PRICE);
  const tids: Uuid[] = [];
  let seq = 1;
  let remaining = DEPOSIT;
  const buy = (outcome: 'sold' | 'refunded' | 'inflight'): void => {
    const r = reservePurchase(db, buyRequest({ offer, channelId: payment, buyer, seq: seq + 1, balance: remaining - PRICE }));
    tids.push(r.transaction.tid);
    seq++;
    if (outcome === 'sold') {
      resolvePurchase(db, r.transaction.tid, { ok: true, sellerSignature: signChannelClose(r.paying!.message, seller.priv) });
      remaining -= PRICE;
    } else if (outcome === 'refunded') {
      resolvePurchase(db, r.transaction.tid, { ok: false, error: 'xbr.error.transaction_failed' });
    }
  };
  db.env.writeSync(() => {
    for (let i = 0; i < sales; i++) buy('sold');
    buy('refunded');
    buy('inflight');
  });
  return { db, buyer, seller, payment, paying, tids, cleanup: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** A chain that agrees with the ledger's channels (each view changeable). */
function chainOf(db: MakerDb, over: Record<string, Partial<ChainChannelView> | Error> = {}): AuditChain {
  return {
    head: async () => 1234n,
    channel: async (id) => {
      const o = over[hex(id)];
      if (o instanceof Error) throw o;
      const c = db.paymentChannels.get(id) ?? db.payingChannels.get(id);
      if (c === undefined) return { created: 0n, ctype: 0, marketId: new Uint8Array(16), actor: new Uint8Array(20), delegate: new Uint8Array(20), recipient: new Uint8Array(20), amount: 0n, state: 0, closingSeq: 0, closedSeq: 0 };
      return { created: 100n, ctype: c.channel_type, marketId: c.market_oid, actor: c.actor, delegate: c.delegate, recipient: c.recipient, amount: c.amount, state: c.state, closingSeq: 0, closedSeq: 0, ...o };
    },
  };
}

const audit = (db: MakerDb, chain?: AuditChain, limit?: number): Promise<AuditResult> =>
  replayAudit(db, { binding: MARKET, maker: MAKER.address, ...(chain === undefined ? {} : { chain }), ...(limit === undefined ? {} : { limit }) });

/** The mismatches as `kind field channel|tid` lines, for exact comparisons. */
const summary = (r: AuditResult): string[] => r.mismatches.map((m) => `${m.kind} ${m.field} ${m.channel_oid === null ? '-' : hex(m.channel_oid)} ${m.tid === null ? '-' : hex(m.tid)} ${m.stored ?? '-'} ${m.expected ?? '-'}`);

/** Writes `value` under `key` of table `name` as is (no index update, no ledger check): a corrupted record. */
function corrupt(db: MakerDb, name: string, key: Uint8Array, value: unknown): void {
  db.env.writeSync(() => db.env.sub(name).putSync(Buffer.from(key), value));
}

describe('replayAudit', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f.cleanup();
  });

  test('a clean ledger: every signature checked, no mismatch, the chain agrees', async () => {
    const r = await audit(f.db, chainOf(f.db));
    assert.deepEqual(summary(r), []);
    assert.equal(r.ok, true);
    assert.equal(r.channels, 2);
    assert.equal(r.transactions, 5);
    // 5 buyer signatures + 3 seller signatures (the sales); the maker's own are not stored by the purchase path
    assert.equal(r.signatures_checked, 8);
    assert.equal(r.signatures_absent, 4 + 5 + 2, 'payment_mm_sig of the 4 resolved, paying_mm_sig of the 5, paying_del_sig of the refund and the one in flight');
    assert.equal(r.chain_checked, 2);
    assert.equal(r.chain_block, 1234);
    assert.equal(r.truncated, false);
    const again = await audit(f.db);
    assert.equal(again.ok, true);
    assert.equal(again.chain_block, null, 'not compared with the chain without one');
  });

  test('the maker\'s own signatures, where a record holds them, must be the maker\'s over the right state', async () => {
    const tid = f.tids[0]!;
    const tx = f.db.transactions.get(tid)!;
    const key = f.db.transactions.keyOf(tid);
    const good = signChannelClose(channelCloseMessage(MARKET, tx.close_at!, f.payment, 2, DEPOSIT - PRICE, false), MAKER.priv);
    const goodPaying = signChannelClose(channelCloseMessage(MARKET, tx.close_at!, f.paying, 2, PAYING_DEPOSIT - PRICE, false), MAKER.priv);
    corrupt(f.db, 'transactions', key, { ...tx, payment_mm_sig: good, paying_mm_sig: goodPaying });
    const ok = await audit(f.db);
    assert.deepEqual(summary(ok), []);
    assert.equal(ok.signatures_checked, 10);
    // signed over another balance: recovers to someone else
    const wrong = signChannelClose(channelCloseMessage(MARKET, tx.close_at!, f.payment, 2, DEPOSIT, false), MAKER.priv);
    corrupt(f.db, 'transactions', key, { ...tx, payment_mm_sig: wrong });
    const bad = await audit(f.db);
    assert.equal(bad.ok, false);
    assert.equal(bad.mismatches.length, 1);
    const m = bad.mismatches[0]!;
    assert.equal(m.kind, 'signature');
    assert.equal(m.field, 'payment_mm_sig');
    assert.equal(hex(m.tid!), hex(tid));
    assert.equal(m.expected, `0x${hex(MAKER.address)}`);
    assert.match(m.message, /the maker's signature \(payment_mm_sig\) over channel .* seq 2 balance 95 at block \d+ is by 0x[0-9a-f]{40}, not by 0x/);
    corrupt(f.db, 'transactions', key, tx);
    assert.equal((await audit(f.db)).ok, true);
  });
});

describe('replayAudit finds each kind of corruption', () => {
  test('a balance field: the record against what its purchases make it', async () => {
    const f = await fixture();
    try {
      const b = f.db.paymentBalances.get(f.payment)!;
      assert.deepEqual(b, { remaining: DEPOSIT - 4n * PRICE, inflight: PRICE, spent: 3n * PRICE, seq: 6, sales: 3, refunds: 1 });
      corrupt(f.db, 'payment_balances', f.db.paymentBalances.keyOf(f.payment), { ...b, spent: b.spent + 1n });
      const r = await audit(f.db, chainOf(f.db));
      assert.deepEqual(summary(r), [`balance spent ${hex(f.payment)} - 16 15`]);
      assert.match(r.mismatches[0]!.message, /^payment channel [0-9a-f-]{36}: spent is 16 in the balance record, but 15 from its purchases \(its 3 sold purchase\(s\) sum to it\)$/);
      assert.equal(r.mismatches_total, 1);
    } finally {
      await f.cleanup();
    }
  });

  test('a purchase\'s price: its history and both channels\' spent disagree', async () => {
    const f = await fixture();
    try {
      const tid = f.tids[1]!;
      const tx = f.db.transactions.get(tid)!;
      corrupt(f.db, 'transactions', f.db.transactions.keyOf(tid), { ...tx, amount: PRICE + 2n } satisfies Transaction);
      const r = await audit(f.db, chainOf(f.db));
      assert.deepEqual(summary(r).sort(), [
        `balance spent ${hex(f.payment)} - 15 17`,
        `balance remaining ${hex(f.payment)} - 80 78`,
        `balance spent ${hex(f.paying)} - 15 17`,
        `balance remaining ${hex(f.paying)} - 480 478`,
        // the remaining recorded after it is the one of the real price: before − the stored price is not it
        `transaction payment_channel_after ${hex(f.payment)} ${hex(tid)} 90 88`,
        `transaction paying_channel_after ${hex(f.paying)} ${hex(tid)} 490 488`,
      ].sort());
      assert.equal(r.ok, false);
    } finally {
      await f.cleanup();
    }
  });

  test('a purchase gone: a gap in the seqs, and the balance seq', async () => {
    const f = await fixture();
    try {
      const tid = f.tids[0]!;
      f.db.env.writeSync(() => f.db.env.sub('transactions').removeSync(f.db.transactions.keyOf(tid)));
      const r = await audit(f.db);
      const lines = summary(r);
      assert.ok(lines.includes(`transaction seq ${hex(f.payment)} ${hex(f.tids[1]!)} 3 2`), lines.join('\n'));
      assert.ok(lines.includes(`balance seq ${hex(f.payment)} - 6 5`), lines.join('\n'));
      assert.ok(lines.includes(`balance spent ${hex(f.payment)} - 15 10`), lines.join('\n'));
      assert.match(r.mismatches.find((m) => m.field === 'seq' && m.tid !== null)!.message, /reserved seq 3, but no purchase holds seq 2/);
    } finally {
      await f.cleanup();
    }
  });

  test('a flipped byte in the buyer\'s signature, a seller signature by someone else', async () => {
    const f = await fixture();
    try {
      const [t0, t1] = [f.tids[0]!, f.tids[1]!];
      const tx0 = f.db.transactions.get(t0)!;
      const flipped = new Uint8Array(tx0.payment_del_sig!);
      flipped[10]! ^= 0x01;
      corrupt(f.db, 'transactions', f.db.transactions.keyOf(t0), { ...tx0, payment_del_sig: flipped });
      const tx1 = f.db.transactions.get(t1)!;
      const stranger = newKey();
      const msg = channelCloseMessage(MARKET, tx1.close_at!, f.paying, tx1.created_paying_channel_seq + 1, tx1.paying_channel_after, false);
      corrupt(f.db, 'transactions', f.db.transactions.keyOf(t1), { ...tx1, paying_del_sig: signChannelClose(msg, stranger.priv) });
      const r = await audit(f.db, chainOf(f.db));
      assert.equal(r.mismatches_total, 2, summary(r).join('\n'));
      const [buyer, seller] = [r.mismatches.find((m) => m.field === 'payment_del_sig')!, r.mismatches.find((m) => m.field === 'paying_del_sig')!];
      assert.equal(hex(buyer.tid!), hex(t0));
      assert.equal(hex(buyer.channel_oid!), hex(f.payment));
      assert.equal(buyer.expected, `0x${hex(f.buyer.address)}`);
      assert.match(buyer.message, /the buyer delegate's signature \(payment_del_sig\) over channel .* seq 2 balance 95 .* (is by 0x[0-9a-f]{40}, not by|is not valid)/);
      assert.equal(hex(seller.tid!), hex(t1));
      assert.equal(seller.stored, `0x${hex(stranger.address)}`);
      assert.equal(seller.expected, `0x${hex(f.seller.address)}`);
      // a SUCCESS with a paying leg must hold the seller's signature at all
      const { paying_del_sig: _gone, ...noSig } = tx1;
      corrupt(f.db, 'transactions', f.db.transactions.keyOf(t1), noSig);
      const r2 = await audit(f.db);
      assert.ok(summary(r2).includes(`signature paying_del_sig ${hex(f.paying)} ${hex(t1)} - 0x${hex(f.seller.address)}`), summary(r2).join('\n'));
    } finally {
      await f.cleanup();
    }
  });

  test('a record gone: a channel without its balance, a purchase of an unknown channel', async () => {
    const f = await fixture();
    try {
      f.db.env.writeSync(() => f.db.env.sub('paying_balances').removeSync(f.db.payingBalances.keyOf(f.paying)));
      const r = await audit(f.db);
      assert.deepEqual(summary(r), [`record balance ${hex(f.paying)} - - -`]);
      f.db.env.writeSync(() => f.db.env.sub('payment_channels').removeSync(f.db.paymentChannels.keyOf(f.payment)));
      const r2 = await audit(f.db);
      const lines = summary(r2);
      assert.ok(lines.includes(`record channel ${hex(f.payment)} - - -`), lines.join('\n'));
      for (const tid of f.tids) assert.ok(lines.includes(`record payment_channel ${hex(f.payment)} ${hex(tid)} - -`), lines.join('\n'));
    } finally {
      await f.cleanup();
    }
  });

  test('the chain: deposit, state, a channel it does not know, a closing seq above the ledger\'s, a read that fails', async () => {
    const f = await fixture();
    try {
      const r = await audit(f.db, chainOf(f.db, { [hex(f.payment)]: { amount: DEPOSIT + 1n, state: ChannelState.CLOSING, closingSeq: 9 }, [hex(f.paying)]: { created: 0n } }));
      assert.deepEqual(summary(r).sort(), [
        `chain amount ${hex(f.payment)} - 100 101`,
        `chain close_channel_seq ${hex(f.payment)} - 6 9`,
        `chain exists ${hex(f.paying)} - a channel none`,
        `chain state ${hex(f.payment)} - OPEN CLOSING`,
      ]);
      assert.match(r.mismatches.find((m) => m.field === 'amount')!.message, /^payment channel [0-9a-f-]{36}: amount is 100 in the ledger, 101 on chain$/);
      const down = await audit(f.db, chainOf(f.db, { [hex(f.payment)]: new Error('connection refused') }));
      assert.deepEqual(summary(down), [`chain read ${hex(f.payment)} - - -`]);
      assert.match(down.mismatches[0]!.message, /XBRChannel could not be read: connection refused/);
      const noHead = await audit(f.db, { head: async () => { throw new Error('node down'); }, channel: async () => { throw new Error('unreachable'); } });
      assert.deepEqual(summary(noHead), ['chain head - - - -']);
      assert.equal(noHead.chain_block, null);
    } finally {
      await f.cleanup();
    }
  });

  test('every mismatch is counted, `limit` are listed', async () => {
    const f = await fixture(6);
    try {
      for (const tid of f.tids) {
        const tx = f.db.transactions.get(tid)!;
        corrupt(f.db, 'transactions', f.db.transactions.keyOf(tid), { ...tx, payment_del_sig: new Uint8Array(65).fill(1) });
      }
      const r = await audit(f.db, undefined, 3);
      assert.equal(r.mismatches_total, 8);
      assert.equal(r.mismatches.length, 3);
      assert.equal(r.truncated, true);
      assert.equal(r.ok, false);
    } finally {
      await f.cleanup();
    }
  });
});

describe('replayAudit reads one snapshot, in slices', () => {
  test('purchases made while it runs are not half-seen: the audit is of the ledger as it began', async () => {
    const f = await fixture(5);
    try {
      const offer = putOffer(f.db, f.seller.address, PRICE);
      // The refunded purchase gave its price back, the one in flight holds it: the next purchase signs seq 24.
      let seq = 1 + f.tids.length;
      let remaining = f.db.paymentBalances.get(f.payment)!.remaining;
      let writes = 0;
      // Between every slice of the audit (sliceSize 2) the event loop runs: a purchase lands each time.
      const writer = setInterval(() => {
        if (remaining < PRICE) return;
        const r = reservePurchase(f.db, buyRequest({ offer, channelId: f.payment, buyer: f.buyer, seq: seq + 1, balance: remaining - PRICE }));
        resolvePurchase(f.db, r.transaction.tid, { ok: true, sellerSignature: signChannelClose(r.paying!.message, f.seller.priv) });
        seq++;
        remaining -= PRICE;
        writes++;
      }, 0);
      let r: AuditResult;
      try {
        r = await replayAudit(f.db, { binding: MARKET, maker: MAKER.address, sliceSize: 2 });
      } finally {
        clearInterval(writer);
      }
      assert.ok(writes > 0, 'purchases ran during the audit');
      assert.deepEqual(summary(r), [], 'a consistent view: every balance matches the purchases of the same moment');
      assert.equal(r.transactions, 7, 'the purchases of the moment it began');
      const later = await audit(f.db);
      assert.equal(later.ok, true);
      assert.equal(later.transactions, 7 + writes);
    } finally {
      await f.cleanup();
    }
  });

  test('a few thousand purchases: how long the audit takes and the longest slice purchases wait for', { timeout: 120_000 }, async () => {
    const N = 3000;
    const f = await fixture(0);
    try {
      // DEPOSIT is 100 at price 5: enough channels for N sales, each buyer signing its own.
      const offer = putOffer(f.db, f.seller.address, 1n);
      const paying = openChannel(f.db, ChannelType.PAYING, f.seller.address, BigInt(N) * 2n);
      void paying;
      let made = 0;
      const buyers: { key: Key; channel: Uuid; seq: number; remaining: bigint }[] = [];
      for (let i = 0; i < N / 100; i++) {
        const key = newKey();
        buyers.push({ key, channel: openChannel(f.db, ChannelType.PAYMENT, key.address, 100n), seq: 1, remaining: 100n });
      }
      const t0 = performance.now();
      f.db.env.writeSync(() => {
        for (const b of buyers) {
          for (let i = 0; i < 100 && made < N; i++, made++) {
            const r = reservePurchase(f.db, buyRequest({ offer, channelId: b.channel, buyer: b.key, seq: b.seq + 1, balance: b.remaining - 1n }));
            resolvePurchase(f.db, r.transaction.tid, { ok: true, sellerSignature: signChannelClose(r.paying!.message, f.seller.priv) });
            b.seq++;
            b.remaining -= 1n;
          }
        }
      });
      const made_ms = performance.now() - t0;
      // The fixture's paying channel was active first: its own 500 cover the first 500 sales, then the new one.
      const r = await audit(f.db, chainOf(f.db));
      console.log(`audit of ${r.transactions} purchases (${r.signatures_checked} signatures, ${r.channels} channels): ${r.duration_ms} ms, longest slice ${r.longest_slice_ms} ms (made in ${Math.round(made_ms)} ms)`);
      assert.equal(r.transactions, N + 2);
      assert.deepEqual(summary(r), []);
      assert.ok(r.signatures_checked >= 2 * N);
      assert.ok(r.longest_slice_ms < 1000, `a slice took ${r.longest_slice_ms} ms`);
    } finally {
      await f.cleanup();
    }
  });
});
