/**
 * A maker's WAMP session in its market realm, with wampy over WebSocket (tcp or the router's unix
 * socket). Joining retries with backoff while the router is not up yet; once joined, wampy reconnects
 * by itself after a drop and renews the registrations.
 */
import type { IncomingMessage } from 'node:http';
import { Wampy } from 'wampy';
import WebSocket from 'ws';
import { backoffDelay, sleep, WriteCoalescer } from '../../process/index.js';
import type { MakerConnectionConfig } from '../../config/index.js';
import { WampError, WampErrorUri, remoteErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import { makeSerializer } from './serializer.js';

/** A `ws` class that dials the unix socket `socketPath` whatever URL wampy hands it. */
function unixWebSocket(socketPath: string, url: string): typeof WebSocket {
  const httpPath = new URL(url).pathname || '/';
  return class UnixWebSocket extends WebSocket {
    constructor(_url: string, protocols?: string | string[]) {
      super(`ws+unix://${socketPath}:${httpPath}`, protocols);
    }
  } as unknown as typeof WebSocket;
}

/**
 * `Base` whose sends made in one turn of the event loop leave in one socket write. wampy writes every
 * WAMP message on its own, and a batched ledger commit resolves many purchases at once, each sending
 * its seller call or its result: without this, each costs its own syscall (and a packet to the router).
 */
function coalescingWebSocket(Base: typeof WebSocket): typeof WebSocket {
  return class CoalescingWebSocket extends Base {
    private coalescer: WriteCoalescer | undefined;
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      // The upgraded HTTP response's socket is the connection's socket (ws has no public accessor).
      this.once('upgrade', (res: IncomingMessage) => {
        this.coalescer = new WriteCoalescer(res.socket);
      });
    }
    override send(data: unknown, ...rest: unknown[]): void {
      this.coalescer?.hold();
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  } as unknown as typeof WebSocket;
}

export interface JoinOptions {
  log: Logger;
  /** Aborts the join (shutdown): the promise rejects with `wamp.close.system_shutdown`. */
  signal: AbortSignal;
  /** Called when the session is lost and wampy starts reconnecting, and when it is back. */
  onLost?: () => void;
  onBack?: () => void;
  /** First retry delay (ms); doubles up to `maxDelayMs`. Defaults 200 / 5000. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Joins `conn.realm`, retrying (with backoff, logged) until it succeeds or `signal` aborts.
 * @example const session = await joinRealm(maker.connection, { log, signal });
 */
export async function joinRealm(conn: MakerConnectionConfig, opts: JoinOptions): Promise<Wampy> {
  const t = conn.transport;
  const ws = coalescingWebSocket(t.endpoint.type === 'unix' ? unixWebSocket(t.endpoint.path, t.url) : WebSocket);
  const where = t.endpoint.type === 'unix' ? `unix:${t.endpoint.path}` : t.url;
  const initialDelay = opts.initialDelayMs ?? 200;
  const maxDelay = opts.maxDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal.aborted) throw new WampError(WampErrorUri.systemShutdown, `stopped before joining realm ${conn.realm}`);
    let joined = false;
    const session: Wampy = new Wampy(t.url, {
      ws: ws as never,
      realm: conn.realm,
      serializer: makeSerializer(t.serializers[0] ?? 'cbor'),
      // Seller procedures are named after the seller's authid (`xbr.provider.member-0x….sell`), and WAMP
      // authids may hold characters strict URI validation refuses; the router validates URIs anyway.
      uriValidation: 'loose',
      autoReconnect: true,
      reconnectInterval: 1000,
      maxRetries: 0,
      onClose: () => {
        if (joined) opts.log.warn('session closed', { realm: conn.realm });
      },
      onError: (err) => {
        if (joined) opts.log.warn('session error', { realm: conn.realm, error: err });
      },
      onReconnect: () => {
        opts.log.warn('session lost; reconnecting', { realm: conn.realm, router: where });
        opts.onLost?.();
      },
      onReconnectSuccess: () => {
        opts.log.info('session re-established', { realm: conn.realm });
        opts.onBack?.();
      },
    });
    try {
      await session.connect();
      joined = true;
      if (opts.signal.aborted) {
        await session.disconnect().catch(() => undefined);
        throw new WampError(WampErrorUri.systemShutdown, `stopped before joining realm ${conn.realm}`);
      }
      opts.log.info('joined realm', { realm: conn.realm, router: where, session: String(session.getSessionId()), attempt });
      return session;
    } catch (err) {
      if (err instanceof WampError) throw err;
      const uri = (err as { errorUri?: unknown }).errorUri;
      // A router that refuses us (no such realm, not authorized) will keep refusing: no point retrying.
      if (typeof uri === 'string' && uri !== WampErrorUri.systemShutdown) {
        throw new WampError(remoteErrorUri(uri), `router ${where} refused to join realm ${conn.realm}: ${uri}`, { cause: err });
      }
      const delay = backoffDelay(initialDelay, maxDelay, attempt);
      opts.log.warn('router not reachable yet; retrying', { realm: conn.realm, router: where, attempt, retry_ms: delay, error: err as Error });
      await sleep(delay, opts.signal);
    }
  }
}
