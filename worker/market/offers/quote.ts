/**
 * `get_quote` (docs/protocol.md#get-quote), fixed (docs/protocol.md#maker-defect-12): free offers are quoted (price 0), an offer must be
 * sellable now (revoked, expired, not yet valid and sold out are refused), and a dynamically priced offer is
 * answered with the seller procedure the WAMP layer must call instead.
 */
import type { QuoteResult } from '../../../schema/api/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { Uuid } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { providerGetQuoteUri } from '../../../schema/index.js';
import { checkOfferBuyable } from './buyable.js';
import type { OfferContext } from './types.js';

/** A static quote, or the seller procedure to ask for a dynamically priced offer. */
export type QuoteDecision =
  | { readonly kind: 'static'; readonly quote: QuoteResult; readonly offer: Offer }
  | { readonly kind: 'dynamic'; readonly offer: Offer; readonly procedure: string };

/**
 * `xbr.provider.<seller_authid>.get_quote`: the seller delegate's quoting procedure (ours; the original had
 * no dynamic pricing). Called with `(key_id)`; expected to return the same dict as {@link QuoteResult}.
 */
export function dynamicQuoteProcedure(offer: Offer): string {
  return providerGetQuoteUri(offer.seller_authid);
}

/**
 * The quote for `keyId` at `ctx.now`.
 * @throws WampError as `checkOfferBuyable` (`crossbar.error.no_such_object`, `xbr.error.offer_*`).
 */
export function quoteFor(db: MakerDb, keyId: Uuid, ctx: Pick<OfferContext, 'now'>): QuoteDecision {
  const offer = checkOfferBuyable(db, keyId, ctx);
  if (offer.price === null) return { kind: 'dynamic', offer, procedure: dynamicQuoteProcedure(offer) };
  return { kind: 'static', offer, quote: { timestamp: ctx.now, key: new Uint8Array(offer.key), price: new Uint8Array(packUint256(offer.price)), expires: offer.expires ?? 0n } };
}
