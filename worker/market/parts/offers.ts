/**
 * The offers part of a maker (docs/protocol.md#api-offers): `place_offer`, `get_offer`, `query_offers`,
 * `revoke_offer`, `get_quote` over the offer book (`worker/market/offers`), with the events
 * `on_offer_placed` / `on_offer_revoked` (docs/protocol.md#maker-events) published after the write is durable.
 *
 * The seller is the caller's authenticated authid (never `provider_id`), so the router must disclose the
 * caller to the maker. A dynamically priced offer is quoted by asking its seller (`get_quote`, with a deadline).
 */
import { MarketMakerProcedure } from '../../../schema/index.js';
import type { MakerContext, MakerPartFactory } from '../api/index.js';
import {
  getOfferProcedure,
  getQuoteProcedure,
  placeOfferProcedure,
  queryOffersProcedure,
  revokeOfferProcedure,
  type GetQuoteOptions,
} from '../procedures/index.js';

export type OffersPartOptions = GetQuoteOptions;

export function offersPart(options: OffersPartOptions = {}): MakerPartFactory {
  return (ctx: MakerContext) => {
    const getQuote = getQuoteProcedure(ctx, options);
    return {
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
