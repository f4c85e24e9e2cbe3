/**
 * Crossbar's `web` transport: `paths` maps URL paths to path services, `options` holds what all paths
 * share (`max_connections`). xbr-edge serves WAMP over WebSocket only, so `websocket` is the only path
 * type it accepts; every other Crossbar path type (static, nodeinfo, wsgi, resource, reverseproxy, ...)
 * is reported at that path. The transport's type, id and endpoint are checked in transport.ts.
 */
import type { ConnectionOptions, WebSocketPathConfig, WebTransportConfig } from '../types.js';
import { checkAuth } from './auth.js';
import { isRec, pathKey, REQUIRED, type Check, type Ctx, type Rec } from './context.js';
import { checkSerializers, CONNECTION_OPTION_KEYS, connectionOptions, maxConnections } from './transport-common.js';

export const WEB_TRANSPORT_KEYS: readonly string[] = ['type', 'id', 'endpoint', 'paths', 'options'];

export const WEB_TRANSPORT_HINTS: Record<string, string> = {
  serializers: 'a web transport sets serializers per websocket path: paths.<path>.serializers',
  auth: 'a web transport sets auth per websocket path: paths.<path>.auth',
};

const PER_PATH_HINT = "a per-path option of a web transport: set it in the websocket path's options (paths.<path>.options)";
const SHARED_HINT = "max_connections is shared by all paths of a web transport: set it in the transport's options";

const PATHS_EXPECTED = 'an object of path services keyed by URL path, with at least one of type "websocket" (e.g. {"ws": {"type": "websocket"}})';

const PATH_KEY_EXPECTED =
  '"/" (the root) or URL path segments separated by "/", without leading or trailing "/", each of letters, digits, "-", "_", ".", "~" (e.g. "ws", "a/b")';

const SEGMENT = /^[A-Za-z0-9._~-]+$/;

const pathType: Check<string> = {
  expected: '"websocket" (the only path type xbr-edge supports)',
  test: (v) => (typeof v === 'string' ? v : undefined),
};

/** The options and paths of the `web` transport `t` at `path`. */
export function checkWebTransport(
  c: Ctx,
  t: Rec,
  path: string,
  realms: Map<string, Set<string>>,
): Pick<WebTransportConfig, 'options' | 'paths'> | undefined {
  const options = checkWebOptions(c, t['options'], `${path}.options`);
  const paths = checkPaths(c, c.required(t, 'paths', path, PATHS_EXPECTED), `${path}.paths`, realms);
  return options === undefined || paths === undefined ? undefined : { options, paths };
}

function checkWebOptions(c: Ctx, v: unknown, path: string): WebTransportConfig['options'] | undefined {
  const hints = Object.fromEntries(CONNECTION_OPTION_KEYS.map((k) => [k, PER_PATH_HINT]));
  const o = v === undefined ? {} : c.object(v, path, ['max_connections'], hints);
  if (o === undefined) return undefined;
  const max_connections = maxConnections(c, o, path);
  return max_connections === undefined ? undefined : { max_connections };
}

function checkPaths(c: Ctx, v: unknown, path: string, realms: Map<string, Set<string>>): Record<string, WebSocketPathConfig> | undefined {
  if (v === undefined) return undefined; // reported as missing
  if (!isRec(v)) {
    c.mismatch(path, PATHS_EXPECTED, v);
    return undefined;
  }
  const out: Record<string, WebSocketPathConfig> = {};
  let ok = true;
  // A service without a readable type may be meant as websocket: only a clear absence is reported.
  let maybeWebSocket = false;
  for (const [key, service] of Object.entries(v)) {
    const p = pathKey(path, key);
    const urlPath = normalizePathKey(c, key, p);
    if (!isRec(service)) {
      c.mismatch(p, 'a path service object with "type": "websocket"', service);
      ok = false;
      maybeWebSocket = true;
      continue;
    }
    const type = c.field(service, 'type', p, pathType, REQUIRED);
    if (type !== 'websocket') {
      if (type === undefined) maybeWebSocket = true;
      else {
        c.fail(p, `path type ${JSON.stringify(type)} is not supported by xbr-edge: only "websocket" paths are (WAMP over WebSocket); remove this path and serve it with another web server`);
      }
      ok = false;
      continue;
    }
    maybeWebSocket = true;
    const ws = checkWebSocketPath(c, service, p, realms);
    if (ws === undefined || urlPath === undefined) ok = false;
    else out[urlPath] = ws;
  }
  if (!maybeWebSocket) {
    const found = Object.keys(v).length === 0 ? 'an empty object' : 'only paths of other types';
    c.fail(path, `expected at least one path service of type "websocket" (the only path type xbr-edge supports), got ${found}`);
    return undefined;
  }
  return ok ? out : undefined;
}

/** Crossbar's path key → the URL path it serves: `"/"` → `/`, `"ws"` → `/ws`, `"a/b"` → `/a/b`. */
function normalizePathKey(c: Ctx, key: string, path: string): string | undefined {
  if (key === '/') return '/';
  if (isPathKey(key)) return `/${key}`;
  const trimmed = key.replace(/^\/+|\/+$/g, '');
  if (trimmed !== key && isPathKey(trimmed)) {
    const where = key.startsWith('/') ? 'leading' : 'trailing';
    c.fail(path, `path keys have no ${where} "/": write ${JSON.stringify(trimmed)} for the URL path "/${trimmed}" ("/" alone is the root), got ${JSON.stringify(key)}`);
  } else c.fail(path, `expected a path key: ${PATH_KEY_EXPECTED}, got ${JSON.stringify(key)}`);
  return undefined;
}

function isPathKey(key: string): boolean {
  return key.split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..');
}

function checkWebSocketPath(c: Ctx, service: Rec, path: string, realms: Map<string, Set<string>>): WebSocketPathConfig | undefined {
  c.object(service, path, ['type', 'serializers', 'auth', 'options']);
  const serializers = checkSerializers(c, service['serializers'], `${path}.serializers`);
  const auth = checkAuth(c, service['auth'], `${path}.auth`, realms);
  const options = checkPathOptions(c, service['options'], `${path}.options`);
  if (serializers === undefined || auth === undefined || options === undefined) return undefined;
  return { serializers, auth, options };
}

function checkPathOptions(c: Ctx, v: unknown, path: string): ConnectionOptions | undefined {
  const o = v === undefined ? {} : c.object(v, path, CONNECTION_OPTION_KEYS, { max_connections: SHARED_HINT });
  return o === undefined ? undefined : connectionOptions(c, o, path);
}
