/**
 * The call shape of a maker procedure: a table URI → handler, registered in one go on the maker's
 * session by its host (worker/host/register-procedures.ts). A handler gets the call's positional and
 * keyword arguments and the caller's identity and returns the result (sent as the single positional
 * result, like autobahn's return value).
 *
 * Errors at the WAMP boundary: a `WampError` (schema/errors.ts) goes to the caller with its URI, message and
 * args; anything else is a bug or an outage — it is logged with the procedure and caller, and the caller
 * gets `wamp.error.runtime_error` with the message. Nothing is swallowed.
 *
 * Integers: callers' integers of 32 bits or more arrive as `bigint` (every binary serializer), smaller
 * ones as `number`; bytes arrive as `Uint8Array` (Buffer).
 */
import type { MakerProcedureUri, MakerResult } from '../../../schema/api/index.js';

/** Who called, as the router discloses it (the realm's roles must enable caller disclosure). */
export interface CallerDetails {
  caller?: number | bigint;
  caller_authid?: string;
  caller_authrole?: string;
}

/** One invocation of a procedure. */
export interface ProcedureCall {
  args: readonly unknown[];
  kwargs: Readonly<Record<string, unknown>>;
  details: CallerDetails;
}

/** A handler answering with `R`. */
export type ProcedureHandler<R = unknown> = (call: ProcedureCall) => Promise<R>;

/** The handler of maker procedure `P`: its result is the one the maker API (schema/api) gives `P`. */
export type MakerHandler<P extends MakerProcedureUri> = ProcedureHandler<MakerResult<P>>;

/** URI → handler, each handler typed by the maker API. */
export type ProcedureTable = { readonly [P in MakerProcedureUri]?: MakerHandler<P> };

/** Merges tables; the same URI in two tables is a programming error and throws. */
export function mergeProcedureTables(...tables: ProcedureTable[]): ProcedureTable {
  const out: Record<string, ProcedureHandler> = {};
  for (const t of tables) {
    for (const [uri, h] of Object.entries(t) as [string, ProcedureHandler][]) {
      if (uri in out) throw new Error(`procedure ${uri} is defined twice`);
      out[uri] = h;
    }
  }
  return out as ProcedureTable;
}
