/**
 * The seller-presence part of a maker (`worker/market/offers/seller-presence.ts`): at start it looks up the
 * `sell` procedure of every seller with offers still for sale, and it follows `wamp.session.on_leave` for the
 * life of its session, so the offers of a seller that left are suspended before anyone tries to buy them.
 * The maker's role needs `subscribe` on `wamp.session.on_leave` and `call` on `wamp.registration.lookup`.
 */
import { nowNs } from '../../../schema/codec/index.js';
import { isError, registrationLookupProcedure, sessionOnLeaveTopic, WampErrorUri } from '../../../schema/index.js';
import { MEMBER_ROLE, type MakerContext, type MakerPartFactory } from '../api/index.js';
import { isSellable } from '../offers/index.js';

async function checkSellersAtStart(ctx: MakerContext): Promise<void> {
  const now = nowNs();
  const sellers = new Set<string>();
  for (const { value: offer } of ctx.makerDb.offers.range()) {
    if (isSellable(offer, now) || (offer.revoked === undefined && offer.valid_from > now)) sellers.add(offer.seller_authid);
  }
  for (const authid of sellers) {
    ctx.sellers.track(authid);
    await ctx.sellers.refresh(authid);
  }
  const suspended = ctx.sellers.suspended();
  if (suspended.length > 0) ctx.log.info('offers of sellers that are not connected are suspended', { sellers: suspended });
}

/** What the maker's role must allow for presence; refused, the maker sells as the original did. */
const NEEDS = `call ${registrationLookupProcedure} and subscribe ${sessionOnLeaveTopic}`;

export const sellerPresencePart: MakerPartFactory = (ctx) => ({
  async start() {
    try {
      await ctx.session.subscribe(sessionOnLeaveTopic, (args) => {
        const [, authid, authrole] = args;
        if (typeof authid !== 'string' || authrole !== MEMBER_ROLE || !ctx.sellers.isTracked(authid)) return;
        ctx.sellers.refresh(authid).then(
          (online) => {
            if (!online) ctx.log.info('seller left: its offers are suspended until it registers sell again', { seller_authid: authid });
          },
          (err: unknown) => ctx.log.warn('could not look up a seller that left; its offers stay as they were', { seller_authid: authid, error: err as Error }),
        );
      });
      await checkSellersAtStart(ctx);
    } catch (err) {
      if (!isError(err, WampErrorUri.notAuthorized)) throw err;
      ctx.sellers.disable((err as Error).message);
      ctx.log.warn(`the maker's role may not ${NEEDS}: offers of a seller that left are not suspended (a purchase reserves, finds no seller and refunds)`, { error: err as Error });
    }
  },
});
