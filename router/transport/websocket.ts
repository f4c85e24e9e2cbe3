import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../schema/log.js';
import type { WebSocketTransportConfig } from '../config/types.js';
import { encodeMessage, type Connection, type ConnectionHandler, type TransportDetails } from '../core/connection.js';
import type { Serializer } from '../wamp/serializer.js';
import { getSerializer } from '../wamp/serializers.js';
import type { WireMessage } from '../wamp/messages.js';
import { WriteCoalescer } from './coalesce.js';
import { peerOf } from './endpoint.js';
import { MAX_SEND_BACKLOG, serveTransport, type Listener, type TransportHost } from './listener.js';

/** WAMP over WebSocket (`wamp.2.json` in text frames, `wamp.2.msgpack`/`wamp.2.cbor` in binary frames). */
export async function startWebSocketTransport(config: WebSocketTransportConfig, host: TransportHost, log: Logger): Promise<Listener> {
  const authMethods = host.authMethodsFor(config);
  const offered = new Map<string, Serializer>(config.serializers.map((name) => [`wamp.2.${name}`, getSerializer(name)]));
  const opts = config.options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.max_message_size,
    perMessageDeflate: false,
    clientTracking: true,
    // Must agree with the choice made before the upgrade: the client's first preference we support.
    handleProtocols: (protocols: Set<string>) => chooseSubprotocol([...protocols].join(','), offered) ?? false,
  });
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    res.end('this endpoint speaks WAMP over WebSocket only\n');
  });
  const log2 = log.child({ transport: config.id });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const protocol = chooseSubprotocol(req.headers['sec-websocket-protocol'], offered);
    if (wss.clients.size >= opts.max_connections) return rejectUpgrade(socket, 503, 'connection limit reached');
    if (!protocol) {
      return rejectUpgrade(socket, 400, `no supported WAMP subprotocol offered (supported: ${[...offered.keys()].join(', ')})`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const details: TransportDetails = {
        type: 'websocket',
        transport_id: config.id,
        peer: peerOf(req.socket.remoteFamily, req.socket.remoteAddress, req.socket.remotePort),
        protocol,
        http_path: req.url ?? '/',
      };
      const serializer = offered.get(protocol)!;
      const connection = new WebSocketConnection(ws, serializer, details, log2);
      const handler = host.attach(connection, authMethods, opts.open_handshake_timeout * 1000);
      connection.bind(handler, opts.auto_ping_interval);
    });
  });

  return serveTransport(http, config, log2, () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });
}

function chooseSubprotocol(header: string | undefined, offered: ReadonlyMap<string, Serializer>): string | undefined {
  if (!header) return undefined;
  for (const p of header.split(',')) {
    const name = p.trim();
    if (offered.has(name)) return name;
  }
  return undefined;
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = status === 503 ? 'Service Unavailable' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
}

class WebSocketConnection implements Connection {
  private handler: ConnectionHandler | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly coalescer: WriteCoalescer;

  constructor(
    private readonly ws: WebSocket,
    readonly serializer: Serializer,
    readonly details: TransportDetails,
    private readonly log: Logger,
  ) {
    // ws keeps its socket private; corking it is the only way to batch frames (ws itself corks per frame).
    this.coalescer = new WriteCoalescer((ws as unknown as { _socket: Socket })._socket);
  }

  bind(handler: ConnectionHandler, autoPingSeconds: number): void {
    this.handler = handler;
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
    this.sendEncoded(encodeMessage(this.serializer, message));
  }

  sendEncoded(data: Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_SEND_BACKLOG) {
      this.log.warn('peer is not reading, closing its connection', { peer: this.details.peer, backlog: this.ws.bufferedAmount });
      this.ws.terminate();
      return;
    }
    this.coalescer.hold();
    this.ws.send(data, { binary: this.serializer.binary });
  }

  close(reason: string): void {
    if (this.ws.readyState === this.ws.CLOSED) return;
    this.ws.close(1000, reason.slice(0, 120));
    // A peer that never completes the closing handshake must not hold the socket forever.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
}
