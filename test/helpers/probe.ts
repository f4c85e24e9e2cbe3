/**
 * Raw TCP probes for tests that attack a transport before any protocol is spoken: sockets that stay
 * idle, upgrade late or hand-write a RawSocket handshake, recording what they receive and when the
 * router closes them.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { AfterHook } from './router.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a rejection naming `what` if it does not settle within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A client TCP socket that records what it receives and when it closed. */
export interface Probe {
  readonly socket: Socket;
  /** `Date.now()` when the connection was established. */
  readonly connectedAt: number;
  received(): Buffer;
  /** Resolves with `Date.now()` when the socket has closed. */
  readonly closed: Promise<number>;
}

/**
 * Connects to `port` on 127.0.0.1 and sends nothing. `allowHalfOpen` keeps the client's side open
 * after the router's FIN (so the router still holds the socket). Destroyed by `t.after`.
 */
export async function openProbe(port: number, t: AfterHook, allowHalfOpen = false): Promise<Probe> {
  const socket = netConnect({ port, host: '127.0.0.1', allowHalfOpen });
  t.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, connectedAt: Date.now(), received: () => Buffer.concat(chunks), closed };
}

/** Resolves with `Date.now()` once `probe` has received data that `done` accepts; rejects after `timeoutMs`. */
export async function receivedWhen(probe: Probe, done: (data: Buffer) => boolean, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!done(probe.received())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(probe.received().toString('latin1').slice(0, 200))}`);
    await sleep(5);
  }
  return Date.now();
}

/** Resolves with the time `probe` closed; rejects if it is still open after `timeoutMs`. */
export function closedWithin(probe: Probe, timeoutMs: number, what: string): Promise<number> {
  return within(probe.closed, timeoutMs, `${what} to be closed`);
}

/** A WebSocket upgrade request for `path` offering one WAMP subprotocol. */
export function upgradeRequest(port: number, path = '/', protocol = 'wamp.2.json'): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`
  );
}

/** The HTTP status of the response at the start of `data`, or undefined until its head is complete. */
export function httpStatus(data: Buffer): number | undefined {
  if (data.indexOf('\r\n\r\n') === -1) return undefined;
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(data.toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

/** The first WebSocket text frame (unmasked, as a server sends it) after the HTTP response, as JSON; undefined until complete. */
export function firstWsMessage(data: Buffer): unknown[] | undefined {
  const head = data.indexOf('\r\n\r\n');
  if (head === -1) return undefined;
  const frame = data.subarray(head + 4);
  if (frame.length < 2) return undefined;
  let length = frame[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (frame.length < 4) return undefined;
    length = frame.readUInt16BE(2);
    offset = 4;
  }
  if (frame.length < offset + length) return undefined;
  return JSON.parse(frame.subarray(offset, offset + length).toString('utf8')) as unknown[];
}

/** The first RawSocket message frame after the 4-byte handshake reply, as JSON; undefined until complete. */
export function firstRawSocketMessage(data: Buffer): unknown[] | undefined {
  if (data.length < 8) return undefined;
  const length = data.readUIntBE(5, 3);
  if (data.length < 8 + length) return undefined;
  return JSON.parse(data.subarray(8, 8 + length).toString('utf8')) as unknown[];
}
