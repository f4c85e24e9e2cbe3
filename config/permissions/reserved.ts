/**
 * URI namespaces that belong to someone in particular: the router's meta API (`wamp.`), the market maker
 * (`xbr.marketmaker.`) and each seller delegate (`xbr.provider.<its authid>.`). They are where the market
 * moves money, so they are protected by construction rather than by careful configuration:
 *
 * - only permissions written for a URI inside the namespace apply to it — a catch-all such as prefix `""`
 *   never opens the meta API or lets anyone register a maker procedure;
 * - no pattern registration may reach into `wamp.` or `xbr.marketmaker.`, and under `xbr.provider.` only
 *   into the registrant's own `xbr.provider.<authid>.`, whatever the permissions say;
 * - every call into `xbr.marketmaker.` discloses the caller to the callee, so the maker always knows who
 *   calls, and a call without a caller can only be the router's own (its dynamic authenticator).
 */
import type { UriSet } from '../../schema/wamp/index.js';
import { intersectNamespace } from '../../schema/wamp/index.js';

const META_NAMESPACE = 'wamp.';
const MAKER_NAMESPACE = 'xbr.marketmaker.';
export const PROVIDER_NAMESPACE = 'xbr.provider.';

/**
 * An authid usable as one URI component. Others (with ".", "#", whitespace or braces) own no URI space:
 * "a.b" would otherwise own "xbr.provider.a.b." and reach into the space of "a".
 */
const URI_COMPONENT = /^[^\s.#{}]+$/;

export function isSingleUriComponent(authid: string): boolean {
  return URI_COMPONENT.test(authid);
}

/** Namespaces whose URIs only permissions written inside them can authorize. */
export const RESERVED_NAMESPACES: readonly string[] = [META_NAMESPACE, MAKER_NAMESPACE, PROVIDER_NAMESPACE];

/** The reserved namespace `uri` lies in, or undefined. */
export function reservedNamespaceOf(uri: string): string | undefined {
  for (const ns of RESERVED_NAMESPACES) if (uri.startsWith(ns)) return ns;
  return undefined;
}

/** Calls into this namespace always disclose the caller (the maker authorizes by it). */
export function callerAlwaysDisclosed(procedure: string): boolean {
  return procedure.startsWith(MAKER_NAMESPACE);
}

/**
 * Why a pattern registration (`match` prefix or wildcard) by a session with `authid` would reach what
 * belongs to someone else, or undefined when it does not. Exact registrations are left to permissions.
 */
export function patternRegistrationTrespass(set: UriSet, authid: string): string | undefined {
  if (set.match === 'exact') return undefined;
  for (const ns of [META_NAMESPACE, MAKER_NAMESPACE]) {
    if (intersectNamespace(set, ns) !== undefined) return `a pattern registration may not match URIs under "${ns}"`;
  }
  if (intersectNamespace(set, PROVIDER_NAMESPACE) === undefined) return undefined;
  const own = `${PROVIDER_NAMESPACE}${authid}.`;
  const inside = isSingleUriComponent(authid) && set.uri.startsWith(own);
  return inside ? undefined : `a pattern registration may match URIs under "${PROVIDER_NAMESPACE}" only inside the session's own "${own}"`;
}
