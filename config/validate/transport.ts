/**
 * The transports of a router worker: type and id (unique in the worker) for all; endpoint,
 * serializers, auth and options for `websocket` and `rawsocket`; `web` transports in web-transport.ts.
 */
import type { TransportConfig, TransportOptions } from '../types.js';
import { checkAuth } from './auth.js';
import { idString, oneOf } from './checks.js';
import { isRec, REQUIRED, type Ctx, type Rec } from './context.js';
import { checkEndpoint, type Endpoints } from './endpoint.js';
import { checkSerializers, CONNECTION_OPTION_KEYS, connectionOptions, maxConnections } from './transport-common.js';
import { checkWebTransport, WEB_TRANSPORT_HINTS, WEB_TRANSPORT_KEYS } from './web-transport.js';

const TRANSPORT_TYPES = ['websocket', 'rawsocket', 'web'] as const;

const SOCKET_TRANSPORT_HINTS: Record<string, string> = {
  max_message_size: 'did you mean options.max_message_size?',
  serializer: 'did you mean serializers (an array)?',
  paths: 'paths belong to a transport of type "web"',
};

export function checkTransports(
  c: Ctx,
  arr: unknown[],
  path: string,
  realms: Map<string, Set<string>>,
  endpoints: Endpoints,
): TransportConfig[] | undefined {
  const out: (TransportConfig | undefined)[] = [];
  const ids = new Map<string, string>();
  arr.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (!isRec(t)) {
      c.mismatch(p, 'a transport object', t);
      out.push(undefined);
      return;
    }
    const type = c.field(t, 'type', p, oneOf(TRANSPORT_TYPES), REQUIRED);
    if (type === 'web') c.object(t, p, WEB_TRANSPORT_KEYS, WEB_TRANSPORT_HINTS);
    else c.object(t, p, ['type', 'id', 'endpoint', 'serializers', 'auth', 'options'], SOCKET_TRANSPORT_HINTS);
    const id = checkTransportId(c, t, p, i, ids);
    const endpoint = checkEndpoint(c, c.required(t, 'endpoint', p, 'an endpoint object {type: "tcp" | "unix", ...}'), `${p}.endpoint`, endpoints, p);
    if (type === 'web') {
      const web = checkWebTransport(c, t, p, realms);
      out.push(id === undefined || endpoint === undefined || web === undefined ? undefined : { type, id, endpoint, ...web });
      return;
    }
    const serializers = checkSerializers(c, t['serializers'], `${p}.serializers`);
    const auth = checkAuth(c, t['auth'], `${p}.auth`, realms);
    const options = checkTransportOptions(c, t['options'], `${p}.options`);
    if (type === undefined || id === undefined || endpoint === undefined || serializers === undefined || auth === undefined || options === undefined) {
      out.push(undefined);
      return;
    }
    out.push({ type, id, endpoint, serializers, auth, options });
  });
  return out.every((t): t is TransportConfig => t !== undefined) ? out : undefined;
}

/** The transport's id (default `transport<i+1>`), which must be unique among the worker's transports. */
function checkTransportId(c: Ctx, t: Rec, p: string, i: number, ids: Map<string, string>): string | undefined {
  const explicit = t['id'] !== undefined;
  const id = c.field(t, 'id', p, idString, `transport${i + 1}`);
  if (id !== undefined) {
    const other = ids.get(id);
    if (other !== undefined) {
      c.fail(`${p}.id`, `duplicate transport id ${JSON.stringify(id)}${explicit ? '' : ' (the default id)'} in this worker: already used by ${other}`);
    } else ids.set(id, p);
  }
  return id;
}

function checkTransportOptions(c: Ctx, v: unknown, path: string): TransportOptions | undefined {
  const o = v === undefined ? {} : c.object(v, path, [...CONNECTION_OPTION_KEYS, 'max_connections']);
  if (o === undefined) return undefined;
  const conn = connectionOptions(c, o, path);
  const max_connections = maxConnections(c, o, path);
  if (conn === undefined || max_connections === undefined) return undefined;
  return { ...conn, max_connections };
}
