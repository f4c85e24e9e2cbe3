/**
 * What the metrics say about a market's offer book: offers for sale move with placing, revoking, selling out
 * and the sweep; the sweep's lag is how long the longest-expired unswept offer has been expired, and zero once
 * the sweep has run (a sweep that stopped shows as a lag that grows with the clock).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nsToSeconds } from '../../../schema/codec/index.js';
import { offerBookTotals } from '../../../worker/host/offer-book-totals.js';
import { markLapsed, expiredOfferIds } from '../../../worker/market/offers/index.js';
import { freshDb, newKey, putOffer } from '../market/ledger/helpers.js';

const S = 1_000_000_000n;
let t: Awaited<ReturnType<typeof freshDb>>;
before(async () => {
  t = await freshDb();
});
after(() => t.cleanup());

test('offers for sale and the sweep lag follow placing, revoking, selling out, expiry and the sweep', () => {
  const now = 1_000_000n * S;
  assert.deepEqual(offerBookTotals(t.db, now), { forSale: 0, sweepLagNs: 0n }, 'an empty book');

  const seller = newKey().address;
  putOffer(t.db, seller, 10n);
  const revoked = putOffer(t.db, seller, 10n);
  putOffer(t.db, seller, 10n, { copies: 1, remaining: 0 });
  putOffer(t.db, seller, 10n, { expires: now + 60n * S });
  putOffer(t.db, seller, 10n, { expires: now - 7n * S });
  putOffer(t.db, seller, 10n, { expires: now - 3n * S });
  t.db.offers.put(revoked.offer, { ...revoked, revoked: now - S });
  // Sold out and revoked are not for sale; the two expired ones are until the sweep marks them.
  assert.deepEqual(offerBookTotals(t.db, now), { forSale: 4, sweepLagNs: 7n * S });
  assert.equal(nsToSeconds(offerBookTotals(t.db, now + 10n * S).sweepLagNs), 17, 'an unswept offer lags more as the clock runs');
  assert.equal(offerBookTotals(t.db, now - 8n * S).sweepLagNs, 0n, 'nothing expired yet');

  const marked = markLapsed(t.db, expiredOfferIds(t.db, now, 500), now);
  assert.equal(marked, 2);
  assert.deepEqual(offerBookTotals(t.db, now), { forSale: 2, sweepLagNs: 0n });
});
