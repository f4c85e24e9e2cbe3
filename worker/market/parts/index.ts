/**
 * The parts of a market maker (worker/market/api/part.ts): each groups related procedures of
 * worker/market/procedures with the steps they need at start and stop (e.g. the purchase part refunds
 * interrupted purchases before the maker serves), and holds the per-maker state its procedures share (the
 * authenticator's session keys). {@link MAKER_PARTS} is what every maker runs; the worker (worker/host)
 * composes it into each maker it hosts.
 */
import type { MakerContext, MakerPart, MakerPartFactory } from '../api/index.js';
import { adminPart } from './admin.js';
import { authPart } from './auth.js';
import { catalogsPart } from './catalogs.js';
import { channelsPart } from './channels.js';
import { consentsPart } from './consents.js';
import { ipfsPart } from './ipfs.js';
import { offersPart } from './offers.js';
import { purchasePart } from './purchase.js';
import { sellerPresencePart } from './seller-presence.js';
import { simpleProcedures } from './simple.js';

export { catalogsPart, consentsPart, ipfsPart, purchasePart };
export { rescanPart } from './admin.js';
export { recoverPurchases } from './purchase-recovery.js';

/** The parts every maker runs, in start order; add new ones here. */
export const MAKER_PARTS: readonly MakerPartFactory[] = [
  offersPart(),
  sellerPresencePart,
  purchasePart(),
  channelsPart,
  consentsPart,
  catalogsPart,
  ipfsPart,
  adminPart,
  authPart,
];

/** The parts of a maker: the simple procedures first, then those of `factories` (the host passes {@link MAKER_PARTS}). */
export function makerParts(ctx: MakerContext, factories: readonly MakerPartFactory[]): MakerPart[] {
  return [{ procedures: simpleProcedures(ctx) }, ...factories.map((f) => f(ctx))];
}
