/**
 * The offer book of a market maker (docs/protocol.md#api-offers): pure logic over the maker DB; the WAMP layer passes
 * the clock, the caller identity and the market's EIP712 binding in an {@link OfferContext}.
 */
export type { CallerIdentity, OfferContext, PlaceOfferInput, QueryOffersFilter } from './types.js';
export { parsePlaceOfferArgs, categoriesArg } from './parse-place-offer-args.js';
export { placeOffer, sellerAuthid } from './place-offer.js';
export { marshalOffer, type OfferWire } from './marshal-offer.js';
export { getOffer, getOfferForKey } from './get-offer.js';
export { revokeOffer } from './revoke-offer.js';
export { parseQueryOffersArgs } from './parse-query-offers-args.js';
export { queryOffers } from './query-offers.js';
export { quoteFor, dynamicQuoteProcedure, type Quote, type QuoteResult } from './quote.js';
export { checkOfferBuyable, takeCopy } from './buyable.js';
export { isExpired, isSellable, isSoldOut, unsellableReason } from './offer-state.js';
export { offerPlacedEvent, offerRevokedEvent, type OfferEvent } from './events.js';
export * from './limits.js';
