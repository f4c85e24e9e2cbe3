/** The check `get_quote` and `buy_key` make before they ask or pay a seller: is it connected? */
import type { Offer } from '../../../schema/db/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { WampError, XbrErrorUri, providerSellUri } from '../../../schema/index.js';
import type { MakerContext } from '../api/index.js';

/**
 * @throws WampError `xbr.error.offer_suspended` when the seller of `offer` has no `sell` registered (it left);
 *   nothing was reserved, so a buyer loses nothing and tries again later
 */
export async function requireSellerOnline(ctx: MakerContext, offer: Offer): Promise<void> {
  if (await ctx.sellers.canSell(offer.seller_authid)) return;
  throw new WampError(
    XbrErrorUri.offerSuspended,
    `the offer for key ${formatUuid(offer.key)} is suspended: its seller ${offer.seller_authid} is not connected (no ${providerSellUri(offer.seller_authid)} registered)`,
    { kwargs: { key_id: offer.key, seller_authid: offer.seller_authid } },
  );
}
