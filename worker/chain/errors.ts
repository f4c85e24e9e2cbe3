/**
 * Error URIs of the chain transaction sender. Every failure is a {@link WampError}:
 *
 * | URI | raised when |
 * |---|---|
 * | `xbr.error.transaction_failed` | gas estimation reverted, the node refused the transaction, or it was mined with status 0 (kwargs say which: `stage`) |
 * | `wamp.error.timeout` | no receipt (or not enough confirmations) within the timeout; the journal entry stays open |
 * | `xbr.error.storage` | the broadcast journal could not be written; the sender then refuses every further send (fail closed) |
 */
import { WampError, XbrErrorUri } from '../../schema/index.js';

/** Where a transaction failed. */
export type FailureStage = 'estimate' | 'fees' | 'sign' | 'broadcast' | 'receipt';

/** A `xbr.error.transaction_failed` error; `kwargs.stage` tells where it failed. */
export function transactionFailed(message: string, kwargs: Record<string, unknown> & { stage: FailureStage }, cause?: unknown): WampError {
  return new WampError(XbrErrorUri.transactionFailed, message, cause === undefined ? { kwargs } : { kwargs, cause });
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
