import { createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { DynamicAuthConfig, WampcraUser } from '../../config/index.js';
import type { Dict } from '../wamp/messages.js';
import { askAuthenticator, principalFrom } from './dynamic.js';
import { secretsEqual } from './secrets.js';
import type { AuthenticatorCall, AuthMethod, Principal } from './types.js';

/** The key a client signs the challenge with: the secret itself, or its PBKDF2-SHA256 derivation in base64. */
export function wampcraKey(secret: string, salt?: string, iterations?: number, keylen?: number): string {
  if (salt === undefined) return secret;
  return pbkdf2Sync(secret, salt, iterations ?? 1000, keylen ?? 32, 'sha256').toString('base64');
}

export function wampcraSignature(key: string, challenge: string): string {
  return createHmac('sha256', key).update(challenge).digest('base64');
}

export function wampcraAuth(
  config: { type: 'static'; users: Record<string, WampcraUser> } | DynamicAuthConfig,
  call: AuthenticatorCall,
): AuthMethod {
  return {
    name: 'wampcra',
    async start(request) {
      const authid = request.authid;
      if (authid === undefined) throw new WampError(WampErrorUri.notAuthorized, 'wampcra authentication needs an authid in HELLO');
      let user: WampcraUser;
      let principal: Principal;
      if (config.type === 'dynamic') {
        const decision = await askAuthenticator(config, call, request, 'wampcra');
        if (decision.secret === undefined) throw new WampError(WampErrorUri.authenticationFailed, 'authenticator returned no secret for wampcra');
        user = { secret: decision.secret, role: decision.role };
        if (decision.salt !== undefined) user.salt = decision.salt;
        if (decision.iterations !== undefined) user.iterations = decision.iterations;
        if (decision.keylen !== undefined) user.keylen = decision.keylen;
        principal = principalFrom(decision, request, 'wampcra', authid);
      } else {
        const known = Object.hasOwn(config.users, authid) ? config.users[authid] : undefined;
        // An unknown user still gets a challenge (with a random secret), so authids cannot be probed.
        user = known && (known.realm === undefined || known.realm === request.realm)
          ? known
          : { secret: randomBytes(32).toString('hex'), role: '' };
        principal = { authid, authrole: user.role, realm: request.realm, authmethod: 'wampcra', authprovider: 'static', authextra: {} };
      }
      const challenge = JSON.stringify({
        authid: principal.authid,
        authrole: principal.authrole,
        authmethod: 'wampcra',
        authprovider: principal.authprovider,
        nonce: randomBytes(16).toString('base64'),
        timestamp: new Date().toISOString(),
        session: request.sessionId,
      });
      const extra: Dict = { challenge };
      if (user.salt !== undefined) {
        extra['salt'] = user.salt;
        extra['iterations'] = user.iterations ?? 1000;
        extra['keylen'] = user.keylen ?? 32;
      }
      const expected = wampcraSignature(wampcraKey(user.secret, user.salt, user.iterations, user.keylen), challenge);
      return {
        kind: 'challenge',
        extra,
        async verify(signature) {
          if (principal.authrole === '' || !secretsEqual(expected, signature)) throw new WampError(WampErrorUri.notAuthorized, 'invalid wampcra signature');
          return principal;
        },
      };
    },
  };
}
