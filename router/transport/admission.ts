/**
 * What a transport does with a connection before it trusts it (docs/protocol.md#trust-model-bounds):
 * count it from TCP accept against `max_connections`, and give it `open_handshake_timeout` from
 * accept to open. A socket that sends nothing is counted and timed like any other: otherwise idle
 * sockets hold descriptors and buffers without limit (1,500 of them were held for 80 s).
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { OpeningHandshake } from '../core/connection.js';

/** How long a refused connection may stay open for its peer to read the refusal. */
export const REFUSED_LINGER_MS = 1000;

/** The connections of one transport, counted from TCP accept until they close, whatever stage they are in. */
export class ConnectionCount {
  private readonly open = new Set<Socket>();

  constructor(private readonly max: number) {}

  /** Counts `socket` until it closes; false, and not counted, when the transport is at its limit. */
  admit(socket: Socket): boolean {
    if (this.open.size >= this.max) return false;
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    return true;
  }

  /** Destroys every counted connection (the transport is closing). */
  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}

/** A connection between TCP accept and the point where the router's WAMP handshake timer takes over. */
export interface Opening {
  readonly acceptedAt: number;
  /** Stops the transport's timer: the router now times the rest of the opening handshake. */
  handOver(): void;
}

/**
 * Starts the clock of a just accepted socket: unless handed over first, it is destroyed `timeoutMs`
 * after accept, with `onTimeout` called to say so.
 */
export function startOpening(socket: Socket, timeoutMs: number, onTimeout: () => void): Opening {
  const acceptedAt = performance.now();
  const timer = setTimeout(() => {
    onTimeout();
    socket.destroy();
  }, timeoutMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  return { acceptedAt, handOver: () => clearTimeout(timer) };
}

/** The router's share of an opening: the same accept time, with the timeout of the service it reached. */
export function handshakeFrom(opening: Opening, timeoutSeconds: number): OpeningHandshake {
  return { acceptedAt: opening.acceptedAt, timeoutMs: timeoutSeconds * 1000 };
}

/** Whether `handshake` has no time left. */
export function expired(handshake: OpeningHandshake): boolean {
  return performance.now() >= handshake.acceptedAt + handshake.timeoutMs;
}
