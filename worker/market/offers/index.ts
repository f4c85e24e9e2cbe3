/**
 * The offer book of a market maker (docs/protocol.md#api-offers): pure logic over the maker DB; the WAMP layer passes
 * the clock, the caller identity and the market's EIP712 binding in an {@link OfferContext}.
 */
export type { CallerIdentity, OfferContext } from './types.js';
export { parsePlaceOfferArgs } from './parse-place-offer-args.js';
export { checkOffer, placeOffer, placeOfferGrouped, storeOffers } from './place-offer.js';
export { marshalOffer } from './marshal-offer.js';
export { getOffer } from './get-offer.js';
export { revokeOffer } from './revoke-offer.js';
export { parseQueryOffersArgs } from './parse-query-offers-args.js';
export { queryOffers } from './query-offers.js';
export { expiredOfferIds, markLapsed, sweepExpiredOffers } from './sweep-expired.js';
export { quoteFor, dynamicQuoteProcedure } from './quote.js';
export { checkOfferBuyable, takeCopy } from './buyable.js';
export { isSellable, unsellableReason } from './offer-state.js';
export { offerPlacedEvent, offerRevokedEvent } from './events.js';
export { SellerPresence } from './seller-presence.js';
