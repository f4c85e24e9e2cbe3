import { WampError, WampErrorUri } from '../../schema/index.js';
import type { DynamicAuthConfig } from '../../config/index.js';
import { showValue } from '../../schema/codec/index.js';
import { isDict } from '../core/session.js';
import type { Dict } from '../wamp/messages.js';
import type { AuthenticatorCall, AuthRequest, Principal } from './types.js';

/** What a dynamic authenticator may return: a role name, or a dict with at least `role`. */
export interface DynamicDecision {
  role: string;
  authid?: string;
  realm?: string;
  extra?: Dict;
  /** cryptosign: the Ed25519 public key the client must prove it holds. */
  pubkey?: string;
  /** wampcra: the secret (and optional key-derivation parameters). */
  secret?: string;
  salt?: string;
  iterations?: number;
  keylen?: number;
}

/**
 * Asks the configured authenticator procedure, Crossbar-style: `authenticate(realm, authid, details)`.
 * An ApplicationError raised by the authenticator becomes the ABORT reason unchanged, so e.g.
 * `xbr.marketmaker.error.invalid-auth-request` reaches the client as the authenticator meant it.
 */
export async function askAuthenticator(
  config: DynamicAuthConfig,
  call: AuthenticatorCall,
  request: AuthRequest,
  method: string,
  detailsExtra: Dict = {},
): Promise<DynamicDecision> {
  const details: Dict = {
    transport: request.transport,
    session: request.sessionId,
    authmethod: method,
    authextra: request.authextra,
    ...detailsExtra,
  };
  let result: unknown;
  try {
    result = await call(config['authenticator-realm'] ?? request.realm, config.authenticator, [request.realm, request.authid ?? null, details]);
  } catch (err) {
    if (err instanceof WampError && err.uri !== WampErrorUri.noSuchProcedure) throw err;
    throw new WampError(WampErrorUri.authenticationFailed, `authenticator "${config.authenticator}" is not available`, { cause: err });
  }
  return parseDecision(result, config.authenticator);
}

function parseDecision(result: unknown, authenticator: string): DynamicDecision {
  if (typeof result === 'string' && result !== '') return { role: result };
  if (!isDict(result) || typeof result['role'] !== 'string' || result['role'] === '') {
    throw new WampError(WampErrorUri.authenticationFailed, `authenticator "${authenticator}" returned no role (got ${showValue(result, 'wamp')})`);
  }
  const decision: DynamicDecision = { role: result['role'] };
  for (const key of ['authid', 'realm', 'secret', 'salt'] as const) {
    const v = result[key];
    if (typeof v === 'string') decision[key] = v;
  }
  for (const key of ['iterations', 'keylen'] as const) {
    const v = result[key];
    if (typeof v === 'number') decision[key] = v;
  }
  if (isDict(result['extra'])) decision.extra = result['extra'];
  const pubkey = normalizePubkey(result['pubkey']);
  if (pubkey) decision.pubkey = pubkey;
  return decision;
}

/** Ed25519 public keys arrive as hex strings (with or without 0x), raw 32 bytes, or ASCII-hex bytes. */
export function normalizePubkey(value: unknown): string | undefined {
  let hex: string | undefined;
  if (typeof value === 'string') hex = value.startsWith('0x') ? value.slice(2) : value;
  else if (value instanceof Uint8Array && value.length === 32) hex = Buffer.from(value).toString('hex');
  else if (value instanceof Uint8Array && value.length === 64) hex = Buffer.from(value).toString('latin1');
  return hex !== undefined && /^[0-9a-fA-F]{64}$/.test(hex) ? hex.toLowerCase() : undefined;
}

export function principalFrom(decision: DynamicDecision, request: AuthRequest, method: string, fallbackAuthid: string): Principal {
  return {
    authid: decision.authid ?? request.authid ?? fallbackAuthid,
    authrole: decision.role,
    realm: decision.realm ?? request.realm,
    authmethod: method,
    authprovider: 'dynamic',
    authextra: decision.extra ?? {},
  };
}
