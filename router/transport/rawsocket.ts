import { createServer, type Socket } from 'node:net';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import type { RawSocketTransportConfig } from '../../config/index.js';
import { encodeMessage, type Connection, type ConnectionHandler, type TransportDetails } from '../core/connection.js';
import type { WireMessage } from '../wamp/messages.js';
import type { Serializer } from '../wamp/serializer.js';
import { getSerializer, RAWSOCKET_SERIALIZER_IDS, serializerNameForRawSocketId } from '../wamp/serializers.js';
import {
  buildHandshakeError,
  buildHandshakeReply,
  encodeFrame,
  FrameDecoder,
  FrameType,
  HandshakeError,
  type RawSocketFrame,
  lengthExponentFor,
  parseClientHandshake,
} from './rawsocket-framing.js';
import { ConnectionCount, handshakeFrom, REFUSED_LINGER_MS, startOpening } from './admission.js';
import { WriteCoalescer } from '../../process/index.js';
import { peerOf } from './endpoint.js';
import { MAX_SEND_BACKLOG, serveTransport, type Listener, type TransportHost } from './listener.js';

/**
 * WAMP over RawSocket (TCP or Unix socket), as Crossbar's market makers and autobahn clients use it.
 * Every connection counts against `max_connections` from accept; `open_handshake_timeout` runs from
 * accept across the 4-byte handshake to WELCOME.
 */
export async function startRawSocketTransport(config: RawSocketTransportConfig, host: TransportHost, log: Logger): Promise<Listener> {
  const authMethods = host.authMethodsFor(config.auth);
  const opts = config.options;
  const log2 = log.child({ transport: config.id });
  const connections = new ConnectionCount(opts.max_connections);
  const ourLengthExp = lengthExponentFor(opts.max_message_size);
  const acceptedIds = config.serializers.map((name) => RAWSOCKET_SERIALIZER_IDS[name]);

  const server = createServer((socket) => {
    if (!connections.admit(socket)) {
      // The handshake reply is where RawSocket reports "maximum connection count reached".
      socket.on('error', () => {});
      socket.once('data', () => socket.end(buildHandshakeError(HandshakeError.MaxConnectionCount)));
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
      return;
    }
    socket.setNoDelay(true);
    socket.on('error', (err) => log2.debug('rawsocket error', { message: err.message }));
    const peer = peerOf(socket.remoteFamily, socket.remoteAddress, socket.remotePort);
    const opening = startOpening(socket, opts.open_handshake_timeout * 1000, () => log2.debug('no RawSocket handshake in time, connection closed', { peer }));

    let head = Buffer.alloc(0);
    const onHandshakeData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < 4) return;
      socket.off('data', onHandshakeData);
      opening.handOver();
      const hs = parseClientHandshake(head.subarray(0, 4), acceptedIds);
      if (!hs.ok) {
        log2.info('rawsocket handshake refused', { peer, reason: hs.reason });
        // A peer that is not a RawSocket client at all gets no reply, just the close.
        if (hs.error === null) socket.destroy();
        else socket.end(buildHandshakeError(hs.error));
        return;
      }
      const name = serializerNameForRawSocketId(hs.serializerId)!;
      socket.write(buildHandshakeReply(hs.serializerId, ourLengthExp));
      const details: TransportDetails = { type: 'rawsocket', transport_id: config.id, peer, protocol: `wamp.2.${name}` };
      const connection = new RawSocketConnection(socket, getSerializer(name), details, hs.maxLength, log2);
      const handler = host.attach(connection, authMethods, handshakeFrom(opening, opts.open_handshake_timeout));
      connection.bind(handler, opts.max_message_size, head.subarray(4));
    };
    socket.on('data', onHandshakeData);
  });

  return serveTransport(
    server,
    config,
    log2,
    () => connections.destroyAll(),
    { serializers: config.serializers },
  );
}

class RawSocketConnection implements Connection {
  private closed = false;
  private readonly coalescer: WriteCoalescer;

  constructor(
    private readonly socket: Socket,
    readonly serializer: Serializer,
    readonly details: TransportDetails,
    /** The largest message the client said it accepts. */
    private readonly peerMaxLength: number,
    private readonly log: Logger,
  ) {
    this.coalescer = new WriteCoalescer(socket);
  }

  bind(handler: ConnectionHandler, maxMessageSize: number, rest: Buffer): void {
    const decoder = new FrameDecoder(maxMessageSize);
    const onData = (chunk: Buffer): void => {
      let frames: readonly RawSocketFrame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.socket.off('data', onData);
        handler.onTransportError(err instanceof Error ? err.message : String(err));
        return;
      }
      for (const frame of frames) {
        if (this.closed) return;
        if (frame.type === FrameType.Message) handler.onPayload(frame.payload);
        else if (frame.type === FrameType.Ping) this.socket.write(encodeFrame(FrameType.Pong, frame.payload));
      }
    };
    this.socket.on('data', onData);
    this.socket.on('close', () => {
      this.closed = true;
      handler.onClose();
    });
    if (rest.length > 0) onData(rest);
  }

  send(message: WireMessage): void {
    this.sendEncoded(encodeMessage(this.serializer, message));
  }

  sendEncoded(data: Buffer): void {
    if (data.length > this.peerMaxLength) {
      throw new WampError(WampErrorUri.invalidPayload, `message of ${data.length} bytes exceeds the peer's RawSocket limit of ${this.peerMaxLength}`);
    }
    if (this.closed) return;
    if (this.socket.writableLength > MAX_SEND_BACKLOG) {
      this.log.warn('peer is not reading, closing its connection', { peer: this.details.peer, backlog: this.socket.writableLength });
      this.socket.destroy();
      return;
    }
    this.coalescer.hold();
    this.socket.write(encodeFrame(FrameType.Message, data));
  }

  close(_reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
}
