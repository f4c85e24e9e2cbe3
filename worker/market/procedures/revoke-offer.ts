/**
 * `revoke_offer(key_id)` (docs/protocol.md#revoke-offer): the seller revokes the offer of a key; `on_offer_revoked` (docs/protocol.md#maker-events) is
 * published after the write is durable.
 */
import { uuidArg } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { offerRevokedEvent, revokeOffer } from '../offers/index.js';
import { offerContextOf } from './offer-context.js';
import { publishLogged } from './publish-logged.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function revokeOfferProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.revokeOffer> {
  const offerCtx = offerContextOf(ctx);
  return async (call) => {
    const offer = revokeOffer(ctx.makerDb, uuidArg('key_id', onlyArg('revoke_offer', call, 'key_id')), offerCtx(call));
    const ev = offerRevokedEvent(offer);
    publishLogged(ctx, ev.topic, ev.args, { offer: formatUuid(offer.offer) });
    return ev.args[0];
  };
}
