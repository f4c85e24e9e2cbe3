import { WampError, WampErrorUri } from '../../schema/index.js';
import type { DynamicAuthConfig, TicketPrincipal } from '../../config/index.js';
import { askAuthenticator, principalFrom } from './dynamic.js';
import { secretsEqual } from './secrets.js';
import type { AuthenticatorCall, AuthMethod } from './types.js';

export function ticketAuth(
  config: { type: 'static'; principals: Record<string, TicketPrincipal> } | DynamicAuthConfig,
  call: AuthenticatorCall,
): AuthMethod {
  return {
    name: 'ticket',
    async start(request) {
      const authid = request.authid;
      if (authid === undefined) throw new WampError(WampErrorUri.notAuthorized, 'ticket authentication needs an authid in HELLO');
      return {
        kind: 'challenge',
        extra: {},
        async verify(ticket) {
          if (config.type === 'dynamic') {
            const decision = await askAuthenticator(config, call, request, 'ticket', { ticket });
            return principalFrom(decision, request, 'ticket', authid);
          }
          const principal = Object.hasOwn(config.principals, authid) ? config.principals[authid] : undefined;
          // Same answer for an unknown authid and a wrong ticket: which authids exist is not disclosed.
          if (!principal || !secretsEqual(principal.ticket, ticket) || (principal.realm !== undefined && principal.realm !== request.realm)) {
            throw new WampError(WampErrorUri.notAuthorized, 'invalid ticket');
          }
          return { authid, authrole: principal.role, realm: request.realm, authmethod: 'ticket', authprovider: 'static', authextra: {} };
        },
      };
    },
  };
}
