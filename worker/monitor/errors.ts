/**
 * Failures of the chain monitor. Transient RPC failures never leave the monitor (it logs and retries);
 * what does leave it — through `caughtUp()`, `closed` and the `failed` event — is one of these:
 *
 * | URI | raised when |
 * |---|---|
 * | `xbr.error.chain_mismatch` | the stored last block's hash is not the chain's block at that height (a reorg deeper than the confirmations, or the worker DB belongs to another chain, e.g. a restarted dev chain), or the node's chain id is not the expected one |
 * | `xbr.error.storage` | the worker DB refused the replica/progress write (fail closed, docs/protocol.md#ledger-rules) |
 */
import { WampError, XbrErrorUri } from '../../schema/index.js';
import { storageError } from '../../schema/db/index.js';

/** The chain no longer holds what the worker DB says was processed: continuing would corrupt the replica. */
export function chainMismatch(message: string, kwargs: Record<string, unknown>): WampError {
  return new WampError(XbrErrorUri.chainMismatch, message, { kwargs });
}

/** A worker-DB write failed; the monitor stops. */
export function monitorStorageError(message: string, kwargs: Record<string, unknown>, cause: unknown): WampError {
  return cause instanceof WampError && cause.uri.startsWith(XbrErrorUri.storage)
    ? new WampError(cause.uri, `${message}: ${cause.message}`, { kwargs: { ...cause.kwargs, ...kwargs }, cause })
    : storageError(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, kwargs, cause);
}

/** An RPC call failed (node down, timeout, inconsistent answer): retried with backoff. */
export class RpcFailure extends Error {
  override readonly name = 'RpcFailure';
  constructor(
    readonly stage: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** A channel sink threw: the range is not committed and is delivered again after a backoff. */
export class SinkFailure extends Error {
  override readonly name = 'SinkFailure';
}
