/**
 * A delegate's call of a market-maker procedure, typed by the maker API (schema/api): the arguments the API
 * names go out, and the first positional result comes back read by the API's reader for that procedure.
 *
 * An answer that is not what the API says is the maker's fault, not the delegate's caller's: it is reported
 * as `xbr.error.invalid_transaction` naming the procedure and the field, never as an argument error of the
 * delegate's own API.
 */
import { readMakerResult, type MakerArgs, type MakerKwargs, type MakerProcedureUri, type MakerResult } from '../../schema/api/index.js';
import { WampError, XbrErrorUri } from '../../schema/index.js';

/** Calls `uri` with positional and keyword arguments and resolves with the first positional result. */
export type CallFn = (uri: string, args?: unknown[], kwargs?: Record<string, unknown>) => Promise<unknown>;

/**
 * Runs `read` on what the maker sent; a failure becomes `xbr.error.invalid_transaction` saying what was unusable.
 * @example fromMaker('refund state', () => uint256Arg('remaining', kwargs['remaining']))
 */
export function fromMaker<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new WampError(XbrErrorUri.invalidTransaction, `the market maker sent an unusable ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * Calls maker procedure `uri` through `call` and reads its result as the maker API says it is.
 * @throws WampError the maker's (or router's) error as `call` reports it; `xbr.error.invalid_transaction`
 *   when the answer is not what the API allows
 */
export async function callMaker<P extends MakerProcedureUri>(call: CallFn, uri: P, args: MakerArgs<P>, kwargs?: MakerKwargs<P>): Promise<MakerResult<P>> {
  const raw = await call(uri, [...args], kwargs as Record<string, unknown> | undefined);
  return fromMaker(`${uri} result`, () => readMakerResult(uri, raw));
}
