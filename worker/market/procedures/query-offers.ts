/** `query_offers(...)` (docs/protocol.md#query-offers): the offers of the offer book matching the filters. */
import { nowNs } from '../../../schema/codec/index.js';
import type { MakerContext, MakerHandler } from '../api/index.js';
import { marshalOffer, parseQueryOffersArgs, queryOffers } from '../offers/index.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function queryOffersProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.queryOffers> {
  return async (call) => {
    const filter = parseQueryOffersArgs(call.args, call.kwargs);
    return queryOffers(ctx.makerDb, filter, { now: nowNs() }).map((o) => marshalOffer(o, ctx.sellers.isSuspended(o.seller_authid)));
  };
}
