/** The transports of a router worker: type, id, endpoint, serializers, auth and options. */
import type { SerializerName, TransportConfig, TransportOptions } from '../types.js';
import { checkAuth } from './auth.js';
import { idString, integer, number, oneOf } from './checks.js';
import { isRec, quoteList, REQUIRED, type Ctx } from './context.js';
import { checkEndpoint, type Endpoints } from './endpoint.js';

const SERIALIZERS: readonly SerializerName[] = ['json', 'msgpack', 'cbor'];

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
      return out.push(undefined);
    }
    const type = c.field(t, 'type', p, oneOf(['websocket', 'rawsocket'] as const), REQUIRED);
    c.object(t, p, ['type', 'id', 'endpoint', 'serializers', 'auth', 'options'], {
      max_message_size: 'did you mean options.max_message_size?',
      serializer: 'did you mean serializers (an array)?',
    });
    const explicit = t['id'] !== undefined;
    const id = c.field(t, 'id', p, idString, `transport${i + 1}`);
    if (id !== undefined) {
      const other = ids.get(id);
      if (other !== undefined) {
        c.fail(`${p}.id`, `duplicate transport id ${JSON.stringify(id)}${explicit ? '' : ' (the default id)'} in this worker: already used by ${other}`);
      } else ids.set(id, p);
    }
    const endpoint = checkEndpoint(c, c.required(t, 'endpoint', p, 'an endpoint object {type: "tcp" | "unix", ...}'), `${p}.endpoint`, endpoints, p);
    const serializers = checkSerializers(c, t['serializers'], `${p}.serializers`);
    const auth = checkAuth(c, t['auth'], `${p}.auth`, realms);
    const options = checkTransportOptions(c, t['options'], `${p}.options`);
    if (type === undefined || id === undefined || endpoint === undefined || serializers === undefined || auth === undefined || options === undefined) {
      return out.push(undefined);
    }
    return out.push({ type, id, endpoint, serializers, auth, options });
  });
  return out.every((t): t is TransportConfig => t !== undefined) ? out : undefined;
}

function checkSerializers(c: Ctx, v: unknown, path: string): SerializerName[] | undefined {
  if (v === undefined) return [...SERIALIZERS];
  const arr = c.array(v, path, `a non-empty array of ${quoteList(SERIALIZERS)}`);
  if (arr === undefined) return undefined;
  if (arr.length === 0) {
    c.fail(path, `expected a non-empty array of ${quoteList(SERIALIZERS)}, got an empty array`);
    return undefined;
  }
  const out: SerializerName[] = [];
  let ok = true;
  arr.forEach((s, i) => {
    const name = oneOf(SERIALIZERS).test(s);
    if (name === undefined) {
      c.mismatch(`${path}[${i}]`, `one of ${quoteList(SERIALIZERS)}`, s);
      ok = false;
    } else if (out.includes(name)) {
      c.fail(`${path}[${i}]`, `duplicate serializer ${JSON.stringify(name)}`);
      ok = false;
    } else out.push(name);
  });
  return ok ? out : undefined;
}

function checkTransportOptions(c: Ctx, v: unknown, path: string): TransportOptions | undefined {
  const o = v === undefined ? {} : c.object(v, path, ['max_message_size', 'max_connections', 'open_handshake_timeout', 'auto_ping_interval']);
  if (o === undefined) return undefined;
  const max_message_size = c.field(o, 'max_message_size', path, integer(512, 16 * 1024 * 1024), 1048576);
  const max_connections = c.field(o, 'max_connections', path, integer(1), 1000);
  const open_handshake_timeout = c.field(o, 'open_handshake_timeout', path, number(0, undefined, true), 10);
  const auto_ping_interval = c.field(o, 'auto_ping_interval', path, number(0), 0);
  if (max_message_size === undefined || max_connections === undefined || open_handshake_timeout === undefined || auto_ping_interval === undefined) {
    return undefined;
  }
  return { max_message_size, max_connections, open_handshake_timeout, auto_ping_interval };
}
