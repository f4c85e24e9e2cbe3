import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { CryptosignPrincipal, DynamicAuthConfig } from '../../config/index.js';
import { askAuthenticator, normalizePubkey, principalFrom } from './dynamic.js';
import type { AuthenticatorCall, AuthMethod, Principal } from './types.js';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** node:crypto's native Ed25519 (about 100× faster than tweetnacl for verification). */
export function ed25519PublicKey(hex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

/**
 * Checks a WAMP-cryptosign AUTHENTICATE signature: hex of the 64-byte Ed25519 signature, followed
 * (as autobahn and wampy send it) by the hex of the signed 32-byte challenge.
 */
export function verifyCryptosign(signatureHex: string, challenge: Buffer, key: KeyObject): boolean {
  if (!/^[0-9a-fA-F]*$/.test(signatureHex)) return false;
  if (signatureHex.length !== 128 && signatureHex.length !== 192) return false;
  const signed = Buffer.from(signatureHex, 'hex');
  if (signed.length === 96 && !signed.subarray(64).equals(challenge)) return false;
  try {
    return verify(null, challenge, key, signed.subarray(0, 64));
  } catch {
    return false;
  }
}

export function cryptosignAuth(
  config: { type: 'static'; principals: Record<string, CryptosignPrincipal> } | DynamicAuthConfig,
  call: AuthenticatorCall,
): AuthMethod {
  // Static principals are indexed by key once, so a HELLO costs one map lookup.
  const byKey = new Map<string, { authid: string; principal: CryptosignPrincipal }>();
  if (config.type === 'static') {
    for (const [authid, principal] of Object.entries(config.principals)) {
      for (const k of principal.authorized_keys) byKey.set(k.toLowerCase(), { authid, principal });
    }
  }
  return {
    name: 'cryptosign',
    async start(request) {
      const pubkey = normalizePubkey(request.authextra['pubkey']);
      if (!pubkey) throw new WampError(WampErrorUri.notAuthorized, 'cryptosign needs authextra.pubkey: the 32-byte Ed25519 public key in hex');
      let principal: Principal;
      if (config.type === 'dynamic') {
        const decision = await askAuthenticator(config, call, request, 'cryptosign');
        if (decision.pubkey !== undefined && decision.pubkey !== pubkey) {
          throw new WampError(WampErrorUri.notAuthorized, 'authenticator returned a different public key than the client presented');
        }
        principal = principalFrom(decision, request, 'cryptosign', pubkey);
      } else {
        const entry = byKey.get(pubkey);
        if (!entry || (request.authid !== undefined && request.authid !== entry.authid) || (entry.principal.realm !== undefined && entry.principal.realm !== request.realm)) {
          throw new WampError(WampErrorUri.notAuthorized, 'no principal with this public key');
        }
        principal = { authid: entry.authid, authrole: entry.principal.role, realm: request.realm, authmethod: 'cryptosign', authprovider: 'static', authextra: {} };
      }
      principal.authextra = { ...principal.authextra, pubkey };
      const challenge = randomBytes(32);
      const key = ed25519PublicKey(pubkey);
      return {
        kind: 'challenge',
        extra: { challenge: challenge.toString('hex'), channel_binding: null },
        async verify(signature) {
          if (!verifyCryptosign(signature, challenge, key)) throw new WampError(WampErrorUri.notAuthorized, 'invalid cryptosign signature');
          return principal;
        },
      };
    },
  };
}
