/**
 * The offers part of a maker (docs/protocol.md#api-offers): `place_offer`, `get_offer`, `query_offers`,
 * `revoke_offer`, `get_quote` over the offer book (`worker/market/offers`), with the events
 * `on_offer_placed` / `on_offer_revoked` (docs/protocol.md#maker-events) published after the write is durable.
 *
 * The seller is the caller's authenticated authid (never `provider_id`), so the router must disclose the
 * caller to the maker. A dynamically priced offer is quoted by asking its seller (`get_quote`, with a deadline).
 * While the maker runs, expired offers are swept out of the query indexes every second (`sweep-expired.ts`).
 */
import { nowNs } from '../../../schema/codec/index.js';
import { MarketMakerProcedure } from '../../../schema/index.js';
import type { MakerContext, MakerPartFactory } from '../api/index.js';
import { sweepExpiredOffers } from '../offers/index.js';
import {
  getOfferProcedure,
  getQuoteProcedure,
  placeOfferProcedure,
  queryOffersProcedure,
  revokeOfferProcedure,
  type GetQuoteOptions,
} from '../procedures/index.js';

export interface OffersPartOptions extends GetQuoteOptions {
  /** Time between sweeps of expired offers, ms (default 1000). */
  readonly sweepIntervalMs?: number;
}

/** Runs the expired-offer sweep every `intervalMs` (never two at once); returns the function that stops it. */
export function startOfferSweeps(ctx: Pick<MakerContext, 'makerDb' | 'log' | 'marketIdHex'>, intervalMs: number): () => Promise<void> {
  let running: Promise<void> | undefined;
  let failing = false;
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = sweepExpiredOffers(ctx.makerDb, nowNs)
      .then((swept) => {
        if (failing) ctx.log.info('sweeping expired offers works again', { market: ctx.marketIdHex });
        failing = false;
        if (swept > 0) ctx.log.debug('expired offers left the offer book', { market: ctx.marketIdHex, swept });
      })
      // A refused write (full disk) fences the maker by itself and the next sweep tries again: said once, not every second.
      .catch((err: unknown) => {
        if (!failing) ctx.log.warn('sweeping expired offers failed; trying again every interval', { market: ctx.marketIdHex, error: err as Error });
        failing = true;
      })
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

export function offersPart(options: OffersPartOptions = {}): MakerPartFactory {
  return (ctx: MakerContext) => {
    const getQuote = getQuoteProcedure(ctx, options);
    let stopSweeps: (() => Promise<void>) | undefined;
    return {
      start: async () => {
        stopSweeps = startOfferSweeps(ctx, options.sweepIntervalMs ?? 1000);
      },
      stop: async () => {
        await stopSweeps?.();
      },
      procedures: {
        [MarketMakerProcedure.placeOffer]: placeOfferProcedure(ctx),
        [MarketMakerProcedure.getOffer]: getOfferProcedure(ctx),
        [MarketMakerProcedure.queryOffers]: queryOffersProcedure(ctx),
        [MarketMakerProcedure.revokeOffer]: revokeOfferProcedure(ctx),
        [MarketMakerProcedure.getQuote]: getQuote,
      },
    };
  };
}
