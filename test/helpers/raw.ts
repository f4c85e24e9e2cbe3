/**
 * Minimal raw WAMP clients for tests that must send exactly the bytes they choose (malformed
 * messages, out-of-order messages, options a client library does not let through): a WebSocket
 * client (tcp or unix) and a RawSocket client (tcp or unix), with their own codecs so they do not
 * depend on the router's serializers.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { Encoder as CborEncoder } from 'cbor-x';
import { Packr, Unpackr } from 'msgpackr';
import WebSocket from 'ws';
import type { AfterHook, SerializerKind } from './router.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });
// 'auto': numbers when safe, bigints beyond 2^53 (msgpackr supports it; its typings lag behind)
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'auto' } as unknown as ConstructorParameters<typeof Unpackr>[0]);
const cbor = new CborEncoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: false } as ConstructorParameters<typeof CborEncoder>[0]);

export function encodeWamp(kind: SerializerKind, msg: unknown): Buffer {
  if (kind === 'json') return Buffer.from(JSON.stringify(msg), 'utf8');
  if (kind === 'msgpack') return packr.pack(msg);
  return Buffer.from(cbor.encode(msg));
}

function decodeWamp(kind: SerializerKind, data: Buffer): unknown {
  if (kind === 'json') return JSON.parse(data.toString('utf8'));
  if (kind === 'msgpack') return unpackr.unpack(data);
  return cbor.decode(data);
}

/** A queue of received items with `next()` that waits (with a timeout). */
class Inbox<T> {
  private items: T[] = [];
  private waiters: { pred: (x: T) => boolean; resolve: (x: T) => void }[] = [];

  push(item: T): void {
    const i = this.waiters.findIndex((w) => w.pred(item));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w!.resolve(item);
    } else this.items.push(item);
  }

  all(): readonly T[] {
    return this.items;
  }

  next(timeoutMs: number, pred: (x: T) => boolean = () => true, what = 'a message'): Promise<T> {
    const i = this.items.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]!);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (x: T) => {
          clearTimeout(timer);
          resolve(x);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

export type WampMsg = unknown[];

interface WampSessionLike {
  send(msg: WampMsg): void;
  next(timeoutMs?: number, pred?: (m: WampMsg) => boolean, what?: string): Promise<WampMsg>;
}

/** HELLO → WELCOME (anonymous); returns the session id. Throws if the router answers otherwise. */
export async function rawHello(c: WampSessionLike, realm: string, details: Record<string, unknown> = {}): Promise<number> {
  c.send([1, realm, { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} }, ...details }]);
  const m = await c.next(2000, undefined, 'WELCOME');
  if (m[0] !== 2) throw new Error(`expected WELCOME, got ${JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  return Number(m[1]);
}

// ---------------------------------------------------------------------------------------------------
// WebSocket

export interface RawWsClient extends WampSessionLike {
  readonly ws: WebSocket;
  readonly kind: SerializerKind;
  /** Every decoded message received so far that `next` has not taken. */
  readonly inbox: readonly WampMsg[];
  /** Resolves with the close code and reason once the connection is closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  sendRaw(data: Buffer | string, binary: boolean): void;
  close(): void;
}

/** Connects a raw WebSocket WAMP client; `target` is a ws:// URL or `{ unix: path }`. */
export async function rawWs(target: string | { unix: string; path?: string }, kind: SerializerKind, t?: AfterHook): Promise<RawWsClient> {
  const url = typeof target === 'string' ? target : `ws+unix://${target.unix}:${target.path ?? '/ws'}`;
  const ws = new WebSocket(url, [`wamp.2.${kind}`], { perMessageDeflate: false });
  t?.after(() => ws.terminate());
  const inbox = new Inbox<WampMsg>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => {});
  ws.on('message', (data: Buffer) => {
    let msg: unknown;
    try {
      msg = decodeWamp(kind, data);
    } catch {
      msg = ['<undecodable>', data];
    }
    inbox.push(msg as WampMsg);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
  });
  if (ws.protocol !== `wamp.2.${kind}`) throw new Error(`router chose subprotocol "${ws.protocol}"`);
  return {
    ws,
    kind,
    get inbox() {
      return inbox.all();
    },
    closed,
    send(msg) {
      ws.send(encodeWamp(kind, msg), { binary: kind !== 'json' });
    },
    sendRaw(data, binary) {
      ws.send(data, { binary });
    },
    next(timeoutMs = 2000, pred, what) {
      return inbox.next(timeoutMs, pred, what);
    },
    close() {
      ws.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// RawSocket

const RAWSOCKET_SERIALIZER_ID: Record<SerializerKind, number> = { json: 1, msgpack: 2, cbor: 3 };

export interface RawSocketClient extends WampSessionLike {
  readonly socket: Socket;
  readonly kind: SerializerKind;
  /** The router's 4-byte handshake reply. */
  readonly handshakeReply: Buffer;
  /** Resolves when the socket has closed (after the peer ended or reset it). */
  readonly closed: Promise<void>;
  /** Frames received after the handshake: type and payload. */
  readonly frames: readonly { type: number; payload: Buffer }[];
  sendFrame(type: number, payload: Buffer, headerByte?: number): void;
  sendBytes(data: Buffer): void;
  close(): void;
}

export type SocketTarget = { port: number; host?: string } | { path: string };

/** Opens a plain socket (no handshake): for bad handshakes. Collects everything received. */
export async function rawTcp(target: SocketTarget, t?: AfterHook): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = netConnect('path' in target ? { path: target.path } : { port: target.port, host: target.host ?? '127.0.0.1' });
  t?.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received: () => Buffer.concat(chunks), closed };
}

