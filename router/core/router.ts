import { WampError, WampErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import { createAuthMethods } from '../auth/index.js';
import type { AuthMethod } from '../auth/types.js';
import type { AuthConfig, RouterWorkerConfig } from '../../config/index.js';
import type { Connection, ConnectionHandler, OpeningHandshake } from './connection.js';
import { SessionProtocol, type ProtocolHost } from './protocol.js';
import { Realm } from './realm.js';
import type { Session } from './session.js';

/** Milliseconds the router waits for a dynamic authenticator to answer. */
const AUTHENTICATOR_TIMEOUT_MS = 10_000;

/** The router core: realms and sessions, independent of the transports that feed it. */
export class Router implements ProtocolHost {
  readonly realms = new Map<string, Realm>();
  private readonly handlers = new Set<SessionProtocol>();
  private established = 0;
  private readonly maxSessions: number;

  constructor(
    config: Pick<RouterWorkerConfig, 'realms' | 'options'>,
    readonly log: Logger,
  ) {
    for (const realm of config.realms) this.realms.set(realm.name, new Realm(realm, log));
    this.maxSessions = config.options.max_sessions;
  }

  get sessionCount(): number {
    return this.established;
  }

  admitSession(): boolean {
    return this.established < this.maxSessions;
  }

  sessionStarted(_session: Session): void {
    this.established++;
  }

  sessionEnded(_session: Session): void {
    this.established--;
  }

  attach(connection: Connection, authMethods: ReadonlyMap<string, AuthMethod>, handshake: OpeningHandshake): ConnectionHandler {
    const protocol = new SessionProtocol(connection, this, { authMethods, handshake });
    this.handlers.add(protocol);
    return {
      onPayload: (payload) => protocol.onPayload(payload),
      onTransportError: (reason) => protocol.onTransportError(reason),
      onClose: () => {
        this.handlers.delete(protocol);
        protocol.onClose();
      },
    };
  }

  authMethodsFor(auth: AuthConfig): ReadonlyMap<string, AuthMethod> {
    return createAuthMethods(auth, (realm, procedure, args) => this.callProcedure(realm, procedure, args));
  }

  /** Calls a procedure registered in a realm, as the router (no authorization); resolves with args[0]. */
  async callProcedure(realmName: string, procedure: string, args: unknown[]): Promise<unknown> {
    const realm = this.realms.get(realmName);
    if (!realm) throw new WampError(WampErrorUri.noSuchRealm, `no realm "${realmName}" on this router`);
    const result = await realm.dealer.callFromRouter(procedure, args, {}, AUTHENTICATOR_TIMEOUT_MS);
    return result.args[0] ?? (Object.keys(result.kwargs).length > 0 ? result.kwargs : undefined);
  }

  /** Ends every session with GOODBYE `wamp.close.system_shutdown` (clients see an orderly close). */
  shutdown(): void {
    for (const realm of this.realms.values()) {
      for (const session of [...realm.sessions.values()]) session.kill(WampErrorUri.systemShutdown, 'router is shutting down');
    }
  }
}
