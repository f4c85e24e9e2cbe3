/**
 * Property test: random sequences of purchases (valid and corrupted), resolutions (success/failure),
 * close requests and reopenings, against a shadow model. After every step the stored ledger equals the
 * model and `auditLedger` holds. Seeded, so a failure replays exactly.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Uuid } from '../../../../schema/codec/types.js';
import { ChannelType } from '../../../../schema/db/records/channel.js';
import type { Offer } from '../../../../schema/db/records/offer.js';
import { WampError } from '../../../../schema/errors.js';
import { auditLedger, inflightPurchases, recoverInflight, reservePurchase, resolvePurchase } from '../../../../worker/market/ledger/index.js';
import { buyRequest, freshDb, hex, newKey, openChannel, putOffer, rng, type Key } from './helpers.js';

interface Model {
  remaining: bigint;
  inflight: bigint;
  spent: bigint;
  sales?: number;
  refunds?: number;
  seq: number;
}

let t: Awaited<ReturnType<typeof freshDb>>;
before(async () => {
  t = await freshDb();
});
after(async () => {
  await t.cleanup();
});

for (const seed of [1, 7, 42]) {
  test(`random purchase sequences keep ledger == model and the invariant (seed ${seed})`, async () => {
    const rand = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const buyers: { key: Key; channel: Uuid }[] = [];
    const sellers: { key: Key; channel: Uuid }[] = [];
    const model = new Map<string, Model>();
    for (let i = 0; i < 3; i++) {
      const key = newKey();
      const amount = BigInt(50 + Math.floor(rand() * 100));
      const channel = openChannel(t.db, ChannelType.PAYMENT, key.address, amount);
      buyers.push({ key, channel });
      model.set(hex(channel), { remaining: amount, inflight: 0n, spent: 0n, seq: 1 });
    }
    for (let i = 0; i < 2; i++) {
      const key = newKey();
      const amount = BigInt(40 + Math.floor(rand() * 60));
      const channel = openChannel(t.db, ChannelType.PAYING, key.address, amount);
      sellers.push({ key, channel });
      model.set(hex(channel), { remaining: amount, inflight: 0n, spent: 0n, seq: 1 });
    }
    const offers: Offer[] = [];
    for (const s of sellers) for (const price of [0n, 1n, 7n, 13n]) offers.push(putOffer(t.db, s.key.address, price));
    const pending: { tid: Uuid; payment: string; paying: string | undefined; amount: bigint }[] = [];
    let accepted = 0;
    let refused = 0;

    for (let step = 0; step < 300; step++) {
      const op = rand();
      if (op < 0.55) {
        const b = pick(buyers);
        const offer = pick(offers);
        const seller = sellers.find((s) => hex(s.key.address) === hex(offer.seller));
        const pm = model.get(hex(b.channel))!;
        const ym = seller === undefined ? undefined : model.get(hex(seller.channel));
        const price = offer.price ?? 0n;
        let seq = pm.seq + 1;
        let balance = pm.remaining - price;
        const corrupt = rand() < 0.3 ? Math.floor(rand() * 3) : -1;
        if (corrupt === 0) seq += rand() < 0.5 ? 1 : -1;
        if (corrupt === 1) balance += 1n;
        const signer = corrupt === 2 ? newKey() : b.key;
        const feasible = pm.remaining >= price && (price === 0n || (ym !== undefined && ym.remaining >= price));
        const shouldPass = corrupt === -1 && feasible && balance >= 0n;
        if (balance < 0n) balance = 0n;
        try {
          const r = reservePurchase(t.db, buyRequest({ offer, channelId: b.channel, buyer: b.key, seq, balance, signer }));
          assert.ok(shouldPass, `step ${step}: accepted an invalid purchase (corrupt ${corrupt}, feasible ${feasible})`);
          accepted++;
          pm.remaining -= price;
          pm.inflight += price;
          pm.seq += 1;
          const payingUsed = r.paying === undefined ? undefined : hex(r.paying.channel.channel_oid);
          if (payingUsed !== undefined) {
            const m = model.get(payingUsed)!;
            m.remaining -= price;
            m.inflight += price;
            m.seq += 1;
          }
          pending.push({ tid: r.transaction.tid, payment: hex(b.channel), paying: payingUsed, amount: price });
        } catch (e) {
          if (!(e instanceof WampError) || e.uri.startsWith('xbr.error.storage') || e.uri === 'xbr.error.ledger_invariant') throw e;
          assert.ok(!shouldPass, `step ${step}: refused a valid purchase: ${e.uri} ${e.message}`);
          refused++;
        }
      } else if (op < 0.9 && pending.length > 0) {
        const i = Math.floor(rand() * pending.length);
        const p = pending.splice(i, 1)[0]!;
        const ok = rand() < 0.6;
        resolvePurchase(t.db, p.tid, ok ? { ok: true } : { ok: false, error: 'xbr.error.transaction_failed' });
        for (const id of [p.payment, p.paying]) {
          if (id === undefined) continue;
          const m = model.get(id)!;
          m.inflight -= p.amount;
          if (ok) {
            m.spent += p.amount;
            m.sales = (m.sales ?? 0) + 1;
          } else {
            m.remaining += p.amount;
            m.refunds = (m.refunds ?? 0) + 1;
          }
        }
      } else if (op < 0.95) {
        await t.reopen(); // a crash between any two steps
      }
      for (const [id, m] of model) {
        const stored = t.db.paymentBalances.getByKey(Buffer.from(id, 'hex')) ?? t.db.payingBalances.getByKey(Buffer.from(id, 'hex'));
        assert.deepEqual(stored, m, `step ${step}: channel ${id}`);
      }
      auditLedger(t.db);
    }
    // Recovery settles whatever is left.
    await recoverInflight(t.db, () => ({ ok: false, error: 'xbr.error.transaction_failed' }));
    assert.equal(inflightPurchases(t.db).length, 0);
    auditLedger(t.db);
    assert.ok(accepted > 20 && refused > 20, `accepted ${accepted}, refused ${refused}`);
  });
}
