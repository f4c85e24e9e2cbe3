/**
 * Dynamic prices: an offer placed without a price is quoted by its seller, through
 * `xbr.provider.<seller_authid>.get_quote(key_id)` (ours; the original had no dynamic pricing). The
 * seller's answer is checked before anyone relies on it: a dict whose `price` is a 32-byte uint256.
 */
import { describe } from '../../../schema/codec/index.js';
import { packUint256, unpackUint256 } from '../../../schema/codec/index.js';
import type { Amount, NsTime } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import type { Offer } from '../../../schema/db/index.js';
import { WampError } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import type { MakerSession } from '../api/index.js';
import type { QuoteResult } from '../../../schema/api/index.js';
import { dynamicQuoteProcedure } from '../offers/index.js';
import { callSeller } from './seller-call.js';

function badQuote(offer: Offer, what: string): WampError {
  return new WampError(XbrErrorUri.transactionFailed, `seller delegate of the offer for key "${formatUuid(offer.key)}" returned an unusable quote: ${what}`, {
    kwargs: { key: offer.key },
  });
}

/** The seller's price for `offer`, checked (32 bytes big-endian in `result.price`). */
function sellerPrice(offer: Offer, result: unknown): Amount {
  if (result === null || typeof result !== 'object' || Array.isArray(result) || result instanceof Uint8Array) throw badQuote(offer, `expected a dict, got ${describe(result)}`);
  const price = (result as Record<string, unknown>)['price'];
  if (!(price instanceof Uint8Array) || price.length !== 32) throw badQuote(offer, `price: expected 32 bytes (uint256), got ${describe(price)}`);
  return unpackUint256(price, 'price');
}

/**
 * Asks the seller of a dynamically priced `offer` for its current price.
 * @throws WampError the seller's error, or `xbr.error.transaction_failed` (no answer within `timeoutMs`, unusable answer).
 */
export async function askSellerPrice(session: MakerSession, offer: Offer, timeoutMs: number): Promise<Amount> {
  const result = await callSeller(session, offer.seller_authid, dynamicQuoteProcedure(offer), [offer.key], undefined, timeoutMs);
  return sellerPrice(offer, result);
}

/** The docs/protocol.md#get-quote quote dict of a dynamically priced offer at the seller's `price`. */
export function dynamicQuote(offer: Offer, price: Amount, now: NsTime): QuoteResult {
  return { timestamp: now, key: new Uint8Array(offer.key), price: new Uint8Array(packUint256(price)), expires: offer.expires ?? 0n };
}
