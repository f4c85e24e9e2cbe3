/**
 * `get_quote(key_id)` (docs/protocol.md#get-quote): the price of a key. A statically priced offer is quoted from the offer
 * book; a dynamically priced one by asking its seller (`seller-quote.ts`, with a deadline).
 */
import { uuidArg } from '../../../schema/codec/index.js';
import { nowNs } from '../../../schema/codec/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { quoteFor } from '../offers/index.js';
import { DEFAULT_SELLER_TIMEOUT_MS, envMs } from './seller-call.js';
import { askSellerPrice, dynamicQuote } from './seller-quote.js';
import { requireSellerOnline } from './seller-online.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export interface GetQuoteOptions {
  /** Deadline of a seller's `get_quote` (ms); default `XBR_MM_SELLER_TIMEOUT_MS` or 10 s. */
  readonly quoteTimeoutMs?: number;
}

export function getQuoteProcedure(ctx: MakerContext, options: GetQuoteOptions = {}): MakerHandler<typeof MarketMakerProcedure.getQuote> {
  const quoteTimeoutMs = options.quoteTimeoutMs ?? envMs('XBR_MM_SELLER_TIMEOUT_MS', DEFAULT_SELLER_TIMEOUT_MS);
  return async (call) => {
    const keyId = uuidArg('key_id', onlyArg('get_quote', call, 'key_id'));
    const q = quoteFor(ctx.makerDb, keyId, { now: nowNs() });
    await requireSellerOnline(ctx, q.offer);
    if (q.kind === 'static') return q.quote;
    const price = await askSellerPrice(ctx.session, q.offer, quoteTimeoutMs);
    return dynamicQuote(q.offer, price, nowNs());
  };
}
