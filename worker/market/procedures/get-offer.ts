/** `get_offer(offer_id)` (docs/protocol.md#get-offer): one offer of the offer book by its id. */
import { uuidArg } from '../../../schema/codec/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { getOffer, marshalOffer } from '../offers/index.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getOfferProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getOffer> {
  return async (call) => {
    const offer = getOffer(ctx.makerDb, uuidArg('offer_id', onlyArg('get_offer', call, 'offer_id')));
    return marshalOffer(offer, ctx.sellers.isSuspended(offer.seller_authid));
  };
}
