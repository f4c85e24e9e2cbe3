/**
 * The consent part of a maker: `set_consent`, `get_consent` and `find_consents` (docs/protocol.md#api-consents), each in
 * the file of worker/market/procedures named after it.
 */
import { MarketMakerProcedure } from '../../../schema/index.js';
import type { MakerPartFactory } from '../api/index.js';
import { findConsentsProcedure, getConsentProcedure, setConsentProcedure } from '../procedures/index.js';

export const consentsPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [MarketMakerProcedure.setConsent]: setConsentProcedure(ctx),
    [MarketMakerProcedure.getConsent]: getConsentProcedure(ctx),
    [MarketMakerProcedure.findConsents]: findConsentsProcedure(ctx),
  },
});
