/**
 * Error helpers of the EIP712 module. A bad signature is `xbr.error.invalid_signature`; a malformed
 * message field or key is `wamp.error.invalid_argument` naming the argument (docs/protocol.md#wire-errors).
 */
import { WampError } from '../errors.js';
import { WampErrorUri, XbrErrorUri } from '../error-uris.js';

/** `xbr.error.invalid_signature` with a message saying what was wrong. */
export function invalidSignature(message: string): WampError {
  return new WampError(XbrErrorUri.invalidSignature, message);
}

/** `wamp.error.invalid_argument` naming the argument. */
export function invalidArgument(name: string, message: string): WampError {
  return new WampError(WampErrorUri.invalidArgument, `${name}: ${message}`, { kwargs: { argument: name } });
}
