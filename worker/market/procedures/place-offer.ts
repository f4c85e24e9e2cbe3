/**
 * `place_offer(...)` (docs/protocol.md#place-offer): a seller delegate offers a data key. The offer book checks and stores it
 * (worker/market/offers) in the maker DB's group commit, so sellers placing at once share a durable write;
 * `on_offer_placed` (docs/protocol.md#maker-events) is published after the write is durable.
 */
import { formatUuid } from '../../../schema/codec/index.js';
import type { MakerContext, MakerHandler } from '../api/index.js';
import { offerPlacedEvent, parsePlaceOfferArgs, placeOfferGrouped } from '../offers/index.js';
import { offerContextOf } from './offer-context.js';
import { publishLogged } from './publish-logged.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function placeOfferProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.placeOffer> {
  const offerCtx = offerContextOf(ctx);
  return async (call) => {
    const offer = await placeOfferGrouped(ctx.makerDb, parsePlaceOfferArgs(call.args, call.kwargs), offerCtx(call));
    ctx.sellers.track(offer.seller_authid);
    const ev = offerPlacedEvent(offer);
    publishLogged(ctx, ev.topic, ev.args, { offer: formatUuid(offer.offer) });
    return ev.args[0];
  };
}
