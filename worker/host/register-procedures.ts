/**
 * Registration of a maker's procedures on its wampy session: the table of its parts (worker/market, call
 * shape in `worker/market/api/procedure.ts`) is registered in one go, every invocation passes the access
 * check before its handler runs, and what a handler throws becomes the caller's WAMP ERROR.
 *
 * Errors at the WAMP boundary: a {@link WampError} goes to the caller with its URI, message and args;
 * anything else is a bug or an outage — it is logged with the procedure and caller, and the caller
 * gets `wamp.error.runtime_error` with the message. Nothing is swallowed.
 */
import type { Wampy } from 'wampy';
import { WampError, WampErrorUri, remoteErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import { authorizeCaller, PROCEDURE_ACCESS, type CallerDetails, type ProcedureHandler, type ProcedureTable } from '../market/index.js';

/** The part of a wampy session the framework uses. */
export type ProcedureSession = Pick<Wampy, 'register' | 'unregister'>;

/** The WAMP ERROR payload wampy sends for a failed invocation. */
export interface InvocationError {
  error: string;
  argsList: unknown[];
  argsDict?: Record<string, unknown>;
}

/**
 * Maps a thrown value to the caller's error: WampError as is, anything else logged and reported as
 * `wamp.error.runtime_error`.
 */
function toInvocationError(err: unknown, uri: string, details: CallerDetails, log: Logger): InvocationError {
  if (err instanceof WampError) {
    log.debug('procedure failed', { procedure: uri, error_uri: err.uri, error: err.message, caller_authid: details.caller_authid });
    return {
      error: err.uri,
      argsList: [err.message, ...err.args],
      ...(Object.keys(err.kwargs).length > 0 ? { argsDict: { ...err.kwargs } } : {}),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  log.error('procedure raised an unexpected error', {
    procedure: uri,
    caller: details.caller,
    caller_authid: details.caller_authid,
    caller_authrole: details.caller_authrole,
    error: err instanceof Error ? err : message,
    stack: err instanceof Error ? err.stack : undefined,
  });
  return { error: WampErrorUri.runtimeError, argsList: [message] };
}

function callerDetails(d: Record<string, unknown> | undefined): CallerDetails {
  const out: CallerDetails = {};
  const caller = d?.['caller'];
  if (typeof caller === 'number' || typeof caller === 'bigint') out.caller = caller;
  if (typeof d?.['caller_authid'] === 'string') out.caller_authid = d['caller_authid'];
  if (typeof d?.['caller_authrole'] === 'string') out.caller_authrole = d['caller_authrole'];
  return out;
}

/**
 * Lets a call of `uri` run, or throws why not (the caller gets the error); the returned function is called once
 * the handler has finished. The maker's storage fence (`storage-fence.ts`) refuses calls through it.
 */
export type AdmitCall = (uri: string) => () => void;

/**
 * Wraps `handler` as a wampy RPC callback; the caller is authorized (`worker/market/api/access.ts`) and then
 * admitted (`admit`) before the handler runs.
 */
export function wampyCallback(uri: string, handler: ProcedureHandler, log: Logger, admit?: AdmitCall) {
  return async (inv: { argsList?: unknown[]; argsDict?: Record<string, unknown>; details?: Record<string, unknown> }) => {
    const details = callerDetails(inv.details);
    let result: unknown;
    try {
      authorizeCaller(uri, details);
      const done = admit?.(uri);
      try {
        result = await handler({ args: inv.argsList ?? [], kwargs: inv.argsDict ?? {}, details });
      } finally {
        done?.();
      }
    } catch (err) {
      // wampy turns a thrown {error, argsList, argsDict} into the WAMP ERROR message.
      throw toInvocationError(err, uri, details, log);
    }
    return { argsList: [result ?? null] };
  };
}

/** Registrations made by {@link registerProcedures}; `unregister()` removes them all. */
export interface Registered {
  readonly uris: readonly string[];
  unregister(): Promise<void>;
}

/**
 * Registers every procedure of `table` on `session`. If one fails (e.g. `wamp.error.procedure_already_exists`:
 * another maker serves the realm), those already registered are removed again and the error is thrown —
 * a maker with half its API is not running. Every call passes `admit` (when given) after its access check.
 * @example const reg = await registerProcedures(session, partProcedures(makerParts(ctx)), log);
 */
export async function registerProcedures(session: ProcedureSession, table: ProcedureTable, log: Logger, admit?: AdmitCall): Promise<Registered> {
  const done: string[] = [];
  const unregister = async (): Promise<void> => {
    for (const uri of done.splice(0).reverse()) {
      try {
        await session.unregister(uri);
      } catch (err) {
        log.warn('could not unregister procedure', { procedure: uri, error: err as Error });
      }
    }
  };
  // A procedure nobody decided who may call is a programming error, found before anything is registered.
  const unruled = Object.keys(table).filter((uri) => PROCEDURE_ACCESS[uri] === undefined);
  if (unruled.length > 0) throw new WampError(WampErrorUri.runtimeError, `procedures without an access rule (worker/market/api/access.ts): ${unruled.join(', ')}`);
  for (const [uri, handler] of Object.entries(table)) {
    try {
      await session.register(uri, wampyCallback(uri, handler, log, admit) as never);
    } catch (err) {
      const errorUri = (err as { errorUri?: unknown }).errorUri;
      await unregister();
      throw new WampError(typeof errorUri === 'string' ? remoteErrorUri(errorUri) : WampErrorUri.runtimeError, `cannot register ${uri}: ${typeof errorUri === 'string' ? errorUri : (err as Error).message}`, { cause: err });
    }
    done.push(uri);
  }
  const uris = [...done];
  return { uris, unregister };
}
