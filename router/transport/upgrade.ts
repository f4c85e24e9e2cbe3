/** The HTTP side of WebSocket upgrades: the request path, the WAMP subprotocol, refusals. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Serializer } from '../wamp/serializer.js';

/** The path of a request target without query or fragment (`/ws?x=1` → `/ws`); absolute-form targets too. */
export function requestPath(url: string | undefined): string {
  const target = (url ?? '/').split(/[?#]/, 1)[0]!;
  if (target.startsWith('/')) return target;
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

/** The client's first preference (`Sec-WebSocket-Protocol`, in its order) among the offered subprotocols. */
export function chooseSubprotocol(header: string | undefined, offered: ReadonlyMap<string, Serializer>): string | undefined {
  if (!header) return undefined;
  for (const p of header.split(',')) {
    const name = p.trim();
    if (offered.has(name)) return name;
  }
  return undefined;
}

/** Answers an upgrade request with an HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
}
