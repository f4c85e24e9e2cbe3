/**
 * The WAMP calls a buyer makes, as one small interface: a wampy client works directly (its errors become
 * `WampError`s with the callee's URI, message and kwargs, so the buyer can read the maker-signed
 * refund state of a failed purchase), and any other client can be plugged in through the interface.
 */
import { wampCall } from '../common/index.js';

/** Calls `uri` and resolves with the first positional result; failures reject with a `WampError`. */
export interface BuyerSession {
  call(uri: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
}

/** What the buyer needs of a wampy client (structural, so no wampy import is forced on callers). */
export interface WampyLike {
  call(uri: string, payload?: unknown, options?: unknown): Promise<{ argsList?: unknown[]; argsDict?: Record<string, unknown> } | unknown>;
  getSessionId(): number | null;
}

/** Adapts a wampy client: positional/keyword arguments in, first positional result out, errors as WampError. */
export function wampySession(client: WampyLike): BuyerSession {
  return { call: (uri, args = [], kwargs) => wampCall(client, uri, args, kwargs) };
}

/** A {@link BuyerSession} as given, or a wampy client adapted by {@link wampySession}. */
export function toBuyerSession(session: BuyerSession | WampyLike): BuyerSession {
  return typeof (session as WampyLike).getSessionId === 'function' ? wampySession(session as WampyLike) : (session as BuyerSession);
}
