/** Router worker configs (Crossbar-style JSON, without `type`) shared by the interop tests. */

export const ALLOW_ALL = { call: true, register: true, publish: true, subscribe: true } as const;
const ALLOW_NONE = { call: false, register: false, publish: false, subscribe: false } as const;

/**
 * Permissions of a role that may do anything, disclosing caller and publisher under `com.disclose.` only.
 * The meta API needs its own permission: a catch-all never reaches the reserved `wamp.` namespace.
 */
function openPermissions(): object[] {
  return [
    { uri: '', match: 'prefix', allow: ALLOW_ALL },
    { uri: 'wamp.', match: 'prefix', allow: { call: true, subscribe: true } },
    { uri: 'com.disclose.', match: 'prefix', allow: ALLOW_ALL, disclose: { caller: true, publisher: true } },
    { uri: 'com.forbidden.', match: 'prefix', allow: ALLOW_NONE },
  ];
}

export interface InteropKeys {
  /** Cryptosign principal "alice" (role user). */
  alicePub: string;
}

export const TICKETS = { tom: 'tom-s3cret-ticket' } as const;
export const CRA = {
  carol: { secret: 'carol-wampcra-secret' },
  dave: { secret: 'dave-wampcra-secret', salt: 'dave-salt', iterations: 100, keylen: 32 },
} as const;

/**
 * realm1 (roles anonymous, user, restricted) and auth (the dynamic authenticator's realm); transports:
 * - `ws`: WebSocket tcp, anonymous + ticket + wampcra + cryptosign (static);
 * - `wsunix`: WebSocket on a unix socket, anonymous;
 * - `restricted`: WebSocket tcp, anonymous with role `restricted` (may only call/subscribe `com.open.`);
 * - `dyn`: WebSocket tcp, cryptosign with the dynamic authenticator `com.example.authenticate` in realm `auth`;
 * plus `extra.transports`.
 */
export function interopConfig(keys: InteropKeys, extra: { transports?: object[] } = {}): object {
  return {
    realms: [
      {
        name: 'realm1',
        roles: [
          { name: 'anonymous', permissions: openPermissions() },
          { name: 'user', permissions: openPermissions() },
          { name: 'restricted', permissions: [{ uri: 'com.open.', match: 'prefix', allow: { call: true, subscribe: true } }] },
        ],
      },
      {
        name: 'auth',
        roles: [
          { name: 'anonymous', permissions: [{ uri: 'com.example.', match: 'prefix', allow: ALLOW_ALL }] },
        ],
      },
    ],
    transports: [
      {
        type: 'websocket',
        id: 'ws',
        endpoint: { type: 'tcp' },
        auth: {
          anonymous: { type: 'static', role: 'anonymous' },
          ticket: { type: 'static', principals: { tom: { ticket: TICKETS.tom, role: 'user' } } },
          wampcra: {
            type: 'static',
            users: {
              carol: { secret: CRA.carol.secret, role: 'user' },
              dave: { secret: CRA.dave.secret, role: 'user', salt: CRA.dave.salt, iterations: CRA.dave.iterations, keylen: CRA.dave.keylen },
            },
          },
          cryptosign: { type: 'static', principals: { alice: { authorized_keys: [keys.alicePub], role: 'user' } } },
        },
      },
      { type: 'websocket', id: 'wsunix', endpoint: { type: 'unix', path: 'ws.sock' } },
      { type: 'websocket', id: 'restricted', endpoint: { type: 'tcp' }, auth: { anonymous: { type: 'static', role: 'restricted' } } },
      {
        type: 'websocket',
        id: 'dyn',
        endpoint: { type: 'tcp' },
        auth: { cryptosign: { type: 'dynamic', authenticator: 'com.example.authenticate', 'authenticator-realm': 'auth' } },
      },
      ...(extra.transports ?? []),
    ],
  };
}
