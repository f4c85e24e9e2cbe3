/**
 * Error helpers of the EIP712 module. A bad signature is `xbr.error.invalid_signature`; a malformed
 * message field or key is `wamp.error.invalid_argument` naming the argument (docs/protocol.md#wire-errors).
 */
import { WampError, WampErrorUri } from '../errors.js';

/** URIs raised by this module. */
export const Eip712ErrorUri = {
  invalidSignature: 'xbr.error.invalid_signature',
  invalidArgument: WampErrorUri.invalidArgument,
} as const;

/** `xbr.error.invalid_signature` with a message saying what was wrong. */
export function invalidSignature(message: string): WampError {
  return new WampError(Eip712ErrorUri.invalidSignature, message);
}

/** `wamp.error.invalid_argument` naming the argument. */
export function invalidArgument(name: string, message: string): WampError {
  return new WampError(Eip712ErrorUri.invalidArgument, `${name}: ${message}`, { kwargs: { argument: name } });
}
