/**
 * Errors raised by the seller's key handling. They never travel to the market maker: the seller's own
 * code sees them (a refused `encrypt`, an archive that will not open), so the URIs
 * (`XbrErrorUri.keySeriesNotRunning`, `keyRotationFailed`, `keyArchiveWrongSecret` in `schema/error-uris.ts`)
 * are only seen by the delegate's own code.
 */
import { WampError, XbrErrorUri } from '../../schema/index.js';

/** `xbr.error.key_series_not_running` with the series' API id and state as details. */
export function notRunningError(message: string, kwargs: Record<string, unknown> = {}): WampError {
  return new WampError(XbrErrorUri.keySeriesNotRunning, message, { kwargs });
}
