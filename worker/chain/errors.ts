/**
 * Error URIs of the chain transaction sender. Every failure is a {@link WampError}:
 *
 * | URI | raised when |
 * |---|---|
 * | `xbr.error.transaction_failed` | gas estimation reverted, the node refused the transaction or could not tell the chain id, nonce or fate of earlier transactions, or it was mined with status 0 (kwargs say which: `stage`) |
 * | `wamp.error.timeout` | no receipt (or not enough confirmations) within the timeout, the node unreachable meanwhile or not; the journal entry stays open |
 * | `xbr.error.chain_unavailable` | a read of the node failed ({@link chainRead}): nothing was done |
 * | `xbr.error.storage` | the broadcast journal could not be written; the sender then refuses every further send (fail closed) |
 */
import { WampError, XbrErrorUri } from '../../schema/index.js';

/** Where a transaction failed. */
export type FailureStage = 'estimate' | 'fees' | 'sign' | 'broadcast' | 'receipt';

/** A `xbr.error.transaction_failed` error; `kwargs.stage` tells where it failed. */
export function transactionFailed(message: string, kwargs: Record<string, unknown> & { stage: FailureStage }, cause?: unknown): WampError {
  return new WampError(XbrErrorUri.transactionFailed, message, cause === undefined ? { kwargs } : { kwargs, cause });
}

/**
 * Runs a read of the chain node; a failure that is not already a WampError (connection refused or reset, a
 * node restarting) becomes `xbr.error.chain_unavailable` naming `what` was asked, instead of an anonymous
 * runtime error: the caller knows nothing was done and may ask again.
 * @example const head = BigInt(await chainRead('the current block', () => provider.getBlockNumber()));
 */
export async function chainRead<T>(what: string, fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    if (options.timeoutMs === undefined) return await fn();
    // A node that stalls answers nothing at all: give up after `timeoutMs` rather than hold the caller.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WampError(XbrErrorUri.chainUnavailable, `the chain node cannot be asked for ${what}: no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    return await Promise.race([fn(), deadline]);
  } catch (err) {
    if (err instanceof WampError) throw err;
    throw new WampError(XbrErrorUri.chainUnavailable, `the chain node cannot be asked for ${what}: ${errorText(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Short text of anything thrown (ethers errors carry a `shortMessage`). */
export function errorText(err: unknown): string {
  if (err !== null && typeof err === 'object') {
    // ethers wraps a node's JSON-RPC error as `error`; its message is the useful one.
    const inner = (err as { error?: { message?: unknown } }).error?.message;
    if (typeof inner === 'string') return inner;
    const short = (err as { shortMessage?: unknown }).shortMessage;
    if (typeof short === 'string') return short;
  }
  return err instanceof Error ? err.message : String(err);
}
