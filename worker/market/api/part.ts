/**
 * EXTENSION POINT for the parts of a market maker (offers, purchases, channels, consents, ...).
 *
 * A part contributes a {@link MakerPartFactory}: given the running maker's {@link MakerContext}, it returns
 * a {@link MakerPart} — its procedures (URI → handler, see `procedure.ts` for the call shape and the error
 * rules) and optional `start` / `stop` steps. The factory is called once per maker start, so a part may keep
 * per-maker state (locks, caches) in its closure. Add the factory to `MAKER_PARTS` (worker/market/parts/index.ts).
 *
 * Order at start: every part's `start()` (in list order; e.g. resolve INFLIGHT purchases) → the merged
 * procedures are registered (a URI defined twice fails the start) → RUNNING. At stop: unregister → every
 * part's `stop()` in reverse order → the session leaves.
 *
 * @example
 * export const offerPart: MakerPartFactory = (ctx) => ({
 *   procedures: { [MarketMakerProcedure.getOffer]: async ({ args }) => getOffer(ctx.makerDb, uuidArg('offer_id', args[0])) },
 * });
 */
import type { MakerContext } from './context.js';
import { mergeProcedureTables, type ProcedureTable } from './procedure.js';

/** What one part of a maker contributes. */
export interface MakerPart {
  /** Procedures to register in the maker's realm. */
  readonly procedures?: ProcedureTable;
  /** Runs before the procedures are registered; a throw fails the maker's start. */
  start?(): Promise<void>;
  /** Runs after the procedures were unregistered, while the session is still up. */
  stop?(): Promise<void>;
}

/** Builds one part for one maker. It may read state, but must not register anything itself. */
export type MakerPartFactory = (ctx: MakerContext) => MakerPart;

/** Every procedure of `parts`, merged (a URI defined twice throws). */
export function partProcedures(parts: readonly MakerPart[]): ProcedureTable {
  return mergeProcedureTables(...parts.map((p) => p.procedures ?? {}));
}
