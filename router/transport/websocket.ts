import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../schema/index.js';
import type { AuthMethod } from '../auth/types.js';
import type { AuthConfig, ConnectionOptions, SerializerName, WebSocketTransportConfig, WebTransportConfig } from '../../config/index.js';
import { encodeMessageOrText, type Connection, type ConnectionHandler, type TransportDetails } from '../core/connection.js';
import type { Serializer } from '../wamp/serializer.js';
import { getSerializer } from '../wamp/serializers.js';
import type { WireMessage } from '../wamp/messages.js';
import { ConnectionCount, expired, handshakeFrom, REFUSED_LINGER_MS, startOpening, type Opening } from './admission.js';
import { FrameBatcher } from './websocket-frames.js';
import { peerOf } from './endpoint.js';
import { MAX_SEND_BACKLOG, serveTransport, type Listener, type TransportHost } from './listener.js';
import { chooseSubprotocol, rejectUpgrade, requestPath } from './upgrade.js';

/** Where an upgrade is handed over: the serializers, auth methods and limits of one WebSocket service. */
interface WebSocketService {
  /** One server per service: `ws` applies `maxPayload` per WebSocketServer. */
  readonly wss: WebSocketServer;
  /** `wamp.2.<name>` → serializer, in the configured order. */
  readonly offered: ReadonlyMap<string, Serializer>;
  readonly authMethods: ReadonlyMap<string, AuthMethod>;
  readonly options: ConnectionOptions;
  readonly log: Logger;
}

/**
 * WAMP over WebSocket (`wamp.2.json` in text frames, `wamp.2.msgpack`/`wamp.2.cbor` in binary frames),
 * one HTTP server per transport. A `websocket` transport accepts the upgrade on any path; a `web`
 * transport hands it to the websocket path whose URL path equals the request's (query ignored), each
 * with its own serializers, auth and limits, and answers 404 on any other path.
 *
 * Every TCP connection counts against `max_connections` from accept until it closes (all paths of a
 * `web` transport together); one beyond it gets HTTP 503 at once. `open_handshake_timeout` runs from
 * accept to WELCOME: before the upgrade, when the path is not known yet, the longest of the paths'
 * timeouts applies; from the upgrade on, the path's own, still counted from accept.
 */
export async function startWebSocketTransport(config: WebSocketTransportConfig | WebTransportConfig, host: TransportHost, log: Logger): Promise<Listener> {
  const log2 = log.child({ transport: config.id });
  let services: WebSocketService[];
  let route: (path: string) => WebSocketService | undefined;
  if (config.type === 'websocket') {
    const only = createService(config, host, log2);
    services = [only];
    route = () => only;
  } else {
    const byPath = new Map(Object.entries(config.paths).map(([path, p]) => [path, createService(p, host, log2.child({ path }))]));
    services = [...byPath.values()];
    route = (path) => byPath.get(path);
  }
  const connections = new ConnectionCount(config.options.max_connections);
  const beforeUpgradeMs = Math.max(...services.map((s) => s.options.open_handshake_timeout)) * 1000;
  const openings = new WeakMap<Duplex, Opening>();

  const http = createServer((req, res) => {
    const known = route(requestPath(req.url)) !== undefined;
    res.writeHead(known ? 426 : 404, { 'content-type': 'text/plain', ...(known ? { upgrade: 'websocket' } : {}) });
    res.end(known ? 'this endpoint speaks WAMP over WebSocket only\n' : 'no WAMP WebSocket service at this path\n');
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const service = route(requestPath(req.url));
    if (service === undefined) return rejectUpgrade(socket, 404, 'no WAMP WebSocket service at this path');
    const protocol = chooseSubprotocol(req.headers['sec-websocket-protocol'], service.offered);
    if (!protocol) {
      return rejectUpgrade(socket, 400, `no supported WAMP subprotocol offered (supported: ${[...service.offered.keys()].join(', ')})`);
    }
    const opening = openings.get(socket)!;
    // This path's timeout may be shorter than the one that kept the socket open until now.
    const handshake = handshakeFrom(opening, service.options.open_handshake_timeout);
    if (expired(handshake)) return rejectUpgrade(socket, 408, 'opening handshake not completed in time');
    service.wss.handleUpgrade(req, socket, head, (ws) => {
      opening.handOver();
      const details: TransportDetails = {
        type: 'websocket',
        transport_id: config.id,
        peer: peerOf(req.socket.remoteFamily, req.socket.remoteAddress, req.socket.remotePort),
        protocol,
        http_path: req.url ?? '/',
      };
      const serializer = service.offered.get(protocol)!;
      const connection = new WebSocketConnection(ws, serializer, details, service.log);
      const handler = host.attach(connection, service.authMethods, handshake);
      connection.bind(handler, service.options.auto_ping_interval);
    });
  });

  // Connections are accepted, counted and timed here; the HTTP server (which never listens itself)
  // parses the requests of those admitted. Its options mirror what http.createServer gives its sockets.
  const tcp = createTcpServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    if (!connections.admit(socket)) return refuseOverLimit(socket);
    const opening = startOpening(socket, beforeUpgradeMs, () => {
      log2.debug('no WebSocket upgrade in time, connection closed', { peer: peerOf(socket.remoteFamily, socket.remoteAddress, socket.remotePort) });
    });
    openings.set(socket, opening);
    http.emit('connection', socket);
  });

  const listening =
    config.type === 'websocket'
      ? { serializers: config.serializers }
      : { paths: Object.fromEntries(Object.entries(config.paths).map(([path, p]) => [path, p.serializers])) };
  return serveTransport(
    tcp,
    config,
    log2,
    () => {
      connections.destroyAll();
      for (const { wss } of services) wss.close();
    },
    listening,
  );
}

