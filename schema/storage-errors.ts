/**
 * Error URIs raised by the storage layer. Every failure is a {@link WampError}, so the WAMP boundary can
 * pass it on unchanged; a maker that sees `xbr.error.storage*` stops serving (fail closed, docs/protocol.md#ledger-rules).
 *
 * | URI | raised when |
 * |---|---|
 * | `xbr.error.storage` | LMDB refused a read/write, a key or record is malformed, the DB is closed |
 * | `xbr.error.storage_schema` | a DB has an unknown/newer `schema_version` or the wrong `kind` |
 * | `xbr.error.storage_duplicate` | a unique index already maps the key to another record |
 * | `xbr.error.ledger_invariant` | a balance write breaks `amount == remaining + inflight + spent` or seq order |
 */
import { WampError } from './errors.js';

/** URIs of storage failures (see the module doc for when each is raised). */
export const DbErrorUri = {
  storage: 'xbr.error.storage',
  schema: 'xbr.error.storage_schema',
  duplicate: 'xbr.error.storage_duplicate',
  ledgerInvariant: 'xbr.error.ledger_invariant',
} as const;

/** A `xbr.error.storage` error with `details` as kwargs. */
export function storageError(message: string, kwargs: Record<string, unknown> = {}, cause?: unknown): WampError {
  return new WampError(DbErrorUri.storage, message, cause === undefined ? { kwargs } : { kwargs, cause });
}
