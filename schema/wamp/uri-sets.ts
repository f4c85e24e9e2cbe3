import type { MatchPolicy } from './uri.js';
import { wildcardMatches } from './uri.js';

/**
 * The set of URIs a registration, subscription or permission matches: `exact` one URI, `prefix` every
 * URI starting with the string (string-wise, as the dealer and broker match), `wildcard` every URI with
 * the same number of components whose non-empty pattern components are equal.
 *
 * Pattern registrations and subscriptions are authorized against every URI they can match, so the
 * authorizer needs to know which permissions *overlap* a pattern (some URI in both) and which *cover*
 * it (every URI of the pattern is theirs).
 */
export interface UriSet {
  readonly uri: string;
  readonly match: MatchPolicy;
}

/** Whether some URI is matched by both `a` and `b`. */
export function overlaps(a: UriSet, b: UriSet): boolean {
  if (a.match === 'exact') return contains(b, a.uri);
  if (b.match === 'exact') return contains(a, b.uri);
  if (a.match === 'prefix' && b.match === 'prefix') return a.uri.startsWith(b.uri) || b.uri.startsWith(a.uri);
  if (a.match === 'wildcard' && b.match === 'wildcard') return wildcardsOverlap(a.uri.split('.'), b.uri.split('.'));
  const [prefix, wildcard] = a.match === 'prefix' ? [a.uri, b.uri] : [b.uri, a.uri];
  return prefixOverlapsWildcard(prefix, wildcard.split('.'));
}

/** Whether every URI matched by `inner` is matched by `outer`. */
export function covers(outer: UriSet, inner: UriSet): boolean {
  if (inner.match === 'exact') return contains(outer, inner.uri);
  if (outer.match === 'exact') return inner.match === 'wildcard' && !inner.uri.split('.').includes('') && outer.uri === inner.uri;
  if (outer.match === 'prefix') {
    if (inner.match === 'prefix') return inner.uri.startsWith(outer.uri);
    return fixedHead(inner.uri.split('.')).startsWith(outer.uri);
  }
  // A wildcard has a fixed number of components; a prefix matches URIs of any length.
  if (inner.match === 'prefix') return false;
  const o = outer.uri.split('.');
  const i = inner.uri.split('.');
  return o.length === i.length && o.every((c, k) => c === '' || c === i[k]);
}

/** Whether the concrete `uri` is in `set`. */
function contains(set: UriSet, uri: string): boolean {
  if (set.match === 'exact') return set.uri === uri;
  if (set.match === 'prefix') return uri.startsWith(set.uri);
  return wildcardMatches(set.uri, uri);
}

/**
 * `set ∩ (prefix namespace)` for a namespace ending with '.', as one set, or undefined when empty.
 * A pattern that reaches into a namespace (prefix `xbr.`, wildcard `.marketmaker..`) is judged there
 * as the part of it that lies inside.
 */
export function intersectNamespace(set: UriSet, namespace: string): UriSet | undefined {
  if (set.match === 'exact') return set.uri.startsWith(namespace) ? set : undefined;
  if (set.match === 'prefix') {
    if (set.uri.startsWith(namespace)) return set;
    return namespace.startsWith(set.uri) ? { uri: namespace, match: 'prefix' } : undefined;
  }
  const parts = set.uri.split('.');
  const ns = namespace.split('.').slice(0, -1);
  if (parts.length <= ns.length) return undefined;
  for (let k = 0; k < ns.length; k++) {
    if (parts[k] !== '' && parts[k] !== ns[k]) return undefined;
    parts[k] = ns[k]!;
  }
  return { uri: parts.join('.'), match: 'wildcard' };
}

/**
 * The longest string every URI of a wildcard starts with: its components up to the first empty one,
 * followed by the '.' before that one (the wildcard itself when it has no empty component).
 */
function fixedHead(parts: readonly string[]): string {
  const k = parts.indexOf('');
  return k === -1 ? parts.join('.') : parts.slice(0, k).join('.') + (k > 0 ? '.' : '');
}

function wildcardsOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, k) => c === '' || b[k] === '' || c === b[k]);
}

/** Whether some URI matching the wildcard `parts` starts with `prefix`. */
function prefixOverlapsWildcard(prefix: string, parts: readonly string[]): boolean {
  const pre = prefix.split('.');
  // `pre` has full components and then one (possibly empty) partial component at the end.
  if (pre.length > parts.length) return false;
  for (let k = 0; k < pre.length; k++) {
    const want = parts[k]!;
    if (want === '') continue;
    const have = pre[k]!;
    if (k < pre.length - 1 ? have !== want : !want.startsWith(have)) return false;
  }
  return true;
}
