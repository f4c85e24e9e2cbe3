import type { MatchPolicy, PermissionConfig, RoleConfig } from '../types.js';
import { UriPatternMap } from '../../schema/wamp/index.js';
import { isSingleUriComponent, RESERVED_NAMESPACES, reservedNamespaceOf } from './reserved.js';
import { covers, intersectNamespace, overlaps, type UriSet } from '../../schema/wamp/index.js';

export type Action = 'call' | 'register' | 'publish' | 'subscribe';

export interface Decision {
  allow: boolean;
  /** Disclose the caller (for `call`) or publisher (for `publish`) to the receiving side. */
  disclose: boolean;
}

const DENY: Decision = { allow: false, disclose: false };
/** The router's own sessions (meta API, authenticator calls) are not subject to role permissions. */
export const TRUSTED_ROLE = 'trusted';

/** The placeholder a permission URI may hold as one whole component: the session's own authid. */
export const AUTHID_PLACEHOLDER = '{authid}';

/** Bound of each cache: a client probing many URIs or authids must not grow it without limit. */
const CACHE_MAX = 10_000;

/**
 * The permissions of a role, looked up by URI: `all` for URIs outside the reserved namespaces, and for
 * each reserved namespace only the permissions written inside it (see `reserved.ts`).
 */
interface PermissionMaps {
  all: UriPatternMap<PermissionConfig>;
  reserved: Map<string, UriPatternMap<PermissionConfig>>;
}

interface Role {
  /** Permissions without a placeholder. */
  fixed: PermissionMaps;
  fixedList: PermissionConfig[];
  /** Permissions whose URI holds `{authid}`; empty for most roles. */
  templated: PermissionConfig[];
}

function buildMaps(permissions: Iterable<{ uri: string; match: MatchPolicy; permission: PermissionConfig }>): PermissionMaps {
  const maps: PermissionMaps = { all: new UriPatternMap(), reserved: new Map(RESERVED_NAMESPACES.map((ns) => [ns, new UriPatternMap()])) };
  for (const { uri, match, permission } of permissions) {
    maps.all.set(uri, match, permission);
    // Only a permission written inside a reserved namespace speaks for it.
    const ns = reservedNamespaceOf(uri);
    if (ns !== undefined) maps.reserved.get(ns)!.set(uri, match, permission);
  }
  return maps;
}

/**
 * Static authorization from the realm's roles: the permission whose URI pattern best matches the
 * URI (exact > longest prefix > wildcard) decides. A permission URI may name the session's own authid as
 * `{authid}` (e.g. register on `xbr.provider.{authid}.`), so one role can give every member its own URI
 * space and nobody else's. Inside the reserved namespaces (`wamp.`, `xbr.marketmaker.`, `xbr.provider.`)
 * only permissions written inside them count. Decisions for concrete URIs are cached per role, authid (for
 * roles with such permissions), action and URI, because the same few URIs are checked on every call.
 *
 * A pattern (prefix or wildcard registration or subscription) is authorized against every URI it can
 * match: see {@link RoleAuthorizer.authorizePattern}.
 */
export class RoleAuthorizer {
  private readonly roles = new Map<string, Role>();
  private readonly cache = new Map<string, Decision>();
  /** Permission maps of templated roles with one authid filled in, by role ‖ authid. */
  private readonly perAuthid = new Map<string, PermissionMaps>();

  constructor(roles: readonly RoleConfig[]) {
    for (const role of roles) {
      const fixedList = role.permissions.filter((p) => !p.uri.includes(AUTHID_PLACEHOLDER));
      const templated = role.permissions.filter((p) => p.uri.includes(AUTHID_PLACEHOLDER));
      this.roles.set(role.name, { fixed: buildMaps(fixedList.map((p) => ({ uri: p.uri, match: p.match, permission: p }))), fixedList, templated });
    }
  }

  hasRole(role: string): boolean {
    return this.roles.has(role);
  }

