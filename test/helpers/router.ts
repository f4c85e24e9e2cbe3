/**
 * Test helpers for running the router in-process and talking to it with real WAMP clients.
 *
 * - `startTestRouter(json)`: a router worker from short Crossbar-style JSON (the router worker entry of
 *   `router-config.json`, without `type`), validated with the real config validator (defaults filled,
 *   config errors fail loudly), in a fresh temp cbdir, tcp endpoints without a port get port 0.
 * - `wampyClient(url, opts)`: a connected wampy 8 session (`autoReconnect: false`).
 * - `ed25519Keypair()`: keys for WAMP-cryptosign (raw 32-byte public key hex + seed hex).
 *
 * Pass `t` (the node:test context) to register cleanup with `t.after`, so routers and clients go away
 * even when the test fails.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import type { Logger, LogFields } from '../../schema/log.js';
import { startRouter, type RunningRouter } from '../../router/index.js';
import { validateNodeConfig } from '../../config/index.js';
import type { RouterWorkerConfig } from '../../config/types.js';
import type { Router } from '../../router/core/router.js';

/** Anything with node:test's `after` (a TestContext or a SuiteContext-like object). */
export interface AfterHook {
  after(fn: () => unknown): void;
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: LogFields;
}

/** A Logger that keeps every line in memory (tests can assert on them); printed when XBR_TEST_LOG=1. */
export function memoryLogger(entries: LogEntry[] = [], bindings: LogFields = {}): Logger & { entries: LogEntry[] } {
  const echo = process.env['XBR_TEST_LOG'] === '1';
  const write = (level: LogEntry['level'], msg: string, fields?: LogFields): void => {
    const all = { ...bindings, ...fields };
    entries.push({ level, msg, fields: all });
    if (echo) {
      process.stderr.write(
        JSON.stringify({ level, msg, ...all }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v)) + '\n',
      );
    }
  };
  return {
    entries,
    debugEnabled: true,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (more) => memoryLogger(entries, { ...bindings, ...more }),
  };
}

export interface TestRouter {
  readonly running: RunningRouter;
  readonly router: Router;
  readonly config: RouterWorkerConfig;
  readonly cbdir: string;
  /** Everything the router logged. */
  readonly logs: LogEntry[];
  /** `ws://127.0.0.1:<port>/ws` of a WebSocket transport on tcp. */
  url(transportId: string, path?: string): string;
  tcpPort(transportId: string): number;
  unixPath(transportId: string): string;
  stop(): Promise<void>;
}

export interface StartTestRouterOptions {
  t?: AfterHook;
  logger?: Logger;
}

type Json = Record<string, unknown>;

