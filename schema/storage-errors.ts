/**
 * Errors raised by the storage layer; their URIs are `XbrErrorUri.storage*` and `ledgerInvariant` in
 * `error-uris.ts`. Every failure is a {@link WampError}, so the WAMP boundary can pass it on unchanged; a
 * maker that sees `xbr.error.storage*` stops serving (fail closed, docs/protocol.md#ledger-rules).
 *
 * | URI | raised when |
 * |---|---|
 * | `xbr.error.storage` | LMDB refused a read/write, a key or record is malformed, the DB is closed |
 * | `xbr.error.storage_schema` | a DB has an unknown/newer `schema_version` or the wrong `kind` |
 * | `xbr.error.storage_duplicate` | a unique index already maps the key to another record |
 * | `xbr.error.ledger_invariant` | a balance write breaks `amount == remaining + inflight + spent` or seq order |
 */
import { WampError } from './errors.js';
import { XbrErrorUri } from './error-uris.js';

/** A `xbr.error.storage` error with `details` as kwargs. */
export function storageError(message: string, kwargs: Record<string, unknown> = {}, cause?: unknown): WampError {
  return new WampError(XbrErrorUri.storage, message, cause === undefined ? { kwargs } : { kwargs, cause });
}
