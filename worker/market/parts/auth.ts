/**
 * The authenticator part of a maker: the market realm's WAMP-cryptosign dynamic authenticator (spec
 * §3.21–§3.22, fixed per §11 #30–#31), `authenticate` and `logout` (each in the file of
 * worker/market/procedures named after it), sharing the keys of the sessions it admitted.
 *
 * Trust (DESIGN §7): `authenticate` is callable by the router alone (worker/market/api/access.ts: no caller
 * disclosed), so the session id and key it remembers come from the router, not from a client; `logout` is
 * for members, and takes the session and authid from the invocation details the router fills in.
 */
import { MarketMakerProcedure } from '../../../schema/uris.js';
import type { MakerPartFactory } from '../api/index.js';
import { authenticateProcedure, logoutProcedure, SessionKeys } from '../procedures/index.js';

export const authPart: MakerPartFactory = (ctx) => {
  const keys = new SessionKeys();
  return {
    procedures: {
      [MarketMakerProcedure.authenticate]: authenticateProcedure(ctx, keys),
      [MarketMakerProcedure.logout]: logoutProcedure(ctx, keys),
    },
  };
};
