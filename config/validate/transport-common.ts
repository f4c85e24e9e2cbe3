/**
 * What transports and the websocket paths of `web` transports share: the serializers they offer and
 * the limits of one connection (`max_message_size`, `open_handshake_timeout`, `auto_ping_interval`).
 */
import type { ConnectionOptions, SerializerName } from '../types.js';
import { integer, number, oneOf } from './checks.js';
import { quoteList, type Ctx, type Rec } from './context.js';

const SERIALIZERS: readonly SerializerName[] = ['json', 'msgpack', 'cbor'];

/** The keys of `ConnectionOptions`, in the order they are checked. */
export const CONNECTION_OPTION_KEYS = ['max_message_size', 'open_handshake_timeout', 'auto_ping_interval'] as const;

/** Non-empty, no duplicates; default: all serializers. */
export function checkSerializers(c: Ctx, v: unknown, path: string): SerializerName[] | undefined {
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

/** The connection limits in the options object `o` (at `path`), defaults filled in. */
export function connectionOptions(c: Ctx, o: Rec, path: string): ConnectionOptions | undefined {
  const max_message_size = c.field(o, 'max_message_size', path, integer(512, 16 * 1024 * 1024), 1048576);
  const open_handshake_timeout = c.field(o, 'open_handshake_timeout', path, number(0, undefined, true), 10);
  const auto_ping_interval = c.field(o, 'auto_ping_interval', path, number(0), 0);
  if (max_message_size === undefined || open_handshake_timeout === undefined || auto_ping_interval === undefined) return undefined;
  return { max_message_size, open_handshake_timeout, auto_ping_interval };
}

/** `max_connections` in the options object `o` (at `path`); default 1000. */
export function maxConnections(c: Ctx, o: Rec, path: string): number | undefined {
  return c.field(o, 'max_connections', path, integer(1), 1000);
}
