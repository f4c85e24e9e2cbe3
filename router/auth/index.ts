import type { AuthConfig } from '../../config/index.js';
import { anonymousAuth } from './anonymous.js';
import { cryptosignAuth } from './cryptosign.js';
import { ticketAuth } from './ticket.js';
import { wampcraAuth } from './wampcra.js';
import type { AuthenticatorCall, AuthMethod } from './types.js';

export type { AuthMethod, AuthRequest, Principal, AuthenticatorCall } from './types.js';
export { wampcraKey, wampcraSignature } from './wampcra.js';
export { verifyCryptosign, ed25519PublicKey } from './cryptosign.js';

/** The authentication methods a transport offers, by WAMP authmethod name. */
export function createAuthMethods(config: AuthConfig, call: AuthenticatorCall): Map<string, AuthMethod> {
  const methods = new Map<string, AuthMethod>();
  if (config.anonymous) methods.set('anonymous', anonymousAuth(config.anonymous, call));
  if (config.ticket) methods.set('ticket', ticketAuth(config.ticket, call));
  if (config.wampcra) methods.set('wampcra', wampcraAuth(config.wampcra, call));
  if (config.cryptosign) methods.set('cryptosign', cryptosignAuth(config.cryptosign, call));
  return methods;
}
