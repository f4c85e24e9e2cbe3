import type { Dict, WireMessage } from '../wamp/messages.js';
import type { Serializer } from '../wamp/serializer.js';
import { encodeMessage, type Connection, type TransportDetails } from './connection.js';
import { countSent } from './traffic.js';

/** Who a session is, as fixed by authentication. */
export interface SessionIdentity {
  authid: string;
  authrole: string;
  authmethod: string;
  authprovider: string;
  authextra: Dict;
}

/** Roles and features a client announced in HELLO. */
export interface ClientFeatures {
  callee: boolean;
  caller: boolean;
  publisher: boolean;
  subscriber: boolean;
  /** callee announced `call_canceling`: it understands INTERRUPT. */
  calleeCancels: boolean;
  /** callee announced `progressive_call_results`. */
  calleeProgress: boolean;
}

/**
 * An established session within a realm. The router's internal sessions (meta API, authenticator
 * calls) have no connection.
 */
export class Session {
  readonly joinedAt = new Date().toISOString();
  /** Set when the session has left; late replies addressed to it are dropped. */
  closed = false;
  /** Ends the session from the router side (GOODBYE to the client); set by the protocol handler. */
  kill: (reason: string, message: string) => void = () => {};

  constructor(
    readonly id: number,
    readonly realm: string,
    readonly identity: SessionIdentity,
    readonly features: ClientFeatures,
    private readonly connection: Connection | undefined,
  ) {}

  get transport(): TransportDetails | undefined {
    return this.connection?.details;
  }

  /** Sends a message; throws WampError(`wamp.error.invalid_payload`) if the payload cannot be encoded. */
  send(message: WireMessage): void {
    if (!this.closed && this.connection) {
      this.connection.send(message);
      countSent(message);
    }
  }

  /**
   * Sends a message that many sessions receive unchanged (an EVENT): it is encoded once per
   * serializer, in `encoded`, however many subscribers share it.
   */
  sendShared(message: WireMessage, encoded: Map<Serializer, Buffer>): void {
    const connection = this.connection;
    if (this.closed || !connection) return;
    let payload = encoded.get(connection.serializer);
    if (payload === undefined) {
      payload = encodeMessage(connection.serializer, message);
      encoded.set(connection.serializer, payload);
    }
    connection.sendEncoded(payload);
    countSent(message);
  }

  /** Session details as the meta API and `wamp.session.on_join` present them. */
  info(): Dict {
    return {
      session: this.id,
      authid: this.identity.authid,
      authrole: this.identity.authrole,
      authmethod: this.identity.authmethod,
      authprovider: this.identity.authprovider,
      authextra: this.identity.authextra,
      transport: this.connection?.details ?? { type: 'internal' },
      realm: this.realm,
      joined: this.joinedAt,
    };
  }
}

export function parseFeatures(helloRoles: unknown): ClientFeatures {
  const roles = isDict(helloRoles) ? helloRoles : {};
  const callee = isDict(roles['callee']) ? roles['callee'] : undefined;
  const calleeFeatures = callee && isDict(callee['features']) ? callee['features'] : {};
  return {
    callee: callee !== undefined,
    caller: isDict(roles['caller']),
    publisher: isDict(roles['publisher']),
    subscriber: isDict(roles['subscriber']),
    calleeCancels: calleeFeatures['call_canceling'] === true,
    calleeProgress: calleeFeatures['progressive_call_results'] === true,
  };
}

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
