/**
 * The ledger totals a report reads for its metrics and again for its health details: the second read reuses
 * the first while nothing was written, and any write (a purchase, a channel event) makes the next read fresh.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChannelType } from '../../../schema/db/records/channel.js';
import { ledgerTotals } from '../../../worker/host/ledger-totals.js';
import { buyRequest, freshDb, newKey, openChannel, putOffer } from '../market/ledger/helpers.js';
import { reservePurchase, resolvePurchase } from '../../../worker/market/ledger/index.js';

let t: Awaited<ReturnType<typeof freshDb>>;
before(async () => {
  t = await freshDb();
});
after(() => t.cleanup());

test('totals are read once per state of the DB, and again after every write', () => {
  const buyer = newKey();
  const seller = newKey();
  const payment = openChannel(t.db, ChannelType.PAYMENT, buyer.address, 100n);
  openChannel(t.db, ChannelType.PAYING, seller.address, 50n);
  const first = ledgerTotals(t.db, ChannelType.PAYMENT);
  assert.deepEqual([first.remaining, first.inflight, first.spent, [...first.channels]], [100n, 0n, 0n, [['open', 1]]]);
  assert.equal(ledgerTotals(t.db, ChannelType.PAYMENT), first, 'nothing written: the same totals object');

  const offer = putOffer(t.db, seller.address, 10n);
  const r = reservePurchase(t.db, buyRequest({ offer, channelId: payment, buyer, seq: 2, balance: 90n }));
  const reserved = ledgerTotals(t.db, ChannelType.PAYMENT);
  assert.notEqual(reserved, first);
  assert.deepEqual([reserved.remaining, reserved.inflight, reserved.spent], [90n, 10n, 0n]);
  resolvePurchase(t.db, r.transaction.tid, { ok: true });
  const sold = ledgerTotals(t.db, ChannelType.PAYMENT);
  assert.deepEqual([sold.remaining, sold.inflight, sold.spent], [90n, 0n, 10n]);
  const paying = ledgerTotals(t.db, ChannelType.PAYING);
  assert.deepEqual([paying.remaining, paying.spent], [40n, 10n]);
});
