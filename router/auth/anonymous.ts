import { randomBytes } from 'node:crypto';
import type { AnonymousAuthConfig, DynamicAuthConfig } from '../config/types.js';
import { askAuthenticator, principalFrom } from './dynamic.js';
import type { AuthenticatorCall, AuthMethod } from './types.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random authid like Crossbar's `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX` for sessions that did not pick one. */
export function randomAuthid(): string {
  const bytes = randomBytes(24);
  let out = '';
  for (let i = 0; i < 24; i++) {
    if (i > 0 && i % 4 === 0) out += '-';
    out += ALPHABET[bytes[i]! % ALPHABET.length];
  }
  return out;
}

export function anonymousAuth(config: AnonymousAuthConfig | DynamicAuthConfig, call: AuthenticatorCall): AuthMethod {
  return {
    name: 'anonymous',
    async start(request) {
      if (config.type === 'dynamic') {
        const decision = await askAuthenticator(config, call, request, 'anonymous');
        return { kind: 'welcome', principal: principalFrom(decision, request, 'anonymous', randomAuthid()) };
      }
      return {
        kind: 'welcome',
        principal: {
          authid: request.authid ?? randomAuthid(),
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
