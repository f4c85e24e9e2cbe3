/** The errors of the offer book, each under its WAMP URI (docs/protocol.md#api-offers plus docs/protocol.md#differences enforcement). */
import { formatUuid } from '../../../schema/codec/index.js';
import { nsToIso } from '../../../schema/codec/index.js';
import type { NsTime, Uuid } from '../../../schema/codec/index.js';
import { WampError } from '../../../schema/index.js';
import { XbrErrorUri, CrossbarErrorUri, WampErrorUri } from '../../../schema/index.js';

/** `crossbar.error.no_such_object`: no offer for a key (docs/protocol.md#revoke-offer wording). */
export function noOfferForKey(keyId: Uuid): WampError {
  return new WampError(CrossbarErrorUri.noSuchObject, `no offer for key with ID "${formatUuid(keyId)}"`, { kwargs: { key: keyId } });
}

/** `crossbar.error.no_such_object`: no offer with an id (docs/protocol.md#get-offer wording). */
export function noOfferWithId(offerId: Uuid): WampError {
  return new WampError(CrossbarErrorUri.noSuchObject, `no offer with ID "${formatUuid(offerId)}"`, { kwargs: { offer: offerId } });
}

/** `xbr.error.offer_expired` (docs/protocol.md#get-quote). */
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
  return new WampError(WampErrorUri.notAuthorized, message);
}
