/** The offer events of docs/protocol.md#maker-events, as topic + positional args for the WAMP layer to publish (acknowledged). */
import type { OfferResult } from '../../../schema/api/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { MarketMakerTopic } from '../../../schema/index.js';
import { marshalOffer } from './marshal-offer.js';

/** A publication: `topic` with `args`. */
export interface OfferEvent {
  readonly topic: string;
  readonly args: [OfferResult];
}

/** `xbr.marketmaker.on_offer_placed` with `(offer dict)`. */
export function offerPlacedEvent(offer: Offer): OfferEvent {
  return { topic: MarketMakerTopic.onOfferPlaced, args: [marshalOffer(offer)] };
}

/** `xbr.marketmaker.on_offer_revoked` with `(offer dict)` (the original never published it). */
export function offerRevokedEvent(offer: Offer, suspended = false): OfferEvent {
  return { topic: MarketMakerTopic.onOfferRevoked, args: [marshalOffer(offer, suspended)] };
}
