/** Static auth principals keyed by authid: ticket principals, WAMP-CRA users, cryptosign principals. */
import type { CryptosignPrincipal, TicketPrincipal, WampcraUser } from '../types.js';
import { integer, nonEmptyString } from './checks.js';
import { isRec, pathKey, REQUIRED, type Ctx, type Rec } from './context.js';
import type { RoleRefs } from './role-refs.js';

const ED25519_HEX = /^[0-9a-fA-F]{64}$/;

/** A required object keyed by authid whose values are checked by `each`. */
export function principalMap<T>(
  c: Ctx,
  m: Rec,
  key: string,
  path: string,
  each: (o: Rec, path: string, authid: string) => T | undefined,
): Record<string, T> | undefined {
  const raw = c.required(m, key, path, 'an object keyed by authid');
  if (raw === undefined) return undefined;
  const p = `${path}.${key}`;
  if (!isRec(raw)) {
    c.mismatch(p, 'an object keyed by authid', raw);
    return undefined;
  }
  const out: Record<string, T> = {};
  let ok = true;
  for (const [authid, value] of Object.entries(raw)) {
    const pp = pathKey(p, authid);
    if (authid.length === 0) {
      c.fail(pp, 'expected a non-empty authid, got ""');
      ok = false;
      continue;
    }
    if (!isRec(value)) {
      c.mismatch(pp, 'an object', value);
      ok = false;
      continue;
    }
    const checked = each(value, pp, authid);
    if (checked === undefined) ok = false;
    else out[authid] = checked;
  }
  return ok ? out : undefined;
}

/** `role` (required, defined in the realms) and `realm` (optional, defined in this worker). */
function roleAndRealm(c: Ctx, o: Rec, path: string, refs: RoleRefs): { role: string; realm?: string } | undefined {
  const realmGiven = o['realm'] !== undefined;
  const realm = refs.realm(o, path);
  const role = c.field(o, 'role', path, nonEmptyString, REQUIRED);
  if (role === undefined || (realmGiven && realm === undefined)) return undefined;
  if (!refs.role(role, realm, `${path}.role`)) return undefined;
  return { role, ...(realm === undefined ? {} : { realm }) };
}

export function checkTicketPrincipal(c: Ctx, o: Rec, path: string, refs: RoleRefs): TicketPrincipal | undefined {
  c.object(o, path, ['ticket', 'role', 'realm']);
  const ticket = c.field(o, 'ticket', path, nonEmptyString, REQUIRED);
  const rr = roleAndRealm(c, o, path, refs);
  return ticket === undefined || rr === undefined ? undefined : { ticket, ...rr };
}

export function checkWampcraUser(c: Ctx, o: Rec, path: string, refs: RoleRefs): WampcraUser | undefined {
  c.object(o, path, ['secret', 'role', 'realm', 'salt', 'iterations', 'keylen']);
  const secret = c.field(o, 'secret', path, nonEmptyString, REQUIRED);
  const rr = roleAndRealm(c, o, path, refs);
  const salt = c.field(o, 'salt', path, nonEmptyString, undefined);
  const iterations = c.field(o, 'iterations', path, integer(1), undefined);
  const keylen = c.field(o, 'keylen', path, integer(1, 1024), undefined);
  const derivation = ['salt', 'iterations', 'keylen'];
  const given = derivation.filter((k) => o[k] !== undefined);
  let derivationOk = true;
  if (given.length > 0 && given.length < derivation.length) {
    const missing = derivation.filter((k) => o[k] === undefined);
    c.fail(path, `expected salt, iterations and keylen together or none of them, got ${given.join(', ')} without ${missing.join(', ')}`);
    derivationOk = false;
  }
  if (secret === undefined || rr === undefined || !derivationOk) return undefined;
  if ((o['salt'] !== undefined && salt === undefined) || (o['iterations'] !== undefined && iterations === undefined) || (o['keylen'] !== undefined && keylen === undefined)) {
    return undefined;
  }
  return {
    secret,
    ...rr,
    ...(salt === undefined || iterations === undefined || keylen === undefined ? {} : { salt, iterations, keylen }),
  };
}

export function checkCryptosignPrincipal(
  c: Ctx,
  o: Rec,
  path: string,
  refs: RoleRefs,
  authid: string,
  owners: Map<string, string>,
): CryptosignPrincipal | undefined {
  c.object(o, path, ['authorized_keys', 'role', 'realm']);
  const rr = roleAndRealm(c, o, path, refs);
  const raw = c.required(o, 'authorized_keys', path, 'a non-empty array of Ed25519 public keys (64 hex characters)');
  if (raw === undefined) return undefined;
  const kp = `${path}.authorized_keys`;
  const arr = c.array(raw, kp, 'a non-empty array of Ed25519 public keys (64 hex characters)');
  if (arr === undefined) return undefined;
  if (arr.length === 0) {
    c.fail(kp, 'expected a non-empty array of Ed25519 public keys (64 hex characters), got an empty array');
    return undefined;
  }
  const keys: string[] = [];
  let ok = true;
  arr.forEach((k, i) => {
    if (typeof k !== 'string' || !ED25519_HEX.test(k)) {
      c.mismatch(`${kp}[${i}]`, 'an Ed25519 public key (64 hex characters)', k);
      ok = false;
      return;
    }
    const key = k.toLowerCase();
    const owner = owners.get(key);
    if (owner !== undefined) {
      c.fail(`${kp}[${i}]`, owner === authid ? 'duplicate key' : `key is already authorized for principal ${JSON.stringify(owner)}`);
      ok = false;
      return;
    }
    owners.set(key, authid);
    keys.push(key);
  });
  return ok && rr !== undefined ? { authorized_keys: keys, ...rr } : undefined;
}
