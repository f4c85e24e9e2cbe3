/**
 * Errors raised by the seller's key handling. They never travel to the market maker: the seller's own
 * code sees them (a refused `encrypt`, an archive that will not open), so the URIs are local to the
 * delegate and not part of the shared table in `schema/uris.ts`.
 */
import { WampError } from '../../schema/index.js';

/** URIs of key-series and key-archive failures. */
export const SellerKeyErrorUri = {
  /** `encrypt`/`start`/`stop` called in a state that does not allow it (e.g. encrypt after stop). */
  keySeriesNotRunning: 'xbr.error.key_series_not_running',
  /** The `onRotate` hook of a fresh key failed; the key was discarded and encrypted nothing. */
  keyRotationFailed: 'xbr.error.key_rotation_failed',
  /** The key archive was written under another delegate key, so none of its keys can be read. */
  keyArchiveWrongSecret: 'xbr.error.key_archive_wrong_secret',
} as const;

/** `xbr.error.key_series_not_running` with the series' API id and state as details. */
export function notRunningError(message: string, kwargs: Record<string, unknown> = {}): WampError {
  return new WampError(SellerKeyErrorUri.keySeriesNotRunning, message, { kwargs });
}