/**
 * Connects and does the RawSocket handshake (client max length exponent `maxLenExp`, 0..15: 2^(9+n)).
 * Resolves even when the router answers with a handshake error; check `handshakeReply`.
 */
export async function rawSocket(target: SocketTarget, kind: SerializerKind, t?: AfterHook, maxLenExp = 15): Promise<RawSocketClient> {
  const { socket, closed } = await rawTcp(target, t);
  socket.removeAllListeners('data');
  let buf = Buffer.alloc(0);
  let handshakeReply: Buffer | undefined;
  let handshakeDone: () => void;
  const handshake = new Promise<void>((r) => (handshakeDone = r));
  const inbox = new Inbox<WampMsg>();
  const frames: { type: number; payload: Buffer }[] = [];
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (!handshakeReply) {
      if (buf.length < 4) return;
      handshakeReply = buf.subarray(0, 4);
      buf = buf.subarray(4);
      handshakeDone();
    }
    while (buf.length >= 4) {
      const len = buf.readUIntBE(1, 3);
      if (buf.length < 4 + len) break;
      const type = buf[0]! & 0x07;
      const payload = buf.subarray(4, 4 + len);
      buf = buf.subarray(4 + len);
      frames.push({ type, payload });
      if (type === 0) {
        let msg: unknown;
        try {
          msg = decodeWamp(kind, payload);
        } catch {
          msg = ['<undecodable>', payload];
        }
        inbox.push(msg as WampMsg);
      }
    }
  });
  closed.then(() => handshakeDone());
  socket.write(Buffer.from([0x7f, ((maxLenExp & 0x0f) << 4) | RAWSOCKET_SERIALIZER_ID[kind], 0, 0]));
  await Promise.race([handshake, new Promise((_, reject) => setTimeout(() => reject(new Error('no RawSocket handshake reply within 2 s')), 2000).unref())]);
  if (!handshakeReply) throw new Error('connection closed before the RawSocket handshake reply');
  const frame = (type: number, payload: Buffer, headerByte = type): Buffer => {
    const h = Buffer.alloc(4);
    h[0] = headerByte;
    h.writeUIntBE(payload.length, 1, 3);
    return Buffer.concat([h, payload]);
  };
  return {
    socket,
    kind,
    handshakeReply,
    closed,
    frames,
    send(msg) {
      socket.write(frame(0, encodeWamp(kind, msg)));
    },
    sendFrame(type, payload, headerByte) {
      socket.write(frame(type, payload, headerByte));
    },
    sendBytes(data) {
      socket.write(data);
    },
    next(timeoutMs = 2000, pred, what) {
      return inbox.next(timeoutMs, pred, what);
    },
    close() {
      socket.destroy();
    },
  };
}
