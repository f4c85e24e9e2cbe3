/** A transport's `auth`: which methods it offers, each static or dynamic (anonymous checked here). */
import type { AnonymousAuthConfig, AuthConfig, DynamicAuthConfig } from '../types.js';
import { nonEmptyString, oneOf, wampUri } from './checks.js';
import { isRec, quoteList, REQUIRED, type Ctx, type Rec } from './context.js';
import { checkCryptosignPrincipal, checkTicketPrincipal, checkWampcraUser, principalMap } from './principals.js';
import { RoleRefs } from './role-refs.js';

const AUTH_METHODS = ['anonymous', 'ticket', 'wampcra', 'cryptosign'] as const;

export function checkAuth(c: Ctx, v: unknown, path: string, realms: Map<string, Set<string>>): AuthConfig | undefined {
  if (v === undefined) return { anonymous: { type: 'static', role: 'anonymous' } };
  const o = c.object(v, path, AUTH_METHODS);
  if (o === undefined) return undefined;
  if (Object.keys(o).length === 0) {
    c.fail(path, `expected at least one of ${quoteList(AUTH_METHODS)}, got an empty object (omit "auth" for anonymous access)`);
    return undefined;
  }
  const refs = new RoleRefs(c, realms);
  const out: AuthConfig = {};
  let ok = true;
  for (const method of AUTH_METHODS) {
    const m = o[method];
    if (m === undefined) continue;
    const p = `${path}.${method}`;
    if (!isRec(m)) {
      c.mismatch(p, 'an object with "type": "static" or "dynamic"', m);
      ok = false;
      continue;
    }
    const type = c.field(m, 'type', p, oneOf(['static', 'dynamic'] as const), REQUIRED);
    if (type === undefined) {
      ok = false;
      continue;
    }
    if (type === 'dynamic') {
      const dyn = checkDynamicAuth(c, m, p, refs);
      if (dyn === undefined) ok = false;
      else out[method] = dyn;
      continue;
    }
    switch (method) {
      case 'anonymous': {
        const a = checkAnonymous(c, m, p, refs);
        if (a === undefined) ok = false;
        else out.anonymous = a;
        break;
      }
      case 'ticket': {
        c.object(m, p, ['type', 'principals']);
        const principals = principalMap(c, m, 'principals', p, (po, pp) => checkTicketPrincipal(c, po, pp, refs));
        if (principals === undefined) ok = false;
        else out.ticket = { type: 'static', principals };
        break;
      }
      case 'wampcra': {
        c.object(m, p, ['type', 'users']);
        const users = principalMap(c, m, 'users', p, (po, pp) => checkWampcraUser(c, po, pp, refs));
        if (users === undefined) ok = false;
        else out.wampcra = { type: 'static', users };
        break;
      }
      case 'cryptosign': {
        c.object(m, p, ['type', 'principals']);
        const owners = new Map<string, string>(); // lower-case key -> authid
        const principals = principalMap(c, m, 'principals', p, (po, pp, authid) => checkCryptosignPrincipal(c, po, pp, refs, authid, owners));
        if (principals === undefined) ok = false;
        else out.cryptosign = { type: 'static', principals };
        break;
      }
    }
  }
  return ok ? out : undefined;
}

function checkDynamicAuth(c: Ctx, m: Rec, path: string, refs: RoleRefs): DynamicAuthConfig | undefined {
  c.object(m, path, ['type', 'authenticator', 'authenticator-realm']);
  const authenticator = c.field(m, 'authenticator', path, wampUri, REQUIRED);
  const realm = refs.realm(m, path, 'authenticator-realm');
  if (authenticator === undefined || (m['authenticator-realm'] !== undefined && realm === undefined)) return undefined;
  return { type: 'dynamic', authenticator, ...(realm === undefined ? {} : { 'authenticator-realm': realm }) };
}

function checkAnonymous(c: Ctx, m: Rec, path: string, refs: RoleRefs): AnonymousAuthConfig | undefined {
  c.object(m, path, ['type', 'role']);
  const role = c.field(m, 'role', path, nonEmptyString, 'anonymous');
  if (role === undefined) return undefined;
  // Only a role written in the config is checked against the realms; the implicit default is not.
  if (m['role'] !== undefined && !refs.role(role, undefined, `${path}.role`)) return undefined;
  return { type: 'static', role };
}
