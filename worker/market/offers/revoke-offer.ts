/**
 * `revoke_offer` (docs/protocol.md#revoke-offer) as intended, with the fixes of docs/protocol.md#differences: only the offering seller may revoke —
 * the caller's authid must equal the offer's `seller_authid` (the authenticated authid of the session that
 * placed it; the delegate address is not re-checked because `revoke_offer` carries no signature) — and the
 * change is persisted. The record is kept: `revoked` is set and `expires` moved to now if it was later.
 */
import { formatUuid } from '../../../schema/codec/index.js';
import type { Uuid } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { createLogger } from '../../../schema/index.js';
import { notAuthorized, offerRevoked } from './errors.js';
import { getOfferForKey } from './get-offer.js';
import type { OfferContext } from './types.js';

const defaultLog = createLogger({ component: 'offers' });

/**
 * Revokes the offer of `keyId` in one durable write and returns the updated offer.
 * @throws WampError `crossbar.error.no_such_object`, `wamp.error.not_authorized` (not the seller; nothing
 * changes), `xbr.error.offer_revoked` (already revoked).
 */
export function revokeOffer(db: MakerDb, keyId: Uuid, ctx: Pick<OfferContext, 'now' | 'caller' | 'marketId' | 'log'>): Offer {
  const authid = ctx.caller.authid;
  const revoked = db.env.writeSync(() => {
    const offer = getOfferForKey(db, keyId);
    if (authid === undefined || authid !== offer.seller_authid) {
      throw notAuthorized(`only the seller that placed the offer for key with ID "${formatUuid(keyId)}" may revoke it`);
    }
    if (offer.revoked !== undefined) throw offerRevoked(keyId, offer.revoked);
    const expires = offer.expires === undefined || offer.expires > ctx.now ? ctx.now : offer.expires;
    const next: Offer = { ...offer, revoked: ctx.now, expires };
    db.offers.put(next.offer, next);
    return next;
  });
  (ctx.log ?? defaultLog).info('offer revoked', { market: formatUuid(ctx.marketId), offer: formatUuid(revoked.offer), key: formatUuid(keyId), seller_authid: authid });
  return revoked;
}
