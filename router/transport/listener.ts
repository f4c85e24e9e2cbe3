import type { Server } from 'node:net';
import type { LogFields, Logger } from '../../schema/index.js';
import type { AuthMethod } from '../auth/types.js';
import type { AuthConfig, TransportConfig } from '../../config/index.js';
import type { Connection, ConnectionHandler, OpeningHandshake } from '../core/connection.js';
import { listenOn, type BoundAddress } from './endpoint.js';

/** A running transport: where it listens and how to stop it. */
export interface Listener {
  readonly id: string;
  readonly type: TransportConfig['type'];
  readonly address: BoundAddress;
  /** Stops accepting, closes every connection, resolves when the socket is released. */
  close(): Promise<void>;
}

/** What transports need from the router: admission and a protocol handler per connection. */
export interface TransportHost {
  /** Creates the router side of a new connection, which must reach WELCOME within what is left of `handshake`. */
  attach(connection: Connection, authMethods: ReadonlyMap<string, AuthMethod>, handshake: OpeningHandshake): ConnectionHandler;
  /** Builds the auth methods of a transport or web path (static principals, dynamic authenticators). */
  authMethodsFor(auth: AuthConfig): ReadonlyMap<string, AuthMethod>;
}

/** Beyond this much unsent data a peer is not reading; it is cut off instead of growing memory without bound. */
export const MAX_SEND_BACKLOG = 64 * 1024 * 1024;

/**
 * Binds a transport's server to its endpoint and returns it as a Listener that can be closed; `fields`
 * (e.g. the serializers) go into the "transport listening" log line.
 */
export async function serveTransport(
  server: Server,
  config: Pick<TransportConfig, 'id' | 'type' | 'endpoint'>,
  log: Logger,
  dropConnections: () => void,
  fields: LogFields = {},
): Promise<Listener> {
  const address = await listenOn(server, config.endpoint);
  log.info('transport listening', { type: config.type, address, ...fields });
  return {
    id: config.id,
    type: config.type,
    address,
    close: async () => {
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
