import { randomBytes } from 'node:crypto';
import type { AnonymousAuthConfig, DynamicAuthConfig } from '../../config/index.js';
import { askAuthenticator, principalFrom } from './dynamic.js';
import type { AuthenticatorCall, AuthMethod } from './types.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Prefix of every authid the router assigns to an anonymous session. */
const ANONYMOUS_AUTHID_PREFIX = 'anonymous-';

/** A random authid like Crossbar's `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX`. */
function randomAuthid(): string {
  const bytes = randomBytes(24);
  let out = '';
  for (let i = 0; i < 24; i++) {
    if (i > 0 && i % 4 === 0) out += '-';
    out += ALPHABET[bytes[i]! % ALPHABET.length];
  }
  return out;
}

/** `anonymous-XXXX-…`: what an anonymous session is called, whatever it asked for. */
function anonymousAuthid(): string {
  return ANONYMOUS_AUTHID_PREFIX + randomAuthid();
}

/**
 * Anonymous authentication. An authid means something only once it is authenticated, so the authid a
 * client asks for in HELLO is never kept: the session gets a fresh router-assigned `anonymous-…` authid
 * (a client naming itself `member-0x…` must not be taken for that member by anyone who trusts authids).
 * A dynamic authenticator may assign an authid; it is not given the client's claim as a fallback either.
 */
export function anonymousAuth(config: AnonymousAuthConfig | DynamicAuthConfig, call: AuthenticatorCall): AuthMethod {
  return {
    name: 'anonymous',
    async start(request) {
      if (config.type === 'dynamic') {
        const decision = await askAuthenticator(config, call, request, 'anonymous');
        return { kind: 'welcome', principal: principalFrom(decision, { ...request, authid: undefined }, 'anonymous', anonymousAuthid()) };
      }
      return {
        kind: 'welcome',
        principal: {
          authid: anonymousAuthid(),
          authrole: config.role,
          realm: request.realm,
          authmethod: 'anonymous',
          authprovider: 'static',
          authextra: {},
        },
      };
    },
  };
}
