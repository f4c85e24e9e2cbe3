/**
 * Whether an offer can be sold at a time (docs/protocol.md#differences: revocation, `expires`, `valid_from` and `copies`
 * are enforced; the original checked none of them in `buy_key`, docs/protocol.md#maker-defect-13).
 * An offer is expired from its `expires` instant on (the end is exclusive).
 */
import type { NsTime } from '../../../schema/codec/index.js';
import type { Offer } from '../../../schema/db/index.js';
import type { WampError } from '../../../schema/index.js';
import { offerExpired, offerNotYetValid, offerRevoked, offerSoldOut } from './errors.js';

/** True once `expires` has been reached. */
function isExpired(offer: Offer, now: NsTime): boolean {
  return offer.expires !== undefined && offer.expires <= now;
}

/** True when no copy is left (never for an offer without `copies`). */
function isSoldOut(offer: Offer): boolean {
  return offer.remaining !== undefined && offer.remaining <= 0;
}

/** Why `offer` cannot be sold at `now`, or undefined when it can. Order: revoked, expired, not yet valid, sold out. */
export function unsellableReason(offer: Offer, now: NsTime): WampError | undefined {
  if (offer.revoked !== undefined) return offerRevoked(offer.key, offer.revoked);
  if (offer.expires !== undefined && isExpired(offer, now)) return offerExpired(offer.key, offer.expires, now);
  if (offer.valid_from > now) return offerNotYetValid(offer.key, offer.valid_from);
  if (isSoldOut(offer)) return offerSoldOut(offer.key, offer.copies);
  return undefined;
}

/** True when `offer` can be sold at `now`. */
export function isSellable(offer: Offer, now: NsTime): boolean {
  return offer.revoked === undefined && !isExpired(offer, now) && offer.valid_from <= now && !isSoldOut(offer);
}
