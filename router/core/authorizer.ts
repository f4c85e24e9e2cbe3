import type { PermissionConfig, RoleConfig } from '../config/types.js';
import { UriPatternMap } from './pattern-map.js';

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

/**
 * An authid usable as one URI component. Others (with ".", "#", whitespace or braces) never satisfy an
 * `{authid}` permission: "a.b" would otherwise own "xbr.provider.a.b." and "a" would own it too.
 */
const COMPONENT = /^[^\s.#{}]+$/;

/** Bound of each cache: a client probing many URIs or authids must not grow it without limit. */
const CACHE_MAX = 10_000;

interface Role {
  /** Permissions without a placeholder. */
  fixed: UriPatternMap<PermissionConfig>;
  /** Permissions whose URI holds `{authid}`; empty for most roles. */
  templated: PermissionConfig[];
}

/**
 * Static authorization from the realm's roles: the permission whose URI pattern best matches the
 * URI (exact > longest prefix > wildcard) decides. A permission URI may name the session's own authid as
 * `{authid}` (e.g. register on `xbr.provider.{authid}.`), so one role can give every member its own URI
 * space and nobody else's. Decisions are cached per role, authid (for roles with such permissions), action
 * and URI, because the same few URIs are checked on every call.
 */
export class RoleAuthorizer {
  private readonly roles = new Map<string, Role>();
  private readonly cache = new Map<string, Decision>();
  /** Pattern maps of templated roles with one authid filled in, by role ‖ authid. */
  private readonly perAuthid = new Map<string, UriPatternMap<PermissionConfig>>();

  constructor(roles: readonly RoleConfig[]) {
    for (const role of roles) {
      const fixed = new UriPatternMap<PermissionConfig>();
      const templated: PermissionConfig[] = [];
      for (const p of role.permissions) {
        if (p.uri.includes(AUTHID_PLACEHOLDER)) templated.push(p);
        else fixed.set(p.uri, p.match, p);
      }
      this.roles.set(role.name, { fixed, templated });
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
    const personal = r.templated.length > 0 && authid !== undefined && COMPONENT.test(authid);
    const key = personal ? `${role}\u0000${authid}\u0000${action}\u0000${uri}` : `${role}\u0000\u0000${action}\u0000${uri}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const permission = (personal ? this.mapFor(role, r, authid) : r.fixed).best(uri);
    const decision: Decision = permission
      ? {
          allow: permission.allow[action],
          disclose: action === 'call' ? permission.disclose.caller : action === 'publish' ? permission.disclose.publisher : false,
        }
      : DENY;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    if (!permission || permission.cache) this.cache.set(key, decision);
    return decision;
  }

  private mapFor(roleName: string, role: Role, authid: string): UriPatternMap<PermissionConfig> {
    const key = `${roleName}\u0000${authid}`;
    let map = this.perAuthid.get(key);
    if (map === undefined) {
      map = new UriPatternMap<PermissionConfig>();
      for (const e of role.fixed.entries()) map.set(e.uri, e.match, e.value);
      // A filled-in template is more specific than any fixed permission on the same URI, so it wins a tie.
      for (const p of role.templated) map.set(p.uri.split(AUTHID_PLACEHOLDER).join(authid), p.match, p);
      if (this.perAuthid.size >= CACHE_MAX) this.perAuthid.clear();
      this.perAuthid.set(key, map);
    }
    return map;
  }
}
