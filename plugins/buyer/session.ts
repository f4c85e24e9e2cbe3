/**
 * The WAMP calls a buyer makes, as one small interface: a wampy client works directly (its errors become
 * {@link WampError}s with the callee's URI, message and kwargs, so the buyer can read the maker-signed
 * refund state of a failed purchase), and any other client can be plugged in through the interface.
 */
import { WampError, WampErrorUri } from '../../schema/errors.js';

/** Calls `uri` and resolves with the first positional result; failures reject with a {@link WampError}. */
export interface BuyerSession {
  call(uri: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
}

/** What the buyer needs of a wampy client (structural, so no wampy import is forced on callers). */
export interface WampyLike {
  call(uri: string, payload?: unknown, options?: unknown): Promise<{ argsList?: unknown[]; argsDict?: Record<string, unknown> } | unknown>;
  getSessionId(): number | null;
}

interface WampyCallError {
  errorUri: string;
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
}

function isWampyError(err: unknown): err is WampyCallError {
  return typeof err === 'object' && err !== null && typeof (err as { errorUri?: unknown }).errorUri === 'string';
}

/** Adapts a wampy client: positional/keyword arguments in, first positional result out, errors as WampError. */
export function wampySession(client: WampyLike): BuyerSession {
  return {
    async call(uri, args = [], kwargs) {
      let r: unknown;
      try {
        r = await client.call(uri, { argsList: args, ...(kwargs === undefined ? {} : { argsDict: kwargs }) });
      } catch (err) {
        if (!isWampyError(err)) throw new WampError(WampErrorUri.runtimeError, `${uri}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        const [message, ...rest] = err.argsList ?? [];
        throw new WampError(err.errorUri, typeof message === 'string' ? message : `${uri} failed`, { args: rest, kwargs: err.argsDict ?? {}, cause: err });
      }
      return (r as { argsList?: unknown[] } | undefined)?.argsList?.[0];
    },
  };
}

/** A {@link BuyerSession} as given, or a wampy client adapted by {@link wampySession}. */
export function toBuyerSession(session: BuyerSession | WampyLike): BuyerSession {
  return typeof (session as WampyLike).getSessionId === 'function' ? wampySession(session as WampyLike) : (session as BuyerSession);
}
