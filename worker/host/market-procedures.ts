/**
 * EXTENSION POINT for the market procedures (offers, purchases, channels, consents, ...).
 *
 * A part of the market maker contributes a {@link ProcedureFactory}: given the running maker's
 * {@link MakerContext}, it returns its procedures as a table URI → handler (see `procedures.ts` for the
 * call shape and the error rules). Add the factory to {@link MARKET_PROCEDURE_FACTORIES}; the maker
 * registers the merged table when it joins its realm, and a URI defined twice fails the start.
 *
 * @example
 * // worker/market/offers/index.ts
 * export const offerProcedures: ProcedureFactory = (ctx) => ({
 *   [MarketMakerProcedure.placeOffer]: async ({ args, kwargs, details }) => placeOffer(ctx, args, kwargs, details),
 * });
 */
import type { MakerContext } from './context.js';
import { mergeProcedureTables, type ProcedureTable } from './procedures.js';
import { simpleProcedures } from './simple-procedures.js';

/** Builds procedures for one maker. It may read state, but must not register anything itself. */
export type ProcedureFactory = (ctx: MakerContext) => ProcedureTable;

/** The factories of the market procedures; add new ones here (e.g. `offerProcedures`, `ledgerProcedures`). */
export const MARKET_PROCEDURE_FACTORIES: readonly ProcedureFactory[] = [
  // offerProcedures,   (worker/market/offers)
  // ledgerProcedures,  (worker/market/ledger)
];

/** Every procedure a maker registers: the simple ones plus those of `factories`. */
export function makerProcedures(ctx: MakerContext, factories: readonly ProcedureFactory[] = MARKET_PROCEDURE_FACTORIES): ProcedureTable {
  return mergeProcedureTables(simpleProcedures(ctx), ...factories.map((f) => f(ctx)));
}
