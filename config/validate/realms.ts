/** The realms of a router worker: names, options, roles and their permissions. */
import type { MatchPolicy, PermissionConfig, RealmConfig, RoleConfig } from '../types.js';
import { boolean, nonEmptyString, oneOf, string, URI_LOOSE, URI_PREFIX, URI_WILDCARD, wampUri } from './checks.js';
import { REQUIRED, type Ctx } from './context.js';
import { showValue } from '../../schema/codec/index.js';
import { checkRealmMaker, type RealmMakerBlock } from './realm-maker.js';
import { AUTHID_PLACEHOLDER } from '../permissions/authorizer.js';

/** Receives the checked `marketmaker` block of realm `realm` (at `path`). */
export type OnRealmMaker = (block: RealmMakerBlock, realm: string, path: string) => void;

/** The realms; each `marketmaker` block is checked and handed to `onMaker` (it is not part of the realm's model). */
export function checkRealms(c: Ctx, arr: unknown[], path: string, onMaker?: OnRealmMaker): RealmConfig[] | undefined {
  const out: (RealmConfig | undefined)[] = [];
  const names = new Map<string, string>();
  arr.forEach((r, i) => {
    const p = `${path}[${i}]`;
    const o = c.object(r, p, ['name', 'roles', 'options', 'marketmaker']);
    if (o === undefined) {
      out.push(undefined);
      return;
    }
    const name = c.field(o, 'name', p, wampUri, REQUIRED);
    if (name !== undefined) {
      const other = names.get(name);
      if (other !== undefined) c.fail(`${p}.name`, `duplicate realm name ${JSON.stringify(name)}: already used by ${other}`);
      else names.set(name, p);
    }
    let roles: RoleConfig[] | undefined = [];
    if (o['roles'] !== undefined) {
      const rolesArr = c.array(o['roles'], `${p}.roles`, 'an array of roles');
      roles = rolesArr === undefined ? undefined : checkRoles(c, rolesArr, `${p}.roles`);
    }
    const optPath = `${p}.options`;
    const opt = o['options'] === undefined ? {} : c.object(o['options'], optPath, ['enable_meta_api']);
    const enable_meta_api = opt === undefined ? undefined : c.field(opt, 'enable_meta_api', optPath, boolean, true);
    if (o['marketmaker'] !== undefined) {
      const block = checkRealmMaker(c, o['marketmaker'], `${p}.marketmaker`);
      if (block !== undefined && name !== undefined) onMaker?.(block, name, `${p}.marketmaker`);
    }
    out.push(name === undefined || roles === undefined || enable_meta_api === undefined ? undefined : { name, roles, options: { enable_meta_api } });
  });
  return out.every((r): r is RealmConfig => r !== undefined) ? out : undefined;
}

function checkRoles(c: Ctx, arr: unknown[], path: string): RoleConfig[] | undefined {
  const out: (RoleConfig | undefined)[] = [];
  const names = new Map<string, string>();
  arr.forEach((r, i) => {
    const p = `${path}[${i}]`;
    const o = c.object(r, p, ['name', 'permissions']);
    if (o === undefined) {
      out.push(undefined);
      return;
    }
    const name = c.field(o, 'name', p, nonEmptyString, REQUIRED);
    if (name !== undefined) {
      const other = names.get(name);
      if (other !== undefined) c.fail(`${p}.name`, `duplicate role name ${JSON.stringify(name)} in this realm: already used by ${other}`);
      else names.set(name, p);
    }
    let permissions: PermissionConfig[] | undefined = [];
    if (o['permissions'] !== undefined) {
      const permArr = c.array(o['permissions'], `${p}.permissions`, 'an array of permissions');
      if (permArr === undefined) permissions = undefined;
      else {
        const checked = permArr.map((perm, j) => checkPermission(c, perm, `${p}.permissions[${j}]`));
        permissions = checked.every((x): x is PermissionConfig => x !== undefined) ? checked : undefined;
      }
    }
    out.push(name === undefined || permissions === undefined ? undefined : { name, permissions });
  });
  return out.every((r): r is RoleConfig => r !== undefined) ? out : undefined;
}

function checkPermission(c: Ctx, v: unknown, path: string): PermissionConfig | undefined {
  const o = c.object(v, path, ['uri', 'match', 'allow', 'disclose', 'cache']);
  if (o === undefined) return undefined;
  let uri = c.field(o, 'uri', path, string(), REQUIRED);
  let match = c.field(o, 'match', path, oneOf<MatchPolicy>(['exact', 'prefix', 'wildcard']), 'exact');
  // Crossbar's shorthand: without an explicit match, "*" is everything and "a.b.*" is the prefix "a.b.".
  if (uri !== undefined && o['match'] === undefined && uri.endsWith('*')) {
    uri = uri.slice(0, -1);
    match = 'prefix';
  }
  if (uri !== undefined && match !== undefined) {
    const [pattern, what] =
      match === 'exact'
        ? [URI_LOOSE, 'a WAMP URI (dot-separated, non-empty components without whitespace or "#")']
        : match === 'prefix'
          ? [URI_PREFIX, 'a WAMP URI prefix ("" or components without whitespace or "#", may end with ".")']
          : [URI_WILDCARD, 'a WAMP wildcard pattern (components without whitespace or "#", empty ones match anything)'];
    if (!pattern.test(uri)) {
      c.fail(`${path}.uri`, `expected ${what} for match "${match}", got ${showValue(o['uri'], 'json')}`);
      uri = undefined;
    } else if (uri.split('.').some((part) => /[{}]/.test(part) && part !== AUTHID_PLACEHOLDER)) {
      c.fail(`${path}.uri`, `braces are only allowed as the whole component "${AUTHID_PLACEHOLDER}" (the session's authid), got ${showValue(o['uri'], 'json')}`);
      uri = undefined;
    }
  }
  const allow = flags(c, o['allow'], `${path}.allow`, ['call', 'register', 'publish', 'subscribe'] as const);
  const disclose = flags(c, o['disclose'], `${path}.disclose`, ['caller', 'publisher'] as const);
  const cache = c.field(o, 'cache', path, boolean, true);
  if (uri === undefined || match === undefined || allow === undefined || disclose === undefined || cache === undefined) return undefined;
  return { uri, match, allow, disclose, cache };
}

/** An object of boolean flags, each defaulting to false. */
function flags<K extends string>(c: Ctx, v: unknown, path: string, keys: readonly K[]): Record<K, boolean> | undefined {
  const o = v === undefined ? {} : c.object(v, path, keys);
  if (o === undefined) return undefined;
  const out = {} as Record<K, boolean>;
  let ok = true;
  for (const k of keys) {
    const b = c.field(o, k, path, boolean, false);
    if (b === undefined) ok = false;
    else out[k] = b;
  }
  return ok ? out : undefined;
}
