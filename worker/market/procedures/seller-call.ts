/**
 * Calls a seller delegate's procedure (`xbr.provider.<seller_authid>.*`) with a deadline. A seller that
 * never answers must not hold a buyer's reservation (or a quote request) for ever, so the maker stops
 * waiting after `timeoutMs` and reports `xbr.error.transaction_failed`; the seller's own WampErrors
 * (e.g. `xbr.error.unexpected_channel_seq`, `wamp.error.no_such_procedure`) pass through unchanged
 * (docs/protocol.md#buy-key-errors).
 *
 * The deadline is asked of the router too (WAMP call `timeout`), so the router cancels the invocation
 * at the seller; the local timer (slightly later) covers a router that ignores the option.
 */
import { WampError, WampErrorUri, isError } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import type { MakerSession } from '../api/index.js';

/** Default deadline of a seller call (ms). */
export const DEFAULT_SELLER_TIMEOUT_MS = 10_000;

/**
 * The first positional result of `uri(args, kwargs)`, or a WampError: the seller's, or
 * `xbr.error.transaction_failed` when it did not answer within `timeoutMs`. Only the seller may answer: the
 * call asks the router for an exact registration held by a session with `sellerAuthid` (the offer's
 * authenticated seller), so neither a pattern registration nor another session can take the call.
 * @example const receipt = await callSeller(ctx.session, offer.seller_authid, providerSellUri(offer.seller_authid), args, { close_at }, 10_000);
 */
export async function callSeller(
  session: MakerSession,
  sellerAuthid: string,
  uri: string,
  args: unknown[],
  kwargs: Record<string, unknown> | undefined,
  timeoutMs: number,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WampError(XbrErrorUri.transactionFailed, `seller delegate did not answer ${uri} within ${timeoutMs} ms`)), timeoutMs + 250);
  });
  try {
    const r = await Promise.race([session.call(uri, args, kwargs, { timeout: timeoutMs, calleeAuthid: sellerAuthid }), deadline]);
    return r.args[0];
  } catch (err) {
    // The router's timeout is ours, not the seller's answer: report it as the local deadline would.
    if (isError(err, WampErrorUri.timeout)) {
      throw new WampError(XbrErrorUri.transactionFailed, `seller delegate did not answer ${uri} within ${timeoutMs} ms`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** A positive integer of milliseconds from the environment variable `name`, else `fallback`. */
export function envMs(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new WampError(WampErrorUri.invalidArgument, `${name}: expected a positive integer of milliseconds, got ${JSON.stringify(raw)}`);
  return n;
}
