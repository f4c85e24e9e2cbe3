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

/**
 * Static authorization from the realm's roles: the permission whose URI pattern best matches the
 * URI (exact > longest prefix > wildcard) decides. Decisions are cached per role, action and URI
 * because the same few URIs are checked on every call.
 */
export class RoleAuthorizer {
  private readonly roles = new Map<string, UriPatternMap<PermissionConfig>>();
  private readonly cache = new Map<string, Decision>();

  constructor(roles: readonly RoleConfig[]) {
    for (const role of roles) {
      const map = new UriPatternMap<PermissionConfig>();
      for (const p of role.permissions) map.set(p.uri, p.match, p);
      this.roles.set(role.name, map);
    }
  }

  hasRole(role: string): boolean {
    return this.roles.has(role);
  }

  authorize(role: string, uri: string, action: Action): Decision {
    if (role === TRUSTED_ROLE && !this.roles.has(TRUSTED_ROLE)) return { allow: true, disclose: true };
    const key = `${role}\u0000${action}\u0000${uri}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const permission = this.roles.get(role)?.best(uri);
    const decision: Decision = permission
      ? {
          allow: permission.allow[action],
          disclose: action === 'call' ? permission.disclose.caller : action === 'publish' ? permission.disclose.publisher : false,
        }
      : DENY;
    // Bounded: a client probing many distinct URIs must not grow the cache without limit.
    if (this.cache.size >= 10_000) this.cache.clear();
    if (!permission || permission.cache) this.cache.set(key, decision);
    return decision;
  }
}