  /** `authid` is needed only where the role has `{authid}` permissions; without it those never match. */
  authorize(role: string, uri: string, action: Action, authid?: string): Decision {
    if (role === TRUSTED_ROLE && !this.roles.has(TRUSTED_ROLE)) return { allow: true, disclose: true };
    const r = this.roles.get(role);
    if (r === undefined) return DENY;
    const personal = isPersonal(r, authid);
    const key = personal ? `${role}\u0000${authid}\u0000${action}\u0000${uri}` : `${role}\u0000\u0000${action}\u0000${uri}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const maps = personal ? this.mapsFor(role, r, authid) : r.fixed;
    const permission = mapFor(maps, uri).best(uri);
    const decision: Decision = permission ? decide(permission, action) : DENY;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    if (!permission || permission.cache) this.cache.set(key, decision);
    return decision;
  }

  /**
   * Authorizes `action` (register or subscribe) on every URI the pattern `uri`/`match` can match: allowed
   * only if each permission that could decide for one of them allows it, and some permission decides for
   * all of them (a prefix or wildcard permission covering the pattern). Conservative: a pattern that
   * straddles permissions it cannot be proven to satisfy is refused. Exact URIs go to `authorize`.
   */
  authorizePattern(role: string, uri: string, match: MatchPolicy, action: Action, authid?: string): boolean {
    if (match === 'exact') return this.authorize(role, uri, action, authid).allow;
    if (role === TRUSTED_ROLE && !this.roles.has(TRUSTED_ROLE)) return true;
    const r = this.roles.get(role);
    if (r === undefined) return false;
    const maps = isPersonal(r, authid) ? this.mapsFor(role, r, authid) : r.fixed;
    const pattern: UriSet = { uri, match };
    // A pattern wholly inside a reserved namespace is decided there alone.
    if (reservedNamespaceOf(uri) === undefined && !allowsEverywhere(maps.all, pattern, action)) return false;
    for (const ns of RESERVED_NAMESPACES) {
      const part = intersectNamespace(pattern, ns);
      if (part !== undefined && !allowsEverywhere(maps.reserved.get(ns)!, part, action)) return false;
    }
    return true;
  }

  private mapsFor(roleName: string, role: Role, authid: string): PermissionMaps {
    const key = `${roleName}\u0000${authid}`;
    let maps = this.perAuthid.get(key);
    if (maps === undefined) {
      // A filled-in template is more specific than any fixed permission on the same URI, so it wins a tie.
      maps = buildMaps([
        ...role.fixedList.map((p) => ({ uri: p.uri, match: p.match, permission: p })),
        ...role.templated.map((p) => ({ uri: p.uri.split(AUTHID_PLACEHOLDER).join(authid), match: p.match, permission: p })),
      ]);
      if (this.perAuthid.size >= CACHE_MAX) this.perAuthid.clear();
      this.perAuthid.set(key, maps);
    }
    return maps;
  }
}

/** Whether `authid` fills the role's `{authid}` permissions (only an authid that is one URI component does). */
function isPersonal(role: Role, authid: string | undefined): authid is string {
  return role.templated.length > 0 && authid !== undefined && isSingleUriComponent(authid);
}

function mapFor(maps: PermissionMaps, uri: string): UriPatternMap<PermissionConfig> {
  const ns = reservedNamespaceOf(uri);
  return ns === undefined ? maps.all : maps.reserved.get(ns)!;
}

function decide(permission: PermissionConfig, action: Action): Decision {
  return {
    allow: permission.allow[action],
    disclose: action === 'call' ? permission.disclose.caller : action === 'publish' ? permission.disclose.publisher : false,
  };
}

/**
 * Whether the permissions in `map` allow `action` on every URI of `pattern`. The permissions that can
 * decide for some URI of the pattern are: the longest prefix permission covering it (every URI has at
 * least that match, so shorter prefixes and all wildcards are outranked), the exact and prefix permissions
 * inside it, and — only when no prefix permission covers it — every overlapping wildcard permission.
 * Every one of them must allow, and one must cover the whole pattern.
 */
function allowsEverywhere(map: UriPatternMap<PermissionConfig>, pattern: UriSet, action: Action): boolean {
  // Prefixes covering the pattern are all prefixes of one another: the longest one outranks the rest.
  let cover: string | undefined;
  for (const e of map.entries()) {
    if (e.match === 'prefix' && covers(e, pattern) && (cover === undefined || e.uri.length > cover.length)) cover = e.uri;
  }
  let covered = cover !== undefined;
  for (const e of map.entries()) {
    if (!overlaps(e, pattern)) continue;
    if (e.match === 'prefix' && cover !== undefined && e.uri !== cover && covers(e, pattern)) continue;
    if (e.match === 'wildcard' && cover !== undefined) continue;
    if (!e.value.allow[action]) return false;
    if (e.match === 'wildcard' && covers(e, pattern)) covered = true;
  }
  return covered;
}