/**
 * Refuses a connection beyond `max_connections` with HTTP 503 at once: the request is neither awaited
 * nor parsed (an idle socket would never send one). Its bytes are read and dropped, so the close is a
 * FIN after the reply, not a reset that could discard it.
 */
function refuseOverLimit(socket: Socket): void {
  socket.on('error', () => {});
  socket.resume();
  rejectUpgrade(socket, 503, 'connection limit reached');
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
}

/** A WebSocket service of a `websocket` transport or of one websocket path of a `web` transport. */
function createService(
  config: { serializers: SerializerName[]; auth: AuthConfig; options: ConnectionOptions },
  host: TransportHost,
  log: Logger,
): WebSocketService {
  const offered = new Map<string, Serializer>(config.serializers.map((name) => [`wamp.2.${name}`, getSerializer(name)]));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.options.max_message_size,
    perMessageDeflate: false,
    // The transport counts and closes connections itself, from TCP accept.
    clientTracking: false,
    // Must agree with the choice made before the upgrade: the client's first preference we support.
    handleProtocols: (protocols: Set<string>) => chooseSubprotocol([...protocols].join(','), offered) ?? false,
  });
  return { wss, offered, authMethods: host.authMethodsFor(config.auth), options: config.options, log };
}

class WebSocketConnection implements Connection {
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly frames: FrameBatcher;

  constructor(
    private readonly ws: WebSocket,
    readonly serializer: Serializer,
    readonly details: TransportDetails,
    private readonly log: Logger,
  ) {
    // ws keeps its socket private; messages are framed here and written to it directly (see FrameBatcher).
    this.frames = new FrameBatcher((ws as unknown as { _socket: Socket })._socket, serializer.binary, () => ws.readyState === ws.OPEN);
  }

  bind(handler: ConnectionHandler, autoPingSeconds: number): void {
    const ws = this.ws;
    ws.on('message', (data: Buffer) => handler.onPayload(data));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws has already sent the close frame (e.g. 1009 for an oversized message); log why.
      this.log.info('websocket error, connection closed', { peer: this.details.peer, code: err.code, message: err.message });
    });
    ws.on('close', () => {
      if (this.pingTimer) clearInterval(this.pingTimer);
      handler.onClose();
    });
    if (autoPingSeconds > 0) {
      let answered = true;
      ws.on('pong', () => (answered = true));
      this.pingTimer = setInterval(() => {
        if (!answered) {
          this.log.info('peer did not answer ping, closing', { peer: this.details.peer });
          ws.terminate();
          return;
        }
        answered = false;
        ws.ping();
      }, autoPingSeconds * 1000);
      this.pingTimer.unref();
    }
  }

  send(message: WireMessage): void {
    this.sendEncoded(encodeMessageOrText(this.serializer, message));
  }

  sendEncoded(data: Buffer | string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    const backlog = this.ws.bufferedAmount + this.frames.queuedBytes;
    if (backlog > MAX_SEND_BACKLOG) {
      this.log.warn('peer is not reading, closing its connection', { peer: this.details.peer, backlog });
      this.ws.terminate();
      return;
    }
    this.frames.push(data);
  }

  close(reason: string): void {
    if (this.ws.readyState === this.ws.CLOSED) return;
    // What was sent before (an ABORT, a GOODBYE) must go before the close frame.
    this.frames.flush();
    this.ws.close(1000, reason.slice(0, 120));
    // A peer that never completes the closing handshake must not hold the socket forever.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
}
