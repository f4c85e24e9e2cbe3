/**
 * The authenticator part of a maker: the market realm's WAMP-cryptosign dynamic authenticator (spec
 * docs/protocol.md#api-auth, fixed per docs/protocol.md#maker-defect-30), `authenticate` and `logout` (each in the file of
 * worker/market/procedures named after it), sharing the keys of the sessions it admitted.
 *
 * Trust (docs/protocol.md#trust-model): `authenticate` is callable by the router alone (worker/market/api/access.ts: no caller
 * disclosed), so the session id and key it remembers come from the router, not from a client; `logout` is
 * for members, and takes the session and authid from the invocation details the router fills in.
 */
import { MarketMakerProcedure } from '../../../schema/index.js';
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
