/**
 * One WAMP call from a delegate (seller or buyer) through a wampy client: positional and keyword arguments
 * in, the first positional result out, and a failure as a {@link WampError} carrying the callee's URI,
 * message (its first positional argument), remaining arguments and kwargs — the buyer reads the
 * maker-signed refund state of a failed purchase from those kwargs. Delegates are plain WAMP clients, so
 * this does not borrow from the maker's host.
 *
 * A client without a WAMP session (wampy's `getSessionId()` is null: the connection was lost or closed)
 * fails the call at once: wampy would queue it until a reconnect that may never come, and a delegate
 * waiting on it (a seller placing an offer, a buyer buying) would hang for ever, `stop()` included.
 * {@link isUnanswered} tells such a call (and one the router answered for a callee that did not) from the
 * callee's own error.
 */
import { WampError, WampErrorUri, remoteErrorUri } from '../../schema/index.js';

/** What a delegate needs of a wampy client's `call` (structural, so callers need not import wampy). */
export interface WampCaller {
  call(uri: string, payload?: unknown, options?: unknown): Promise<unknown>;
  /** wampy's: the WAMP session id, null while the client has none. */
  getSessionId?(): number | null | undefined;
}

interface WampyCallError {
  errorUri: string;
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
}

/** Failures {@link wampCall} made itself: the call got no answer at all. */
const localFailures = new WeakSet<WampError>();

function local(err: WampError): WampError {
  localFailures.add(err);
  return err;
}

/** Router errors that answer for a callee that did not: it left, the call was canceled, or it timed out. */
const NO_ANSWER_URIS: ReadonlySet<string> = new Set([WampErrorUri.canceled, WampErrorUri.timeout]);

/**
 * Whether a failed call got no answer from its callee, so the caller cannot know whether it ran: the call
 * failed here (no WAMP session, the connection closed while it was pending) or the router answered for the
 * callee (`wamp.error.canceled`: the callee left or the call was canceled; `wamp.error.timeout`). Any other
 * error is the callee's answer (or the router's refusal before the callee was reached). A caller that must
 * not act twice re-sends the identical call (the maker answers an identical `buy_key` again).
 * @example if (isUnanswered(err)) pending = { args, kwargs }; // send the same again later
 */
export function isUnanswered(err: unknown): boolean {
  return err instanceof WampError && (localFailures.has(err) || NO_ANSWER_URIS.has(err.uri));
}

function isWampyError(err: unknown): err is WampyCallError {
  return typeof err === 'object' && err !== null && typeof (err as { errorUri?: unknown }).errorUri === 'string';
}

/**
 * Calls `uri` and resolves with the first positional result.
 * @throws WampError with the callee's error URI, or `wamp.error.runtime_error` when the call failed locally
 *   (including a client without a WAMP session)
 */
export async function wampCall(client: WampCaller, uri: string, args: unknown[] = [], kwargs?: Record<string, unknown>): Promise<unknown> {
  if (typeof client.getSessionId === 'function' && (client.getSessionId() ?? null) === null) {
    // No URI on the cause: callers treat it as a lost transport (e.g. place_offer retries).
    throw local(new WampError(WampErrorUri.runtimeError, `${uri}: the WAMP session is closed`, { cause: new Error('no WAMP session') }));
  }
  let r: unknown;
  try {
    r = await client.call(uri, { argsList: args, ...(kwargs === undefined ? {} : { argsDict: kwargs }) });
  } catch (err) {
    if (err instanceof WampError) throw err;
    if (!isWampyError(err)) throw local(new WampError(WampErrorUri.runtimeError, `${uri}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    const [message, ...rest] = err.argsList ?? [];
    throw new WampError(remoteErrorUri(err.errorUri), typeof message === 'string' ? message : `${uri} failed: ${err.errorUri}`, { args: rest, kwargs: err.argsDict ?? {}, cause: err });
  }
  return (r as { argsList?: unknown[] } | undefined)?.argsList?.[0];
}
