/**
 * The offer book of a market maker (spec §3.6–§3.10): pure logic over the maker DB; the WAMP layer passes
 * the clock, the caller identity and the market's EIP712 binding in an {@link OfferContext}.
 */
export type { CallerIdentity, OfferContext, PlaceOfferInput, QueryOffersFilter } from './types.js';
export { parsePlaceOfferArgs, categoriesArg } from './parsePlaceOfferArgs.js';
export { placeOffer, sellerAuthid } from './placeOffer.js';
export { marshalOffer, type OfferWire } from './marshalOffer.js';
export { getOffer, getOfferForKey } from './getOffer.js';
export { revokeOffer } from './revokeOffer.js';
export { parseQueryOffersArgs } from './parseQueryOffersArgs.js';
export { queryOffers } from './queryOffers.js';
export { quoteFor, dynamicQuoteProcedure, type Quote, type QuoteResult } from './quote.js';
export { checkOfferBuyable, takeCopy } from './buyable.js';
export { isExpired, isSellable, isSoldOut, unsellableReason } from './offerState.js';
export { offerPlacedEvent, offerRevokedEvent, type OfferEvent } from './events.js';
export * from './limits.js';
