/**
 * Length limits on what a client names itself and asks for in HELLO, checked before any of it is
 * used (docs/protocol.md#trust-model-bounds). Without them an unauthenticated peer could hand the
 * router, its authenticators, logs and meta events identifiers as large as a whole message (a 200 kB
 * authid was accepted). A HELLO over a limit is a protocol violation, like any malformed HELLO.
 */

/**
 * UTF-16 code units (`string.length`) of HELLO.Details.authid. The longest authid the router itself
 * issues is `member-0x` + 40 hex digits (49); Crossbar principals, ticket users and dynamic
 * authenticators use names of a similar size. 255 leaves room for every real name and matches the
 * usual limit on user and host names.
 */
export const MAX_AUTHID_LENGTH = 255;

/**
 * Entries of HELLO.Details.authmethods. WAMP defines fewer than ten methods (anonymous, ticket,
 * wampcra, cryptosign, scram, tls, cookie); a client offering more than 16 is not negotiating.
 */
export const MAX_AUTHMETHODS = 16;

/**
 * Characters (UTF-16 code units) of the realm a HELLO asks for. Realm names are URIs (at most
 * MAX_URI_LENGTH in any message), but a realm is also a key in logs and meta events; real ones are
 * short (`realm1`, `xbr.market.<id>`).
 */
export const MAX_REALM_NAME_LENGTH = 255;
