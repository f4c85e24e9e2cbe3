import type { Serializer } from '../wamp/serializer.js';
import { toWampError, WampErrorUri } from '../../schema/index.js';
import type { WireMessage } from '../wamp/messages.js';

/** What the router tells authenticators and the session meta API about a session's transport. */
export interface TransportDetails {
  /** `websocket` or `rawsocket`. */
  type: 'websocket' | 'rawsocket';
  /** Id of the configured transport the connection came in on. */
  transport_id: string;
  /** `tcp4:127.0.0.1:51234`, `tcp6:[::1]:51234` or `unix`. */
  peer: string;
  /** Negotiated WAMP subprotocol, e.g. `wamp.2.msgpack`. */
  protocol: string;
  /** Only for WebSocket: the HTTP request path. */
  http_path?: string;
}

/**
 * One client connection as the router core sees it; transports implement it. `send` encodes with
 * the connection's serializer and throws a WampError(`wamp.error.invalid_payload`) if the message
 * cannot be represented in it, so callers can report that to the peer that sent the payload.
 */
export interface Connection {
  readonly serializer: Serializer;
  readonly details: TransportDetails;
  send(message: WireMessage): void;
  /** Sends a payload already encoded with this connection's serializer (one encoding shared by many receivers). */
  sendEncoded(payload: Buffer): void;
  /** Closes the transport; `onClose` of the handler follows. */
  close(reason: string): void;
}

/**
 * How long a connection may take to open. The budget counts from TCP accept, not from when the
 * transport hands the connection to the router (after the WebSocket upgrade or the RawSocket
 * handshake): a peer must not get the transport's timeout once for each step.
 */
export interface OpeningHandshake {
  /** `performance.now()` when the transport accepted the connection. */
  readonly acceptedAt: number;
  /** The transport's `open_handshake_timeout` in ms: from accept to WELCOME, and for each new session after GOODBYE. */
  readonly timeoutMs: number;
}

/** The router side of a connection: the transport feeds it decoded frames and its end. */
export interface ConnectionHandler {
  onPayload(payload: Buffer): void;
  /** The transport dropped a frame before decoding (e.g. too large); the handler aborts the session. */
  onTransportError(reason: string): void;
  onClose(): void;
}

/** Encodes a message for a serializer; any failure is a WampError(`wamp.error.invalid_payload`). */
export function encodeMessage(serializer: Serializer, message: WireMessage): Buffer {
  try {
    return serializer.encode(message);
  } catch (err) {
    throw toWampError(err, WampErrorUri.invalidPayload);
  }
}

/** `encodeMessage` for a transport that can send text: a text serializer's payload stays a string (no intermediate Buffer). */
export function encodeMessageOrText(serializer: Serializer, message: WireMessage): Buffer | string {
  try {
    return serializer.encodeText === undefined ? serializer.encode(message) : serializer.encodeText(message);
  } catch (err) {
    throw toWampError(err, WampErrorUri.invalidPayload);
  }
}