function isRec(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Starts a router from the router worker JSON (as in router-config.json, without `type`). Tcp endpoints
 * without `port` listen on an ephemeral port; relative unix paths resolve against a fresh temp cbdir.
 */
export async function startTestRouter(json: object, opts: StartTestRouterOptions = {}): Promise<TestRouter> {
  const cbdir = mkdtempSync(join(tmpdir(), 'xbr-rt-'));
  const worker: Json = { ...(json as Json), type: 'router' };
  if (Array.isArray(worker['transports'])) {
    worker['transports'] = worker['transports'].map((t: unknown) => {
      if (!isRec(t) || !isRec(t['endpoint'])) return t;
      const ep = t['endpoint'];
      if (ep['type'] === 'tcp' && ep['port'] === undefined) return { ...t, endpoint: { ...ep, port: 0 } };
      return t;
    });
  }
  const result = validateNodeConfig({ version: 2, workers: [worker] }, { cbdir });
  if ('errors' in result) {
    rmSync(cbdir, { recursive: true, force: true });
    throw new Error(`test router config is invalid:\n${result.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  }
  const config = result.config.workers[0] as RouterWorkerConfig;
  const logs: LogEntry[] = [];
  const logger = opts.logger ?? memoryLogger(logs);
  let running: RunningRouter;
  try {
    running = await startRouter(config, logger);
  } catch (err) {
    rmSync(cbdir, { recursive: true, force: true });
    throw err;
  }
  const listener = (id: string) => {
    const l = running.listeners.find((x) => x.id === id);
    if (!l) throw new Error(`no transport "${id}" (have: ${running.listeners.map((x) => x.id).join(', ')})`);
    return l;
  };
  let stopped: Promise<void> | undefined;
  const tr: TestRouter = {
    running,
    router: running.router,
    config,
    cbdir,
    logs,
    tcpPort(id) {
      const a = listener(id).address;
      if (a.type !== 'tcp') throw new Error(`transport "${id}" is not on tcp`);
      return a.port;
    },
    unixPath(id) {
      const a = listener(id).address;
      if (a.type !== 'unix') throw new Error(`transport "${id}" is not on a unix socket`);
      return a.path;
    },
    url(id, path = '/ws') {
      return `ws://127.0.0.1:${tr.tcpPort(id)}${path}`;
    },
    stop() {
      stopped ??= running.stop().finally(() => rmSync(cbdir, { recursive: true, force: true }));
      return stopped;
    },
  };
  opts.t?.after(() => tr.stop());
  return tr;
}

// ---------------------------------------------------------------------------------------------------
// wampy

export type SerializerKind = 'json' | 'msgpack' | 'cbor';
export const SERIALIZER_KINDS: readonly SerializerKind[] = ['json', 'msgpack', 'cbor'];

function wampySerializer(kind: SerializerKind): MsgpackSerializer | JsonSerializer | CborSerializer {
  return kind === 'msgpack' ? new MsgpackSerializer() : kind === 'cbor' ? new CborSerializer() : new JsonSerializer();
}

/** A `ws` constructor for wampy that connects to a unix socket whatever URL wampy was given. */
export function unixWebSocketClass(socketPath: string, httpPath = '/ws'): typeof WebSocket {
  return class UnixWebSocket extends WebSocket {
    constructor(_url: string, protocols?: string | string[]) {
      super(`ws+unix://${socketPath}:${httpPath}`, protocols);
    }
  } as unknown as typeof WebSocket;
}

export interface WampyClientOptions {
  serializer?: SerializerKind;
  realm: string;
  authid?: string;
  authmethods?: string[];
  authextra?: Record<string, unknown>;
  onChallenge?: (method: string, extra: Record<string, unknown>) => string | Promise<string>;
  onClose?: () => void;
  onError?: (err: Error) => void;
  /** A WebSocket class to use instead of `ws` (e.g. `unixWebSocketClass(path)`). */
  ws?: typeof WebSocket;
  t?: AfterHook;
}

export interface ConnectedWampy {
  wampy: Wampy;
  /** WELCOME.Details as wampy resolved them. */
  welcome: Record<string, unknown>;
  /** Session id as a number (wampy/msgpack hands out bigints above 2^32). */
  sessionId: number;
  /** Resolves when the connection is gone (onClose). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** Builds a wampy instance without connecting (for tests that expect connect() to fail). */
function makeWampy(url: string, opts: WampyClientOptions): { wampy: Wampy; closed: Promise<void> } {
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const wampy = new Wampy(url, {
    ws: (opts.ws ?? WebSocket) as never,
    realm: opts.realm,
    autoReconnect: false,
    serializer: wampySerializer(opts.serializer ?? 'json'),
    ...(opts.authid !== undefined ? { authid: opts.authid } : {}),
    ...(opts.authmethods !== undefined ? { authmethods: opts.authmethods } : {}),
    ...(opts.authextra !== undefined ? { authextra: opts.authextra } : {}),
    ...(opts.onChallenge !== undefined ? { onChallenge: opts.onChallenge } : {}),
    onClose: () => {
      resolveClosed();
      opts.onClose?.();
    },
    onError: (err: Error) => opts.onError?.(err),
  });
  return { wampy, closed };
}

/** Closes a wampy connection: GOODBYE if there is a session, and a hard close if that takes too long. */
export async function closeWampy(wampy: Wampy, closed?: Promise<void>, timeoutMs = 1000): Promise<void> {
  const ws = (wampy as unknown as { _ws: WebSocket | null })._ws;
  if (!ws) return;
  const done = closed ?? new Promise<void>((resolve) => ws.once('close', () => resolve()));
  if (ws.readyState === ws.CLOSED) return;
  try {
    void wampy.disconnect().catch(() => {});
  } catch {
    // wampy throws synchronously on some states; the hard close below covers it.
  }
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  if ((await Promise.race([done.then(() => 'closed' as const), timer])) === 'timeout') {
    ws.terminate();
  }
}

/** Connects a wampy session; rejects with wampy's error (e.g. AbortError with `errorUri`) on failure. */
export async function wampyClient(url: string, opts: WampyClientOptions): Promise<ConnectedWampy> {
  const { wampy, closed } = makeWampy(url, opts);
  opts.t?.after(() => closeWampy(wampy, closed));
  const welcome = await wampy.connect();
  const id = wampy.getSessionId() as unknown;
  return {
    wampy,
    welcome,
    sessionId: Number(id),
    closed,
    close: () => closeWampy(wampy, closed),
  };
}

/** Connects a session that is expected to fail; resolves with the error (and fails if it connects). */
export async function wampyConnectError(url: string, opts: WampyClientOptions): Promise<Error & { errorUri?: string; details?: Record<string, unknown> }> {
  const { wampy, closed } = makeWampy(url, opts);
  opts.t?.after(() => closeWampy(wampy, closed));
  try {
    await wampy.connect();
  } catch (err) {
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
    return err as Error & { errorUri?: string };
  }
  await closeWampy(wampy, closed);
  throw new Error('expected the connection to be refused, but the session was established');
}

// ---------------------------------------------------------------------------------------------------
// keys

export interface Ed25519Keys {
  /** 32-byte raw public key, hex (64 chars): what cryptosign's authextra.pubkey and authorized_keys hold. */
  pubHex: string;
  /** 32-byte seed, hex (64 chars): what wampy's `sign()` and autobahn's `CryptosignKey.from_bytes` take. */
  seedHex: string;
}

export function ed25519Keypair(): Ed25519Keys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { pubHex: spki.subarray(spki.length - 32).toString('hex'), seedHex: pkcs8.subarray(pkcs8.length - 32).toString('hex') };
}

// ---------------------------------------------------------------------------------------------------
// misc

/** A promise with its resolve/reject exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

/** Rejects after `ms` with a message naming what was awaited. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Polls `cond` until it holds (or fails after `ms`). */
export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
