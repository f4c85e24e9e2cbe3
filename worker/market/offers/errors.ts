/** The errors of the offer book, each under its WAMP URI (spec §3.6–§3.10 plus DESIGN §4 enforcement). */
import { formatUuid } from '../../../schema/codec/uuid.js';
import { nsToIso } from '../../../schema/codec/time.js';
import type { NsTime, Uuid } from '../../../schema/codec/types.js';
import { WampError } from '../../../schema/errors.js';
import { XbrErrorUri } from '../../../schema/uris.js';

/** `crossbar.error.no_such_object`: no offer for a key (spec §3.9/§3.10 wording). */
export function noOfferForKey(keyId: Uuid): WampError {
  return new WampError(XbrErrorUri.noSuchObject, `no offer for key with ID "${formatUuid(keyId)}"`, { kwargs: { key: keyId } });
}

/** `crossbar.error.no_such_object`: no offer with an id (spec §3.7 wording). */
export function noOfferWithId(offerId: Uuid): WampError {
  return new WampError(XbrErrorUri.noSuchObject, `no offer with ID "${formatUuid(offerId)}"`, { kwargs: { offer: offerId } });
}

/** `xbr.error.offer_expired` (spec §3.10). */
export function offerExpired(keyId: Uuid, expires: NsTime, now: NsTime): WampError {
  const agoS = Number((now - expires) / 1_000_000n) / 1000;
  return new WampError(XbrErrorUri.offerExpired, `the offer for key with ID "${formatUuid(keyId)}" already expired ${nsToIso(expires)} (${agoS}s ago)`, {
    kwargs: { key: keyId, expires },
  });
}

/** `xbr.error.offer_revoked`. */
export function offerRevoked(keyId: Uuid, revoked: NsTime): WampError {
  return new WampError(XbrErrorUri.offerRevoked, `the offer for key with ID "${formatUuid(keyId)}" was revoked ${nsToIso(revoked)}`, {
    kwargs: { key: keyId, revoked },
  });
}

/** `xbr.error.offer_not_yet_valid`. */
export function offerNotYetValid(keyId: Uuid, validFrom: NsTime): WampError {
  return new WampError(XbrErrorUri.offerNotYetValid, `the offer for key with ID "${formatUuid(keyId)}" is not valid before ${nsToIso(validFrom)}`, {
    kwargs: { key: keyId, valid_from: validFrom },
  });
}

/** `xbr.error.offer_sold_out`. */
export function offerSoldOut(keyId: Uuid, copies: number | undefined): WampError {
  return new WampError(XbrErrorUri.offerSoldOut, `all ${copies ?? 0} copies of the key with ID "${formatUuid(keyId)}" are sold`, {
    kwargs: { key: keyId },
  });
}

/** `wamp.error.not_authorized` with a reason. */
export function notAuthorized(message: string): WampError {
  return new WampError(XbrErrorUri.notAuthorized, message);
}
