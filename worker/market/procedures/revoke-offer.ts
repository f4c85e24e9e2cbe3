/**
 * `revoke_offer(key_id)` (spec §3.9): the seller revokes the offer of a key; `on_offer_revoked` (§4.1) is
 * published after the write is durable.
 */
import { uuidArg } from '../../../schema/codec/guards.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { onlyArg, type MakerContext, type ProcedureHandler } from '../api/index.js';
import { offerRevokedEvent, revokeOffer } from '../offers/index.js';
import { offerContextOf } from './offer-context.js';
import { publishLogged } from './publish-logged.js';

export function revokeOfferProcedure(ctx: MakerContext): ProcedureHandler {
  const offerCtx = offerContextOf(ctx);
  return async (call) => {
    const offer = revokeOffer(ctx.makerDb, uuidArg('key_id', onlyArg('revoke_offer', call, 'key_id')), offerCtx(call));
    const ev = offerRevokedEvent(offer);
    publishLogged(ctx, ev.topic, ev.args, { offer: formatUuid(offer.offer) });
    return ev.args[0];
  };
}
