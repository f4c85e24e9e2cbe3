/**
 * The market maker's purchase metrics, by market (the market id in hex: one per maker, a bounded set):
 * purchases by outcome, refusals and refunds by error URI, and how long a purchase takes. The ledger totals
 * are read from the maker DBs when scraped (`worker/host/metrics.ts`).
 *
 * Outcomes: `sold` (the key was sold and paid), `refunded` (reserved, then failed and refunded), `refused`
 * (refused before anything was reserved: bad arguments, balance, offer), `repeated` (the identical call
 * answered again from its transaction record, charged once).
 */
import { counter, histogram, LATENCY_BUCKETS_S } from '../../process/index.js';
import { CATALOG_ERROR_URIS, WampError } from '../../schema/index.js';

export type PurchaseOutcome = 'sold' | 'refunded' | 'refused' | 'repeated';

const purchases = counter({ name: 'xbr_purchases_total', help: 'buy_key calls by market and outcome (sold, refunded, refused, repeated).', labelNames: ['market', 'outcome'] as const });
const failures = counter({
  name: 'xbr_purchase_failures_total',
  help: 'Refused and refunded buy_key calls by market, outcome and error URI (URIs outside the xbr-edge catalog as "other").',
  labelNames: ['market', 'outcome', 'uri'] as const,
});
const duration = histogram({
  name: 'xbr_purchase_duration_seconds',
  help: 'Time the market maker took to answer a buy_key, by market and outcome.',
  labelNames: ['market', 'outcome'] as const,
  buckets: LATENCY_BUCKETS_S,
});

/** Counts one `buy_key` answer of `market` that took `seconds`; `err` for a refusal or refund. */
export function countPurchase(market: string, outcome: PurchaseOutcome, seconds: number, err?: unknown): void {
  purchases.inc({ market, outcome });
  duration.observe({ market, outcome }, seconds);
  if (outcome === 'refused' || outcome === 'refunded') {
    const uri = err instanceof WampError && CATALOG_ERROR_URIS.has(err.uri) ? err.uri : 'other';
    failures.inc({ market, outcome, uri });
  }
}
