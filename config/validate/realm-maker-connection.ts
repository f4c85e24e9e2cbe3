/**
 * How a realm's maker reaches its router worker: a WebSocket listener of that worker (wampy speaks
 * nothing else) on a unix socket (preferred: local only, no port to guard) or else a tcp port, with a
 * binary serializer, accepting anonymous authentication with a static role. The role the maker gets is
 * that role, so it must already grant the maker's permissions: the validator never invents a role.
 */
import { TRUSTED_ROLE, RoleAuthorizer, type Action } from '../permissions/authorizer.js';
import {
  MarketMakerProcedure,
  MarketMakerTopic,
  providerCloseChannelUri,
  providerSellUri,
} from '../../schema/index.js';
import type { AuthConfig, EndpointConfig, MakerConnectionConfig, MakerSerializerName, RouterWorkerConfig, SerializerName } from '../types.js';
import { pathKey, quoteList, type Ctx } from './context.js';
import type { RealmMakerSpec } from './realm-maker.js';

/** A WebSocket listener of a router worker: a websocket transport, or one websocket path of a web transport. */
interface Listener {
  path: string;
  endpoint: EndpointConfig;
  httpPath: string;
  serializers: SerializerName[];
  auth: AuthConfig;
}

const SAMPLE_SELLER = `member-0x${'0'.repeat(40)}`;

/** What a maker does in its realm; each must be allowed to the role it joins as. */
const MAKER_ACTIONS: readonly [Action, string][] = [
  ...Object.values(MarketMakerProcedure).map((uri): [Action, string] => ['register', uri]),
  ...Object.values(MarketMakerTopic).map((uri): [Action, string] => ['publish', uri]),
  ['call', providerSellUri(SAMPLE_SELLER)],
  ['call', providerCloseChannelUri(SAMPLE_SELLER)],
];

const PERMISSIONS_HINT =
  'register, call, publish and subscribe on the prefix "xbr.marketmaker.", call on the prefix "xbr.provider."';

/** The connection of the maker `spec` through `router` (at `routerPath`), or undefined after reporting why none fits. */
export function realmMakerConnection(c: Ctx, spec: RealmMakerSpec, router: RouterWorkerConfig, routerPath: string): MakerConnectionConfig | undefined {
  const where = `router worker ${JSON.stringify(router.id)} (${routerPath})`;
  const all = listeners(router, routerPath);
  // An ephemeral port (0) is not known before the router runs, so the maker could not dial it.
  const reachable = [...all.filter((l) => l.endpoint.type === 'unix'), ...all.filter((l) => l.endpoint.type === 'tcp' && l.endpoint.port !== 0)];
  if (reachable.length === 0) {
    c.fail(
      spec.path,
      `${where} has no WebSocket transport the maker can connect to: add a "websocket" transport (or a "web" transport with a websocket path) on a unix socket or a fixed tcp port`,
    );
    return undefined;
  }
  const binary = reachable.filter((l) => makerSerializer(l.serializers) !== undefined);
  if (binary.length === 0) {
    c.fail(
      spec.path,
      `no WebSocket transport of ${where} offers "cbor" or "msgpack", which the maker needs (XBR ids, keys and amounts are raw bytes): add one to the serializers of ${reachable.map((l) => l.path).join(' or ')}`,
    );
    return undefined;
  }
  const anonymous = binary.filter((l) => l.auth.anonymous?.type === 'static');
  const chosen = anonymous[0];
  if (chosen === undefined) {
    c.fail(
      spec.path,
      `no WebSocket transport of ${where} with "cbor" or "msgpack" accepts anonymous authentication with a static role, which is how the maker joins (${binary.map((l) => l.path).join(', ')}): add "auth": {"anonymous": {"type": "static", "role": <a role with the maker permissions>}} to one, preferably on a unix socket`,
    );
    return undefined;
  }
  const role = chosen.auth.anonymous?.type === 'static' ? chosen.auth.anonymous.role : 'anonymous';
  if (!checkRole(c, spec, role, chosen, router)) return undefined;
  const serializer = makerSerializer(chosen.serializers) ?? 'cbor';
  const ep = chosen.endpoint;
  if (ep.type === 'unix') {
    return { realm: spec.realm, transport: { type: 'websocket', endpoint: { type: 'unix', path: ep.path }, url: `ws://localhost${chosen.httpPath}`, serializers: [serializer] } };
  }
  const host = ep.interface === '0.0.0.0' ? '127.0.0.1' : ep.interface === '::' ? '::1' : ep.interface;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    realm: spec.realm,
    transport: { type: 'websocket', endpoint: { type: 'tcp', host, port: ep.port }, url: `ws://${hostInUrl}:${ep.port}${chosen.httpPath}`, serializers: [serializer] },
  };
}

/** CBOR when offered (as the original maker), else MessagePack. */
function makerSerializer(offered: readonly SerializerName[]): MakerSerializerName | undefined {
  return offered.includes('cbor') ? 'cbor' : offered.includes('msgpack') ? 'msgpack' : undefined;
}

/** The WebSocket listeners of `router`, in config order. */
function listeners(router: RouterWorkerConfig, routerPath: string): Listener[] {
  const out: Listener[] = [];
  router.transports.forEach((t, i) => {
    const tPath = `${routerPath}.transports[${i}]`;
    if (t.type === 'websocket') out.push({ path: tPath, endpoint: t.endpoint, httpPath: '/', serializers: t.serializers, auth: t.auth });
    else if (t.type === 'web') {
      for (const [httpPath, ws] of Object.entries(t.paths)) {
        // Back to the key as written in the config ("/" or "a/b"), for the JSON path.
        const key = httpPath === '/' ? '/' : httpPath.slice(1);
        out.push({ path: pathKey(`${tPath}.paths`, key), endpoint: t.endpoint, httpPath, serializers: ws.serializers, auth: ws.auth });
      }
    }
  });
  return out;
}

/** The role must exist in the maker's realm and allow everything the maker does there. */
function checkRole(c: Ctx, spec: RealmMakerSpec, role: string, via: Listener, router: RouterWorkerConfig): boolean {
  const roles = new RoleAuthorizer(router.realms.find((r) => r.name === spec.realm)?.roles ?? []);
  const joinsAs = `the maker joins realm ${JSON.stringify(spec.realm)} through ${via.path} as its anonymous role ${JSON.stringify(role)}`;
  // The router's own "trusted" role is allowed everything unless a realm defines it (config/permissions/authorizer.ts).
  if (!roles.hasRole(role) && role !== TRUSTED_ROLE) {
    c.fail(spec.path, `${joinsAs}, which is not defined in that realm: define it with the maker permissions (${PERMISSIONS_HINT})`);
    return false;
  }
  const missing = new Map<Action, string[]>();
  for (const [action, uri] of MAKER_ACTIONS) {
    if (!roles.authorize(role, uri, action).allow) missing.set(action, [...(missing.get(action) ?? []), uri]);
  }
  if (missing.size === 0) return true;
  const denied = [...missing].map(([action, uris]) => `${action} on ${quoteList(uris.slice(0, 3))}${uris.length > 3 ? ` (+${uris.length - 3} more)` : ''}`);
  c.fail(spec.path, `${joinsAs}, which does not allow ${denied.join('; ')}: give role ${JSON.stringify(role)} the maker permissions (${PERMISSIONS_HINT})`);
  return false;
}
