/**
 * WAMP URI rules shared by the router, the config's permission model and the maker: URI syntax and match
 * policies, wildcard matching, sets of URIs a pattern can match, and the pattern map the broker and dealer
 * route with.
 */
export { MAX_URI_LENGTH, isValidUri, type MatchPolicy } from './uri.js';
export { UriPatternMap } from './pattern-map.js';
export { covers, intersectNamespace, overlaps, type UriSet } from './uri-sets.js';
