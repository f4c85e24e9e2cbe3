import { WampErrorUri, type ErrorUri } from './error-uris.js';

declare const remoteErrorUriBrand: unique symbol;

/**
 * An error URI a peer sent us (a callee's ERROR, a router's ABORT) that we pass on unchanged. It is not in
 * our catalog ({@link ErrorUri}) and is only made by {@link remoteErrorUri}, so every URI our own code
 * raises is checked against the catalog.
 */
export type RemoteErrorUri = string & { readonly [remoteErrorUriBrand]: true };

/** Marks `uri` as received from a peer (see {@link RemoteErrorUri}). */
export function remoteErrorUri(uri: string): RemoteErrorUri {
  return uri as RemoteErrorUri;
}

/**
 * The one error type of xbr-edge. Every failure that can reach a WAMP peer carries the URI it is
 * reported under, so the WAMP boundary never has to guess (`xbr.error.*`, `wamp.error.*`, ...).
 */
export class WampError extends Error {
  override readonly name = 'WampError';
  readonly uri: ErrorUri | RemoteErrorUri;
  /** Extra positional arguments for the WAMP ERROR message (after the message itself). */
  readonly args: readonly unknown[];
  /** Keyword arguments for the WAMP ERROR message. */
  readonly kwargs: Readonly<Record<string, unknown>>;

  constructor(
    uri: ErrorUri | RemoteErrorUri,
    message: string,
    options: { args?: readonly unknown[]; kwargs?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.uri = uri;
    this.args = options.args ?? [];
    this.kwargs = options.kwargs ?? {};
  }
}

/** Whether `err` is a {@link WampError} under `uri`. */
export function isError(err: unknown, uri: ErrorUri): err is WampError {
  return err instanceof WampError && err.uri === uri;
}

/** Wraps anything thrown into a WampError, keeping the original as `cause`. */
export function toWampError(err: unknown, fallbackUri: ErrorUri = WampErrorUri.runtimeError): WampError {
  if (err instanceof WampError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new WampError(fallbackUri, message, { cause: err });
}
