/**
 * The seller's side of a wampy session: calls that fail with a {@link WampError} carrying the peer's URI,
 * and procedures whose WampErrors reach the caller with their URI, message and kwargs (anything else is
 * logged and reported as `wamp.error.runtime_error`). Kept here rather than borrowed from the maker host:
 * a delegate is a plain WAMP client and does not depend on the worker.
 */
import type { Wampy } from 'wampy';
import { WampError, WampErrorUri, remoteErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import { wampCall, type CallFn, type WampCaller } from '../common/index.js';

/** What the seller needs of a wampy session. */
export type SellerSession = Pick<Wampy, 'call' | 'register' | 'unregister'> & { getOptions?: () => { authid?: unknown } };

/** A procedure of the seller: positional args, keyword args → the single positional result. */
export type SellerProcedure = (args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>) => Promise<unknown>;

/**
 * Calls `uri` and returns the first positional result.
 * @throws WampError with the callee's error URI (message = its first positional argument)
 */
export async function callProcedure(session: SellerSession, uri: string, args: unknown[] = [], kwargs?: Record<string, unknown>): Promise<unknown> {
  return wampCall(session as WampCaller, uri, args, kwargs);
}

/** `session`'s calls as a {@link CallFn}, for `callMaker`. */
export function makerCalls(session: SellerSession): CallFn {
  return (uri, args, kwargs) => callProcedure(session, uri, args, kwargs);
}

/** Registers `handler` under `uri`, mapping its errors to WAMP errors. */
export async function registerProcedure(session: SellerSession, uri: string, handler: SellerProcedure, log: Logger): Promise<void> {
  const callback = async (inv: { argsList?: unknown[]; argsDict?: Record<string, unknown> }): Promise<{ argsList: unknown[] }> => {
    try {
      return { argsList: [(await handler(inv.argsList ?? [], inv.argsDict ?? {})) ?? null] };
    } catch (err) {
      if (err instanceof WampError) {
        log.info('procedure refused', { procedure: uri, error_uri: err.uri, error: err.message });
        // wampy turns a thrown {error, argsList, argsDict} into the WAMP ERROR message.
        throw { error: err.uri, argsList: [err.message, ...err.args], ...(Object.keys(err.kwargs).length > 0 ? { argsDict: { ...err.kwargs } } : {}) };
      }
      log.error('procedure raised an unexpected error', { procedure: uri, error: err as Error, stack: (err as Error)?.stack });
      throw { error: WampErrorUri.runtimeError, argsList: [err instanceof Error ? err.message : String(err)] };
    }
  };
  try {
    await session.register(uri, callback as never);
  } catch (err) {
    const errorUri = (err as { errorUri?: unknown }).errorUri;
    throw new WampError(typeof errorUri === 'string' ? remoteErrorUri(errorUri) : WampErrorUri.runtimeError, `cannot register ${uri}: ${typeof errorUri === 'string' ? errorUri : (err as Error).message}`, { cause: err });
  }
}

/** Unregisters `uri`; a failure is logged (the session may be gone already). */
export async function unregisterProcedure(session: SellerSession, uri: string, log: Logger): Promise<void> {
  try {
    await session.unregister(uri);
  } catch (err) {
    log.warn('could not unregister procedure', { procedure: uri, error: err as Error });
  }
}
