/** `get_offer` (docs/protocol.md#get-offer) and the key lookup the other operations share. */
import type { Uuid } from '../../../schema/codec/index.js';
import { offerByKey, type MakerDb } from '../../../schema/db/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { noOfferForKey, noOfferWithId } from './errors.js';

/**
 * The offer with id `offerId` (revoked and expired ones included: the record is kept).
 * @throws WampError `crossbar.error.no_such_object`.
 */
export function getOffer(db: MakerDb, offerId: Uuid): Offer {
  const offer = db.offers.get(offerId);
  if (offer === undefined) throw noOfferWithId(offerId);
  return offer;
}

/**
 * The offer of data key `keyId`.
 * @throws WampError `crossbar.error.no_such_object`.
 */
export function getOfferForKey(db: MakerDb, keyId: Uuid): Offer {
  const offer = offerByKey(db, keyId);
  if (offer === undefined) throw noOfferForKey(keyId);
  return offer;
}
