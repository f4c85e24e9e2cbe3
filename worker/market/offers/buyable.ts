/** What `buy_key` needs from the offer book: the sellable offer of a key, and taking one copy of it. */
import type { Uuid } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { WampError } from '../../../schema/index.js';
import { WampErrorUri } from '../../../schema/index.js';
import { noOfferForKey, offerRevoked, offerSoldOut } from './errors.js';
import { getOfferForKey } from './get-offer.js';
import { unsellableReason } from './offer-state.js';
import type { OfferContext } from './types.js';

/**
 * The offer of `keyId` if it can be sold now. Run it inside the purchase's reserve transaction so the
 * answer still holds when the copy is taken.
 * @throws WampError `crossbar.error.no_such_object`, `xbr.error.offer_revoked`, `xbr.error.offer_expired`,
 * `xbr.error.offer_not_yet_valid`, `xbr.error.offer_sold_out`.
 */
export function checkOfferBuyable(db: MakerDb, keyId: Uuid, ctx: Pick<OfferContext, 'now'>): Offer {
  const offer = getOfferForKey(db, keyId);
  const reason = unsellableReason(offer, ctx.now);
  if (reason !== undefined) throw reason;
  return offer;
}

/**
 * Takes one copy of `offer` for a sale: decrements `remaining` (offers without `copies` are unlimited and
 * unchanged). Must run INSIDE the caller's write transaction (`db.env.writeSync`), which it joins; it
 * re-reads the stored offer there, so a stale `offer` argument cannot oversell. Returns the stored offer.
 * @throws WampError `xbr.error.offer_sold_out` (none left), `xbr.error.offer_revoked`,
 * `crossbar.error.no_such_object`, `wamp.error.runtime_error` when called outside a write transaction.
 */
export function takeCopy(db: MakerDb, offer: Offer): Offer {
  if (!db.env.inWriteTxn()) throw new WampError(WampErrorUri.runtimeError, 'takeCopy must run inside a write transaction of the maker DB');
  const current = db.offers.get(offer.offer);
  if (current === undefined) throw noOfferForKey(offer.key);
  if (current.revoked !== undefined) throw offerRevoked(current.key, current.revoked);
  if (current.remaining === undefined) return current;
  if (current.remaining <= 0) throw offerSoldOut(current.key, current.copies);
  const next: Offer = { ...current, remaining: current.remaining - 1 };
  db.offers.put(next.offer, next);
  return next;
}
