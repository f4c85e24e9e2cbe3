/** How a registration's or subscription's URI matches: WAMP's `match` option. */
export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';

/**
 * Characters (UTF-16 code units) of any URI a client sends: realm, topic, procedure, error and
 * reason URIs. Real URIs are well below 200; the limit keeps URIs that end up as map keys,
 * log fields and meta events small.
 */
export const MAX_URI_LENGTH = 1024;

/**
 * WAMP URI rules (spec "URIs" and "Pattern-based Subscriptions/Registrations"); the patterns are the
 * ones Autobahn/Crossbar use, so URIs accepted here are accepted by Python peers and vice versa.
 * Components are separated by '.'. Loose components contain no whitespace, '.' or '#'; strict ones
 * are [0-9a-z_]+. Wildcard patterns may have empty components anywhere; prefixes may end with '.'.
 */

const LOOSE_NON_EMPTY = /^([^\s.#]+\.)*([^\s.#]+)$/;
const STRICT_NON_EMPTY = /^([0-9a-z_]+\.)*([0-9a-z_]+)$/;
const LOOSE_EMPTY = /^(([^\s.#]+\.)|\.)*([^\s.#]+)?$/;
const STRICT_EMPTY = /^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$/;
const LOOSE_LAST_EMPTY = /^([^\s.#]+\.)*([^\s.#]*)$/;
const STRICT_LAST_EMPTY = /^([0-9a-z_]+\.)*([0-9a-z_]*)$/;

/**
 * Whether `uri` is valid as a topic/procedure in SUBSCRIBE/REGISTER (and, with 'exact', anywhere a
 * concrete URI goes) under the given match policy. The empty string is never valid here, nor a URI
 * longer than MAX_URI_LENGTH (message parsing refuses those already; this keeps every caller bounded).
 */
export function isValidUri(uri: string, match: MatchPolicy = 'exact', strict = false): boolean {
  if (uri.length === 0 || uri.length > MAX_URI_LENGTH) return false;
  switch (match) {
    case 'exact':
      return (strict ? STRICT_NON_EMPTY : LOOSE_NON_EMPTY).test(uri);
    case 'prefix':
      return (strict ? STRICT_LAST_EMPTY : LOOSE_LAST_EMPTY).test(uri);
    case 'wildcard':
      return (strict ? STRICT_EMPTY : LOOSE_EMPTY).test(uri);
    default:
      return false;
  }
}

/** Like isValidUri, but for permission rules in the router config, where prefix '' means "all URIs". */
export function isValidPermissionUri(uri: string, match: MatchPolicy = 'exact', strict = false): boolean {
  if (uri.length === 0) return match === 'prefix';
  return isValidUri(uri, match, strict);
}

/**
 * Whether a concrete `uri` matches a wildcard `pattern`: same number of components, and each
 * non-empty pattern component equals the URI's component. Allocation-free.
 */
export function wildcardMatches(pattern: string, uri: string): boolean {
  let p = 0;
  let u = 0;
  for (;;) {
    let pEnd = pattern.indexOf('.', p);
    let uEnd = uri.indexOf('.', u);
    if (pEnd === -1) pEnd = pattern.length;
    if (uEnd === -1) uEnd = uri.length;
    const pLength = pEnd - p;
    if (pLength !== 0) {
      if (pLength !== uEnd - u) return false;
      for (let i = 0; i < pLength; i++) {
        if (pattern.charCodeAt(p + i) !== uri.charCodeAt(u + i)) return false;
      }
    }
    const pDone = pEnd === pattern.length;
    const uDone = uEnd === uri.length;
    if (pDone || uDone) return pDone && uDone;
    p = pEnd + 1;
    u = uEnd + 1;
  }
}
