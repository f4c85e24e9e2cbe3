import { performance } from 'node:perf_hooks';
import { WampError, WampErrorUri, isError } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import type { AuthMethod, AuthStep, Principal } from '../auth/types.js';
import type { ClientMessage, Dict } from '../wamp/messages.js';
import { MessageType } from '../wamp/messages.js';
import { parseClientMessage } from '../wamp/parse.js';
import { countReceived } from './traffic.js';
import type { Connection, ConnectionHandler, OpeningHandshake } from './connection.js';
import { randomWampId } from './ids.js';
import { MAX_AUTHID_LENGTH, MAX_AUTHMETHODS, MAX_REALM_NAME_LENGTH } from './limits.js';
import type { Realm } from './realm.js';
import { abortMessage } from './replies.js';
import { isDict, parseFeatures, Session } from './session.js';

/** What a connection's protocol handler needs from the router. */
export interface ProtocolHost {
  readonly realms: ReadonlyMap<string, Realm>;
  readonly log: Logger;
  /** False when the router is at its configured session limit. */
  admitSession(): boolean;
  sessionStarted(session: Session): void;
  sessionEnded(session: Session): void;
}

export interface ProtocolOptions {
  authMethods: ReadonlyMap<string, AuthMethod>;
  /** When the connection was accepted and how long it may take from there (or from GOODBYE) to WELCOME. */
  handshake: OpeningHandshake;
}

type State = 'hello' | 'authenticating' | 'challenged' | 'established' | 'closing' | 'closed';

const WELCOME_ROLES = {
  broker: {
    features: {
      publisher_identification: true,
      pattern_based_subscription: true,
      subscriber_blackwhite_listing: true,
      publisher_exclusion: true,
      session_meta_api: true,
    },
  },
  dealer: {
    features: {
      caller_identification: true,
      pattern_based_registration: true,
      shared_registration: true,
      call_canceling: true,
      call_timeout: true,
      progressive_call_results: true,
      session_meta_api: true,
      registration_meta_api: true,
    },
  },
};

/**
 * The WAMP session state machine of one connection: HELLO → (CHALLENGE → AUTHENTICATE) → WELCOME →
 * established → GOODBYE. Anything malformed or out of order ends this session with ABORT
 * `wamp.error.protocol_violation` and closes its transport; no other session is affected.
 */
export class SessionProtocol implements ConnectionHandler {
  private state: State = 'hello';
  private session: Session | undefined;
  private verify: ((signature: string, extra: Dict) => Promise<Principal>) | undefined;
  private pendingId = 0;
  private pendingFeatures: Dict = {};
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(
    private readonly connection: Connection,
    private readonly host: ProtocolHost,
    private readonly options: ProtocolOptions,
  ) {
    this.log = host.log.child({ transport: connection.details.transport_id, peer: connection.details.peer });
    this.armHandshakeTimer(options.handshake.acceptedAt + options.handshake.timeoutMs);
  }

  onPayload(payload: Buffer): void {
    if (this.state === 'closed') return;
    let msg: ClientMessage;
    try {
      msg = parseClientMessage(this.connection.serializer.decode(payload));
      countReceived(msg.type);
    } catch (err) {
      this.protocolViolation(err instanceof Error ? err.message : String(err));
      return;
    }
    try {
      this.dispatch(msg);
    } catch (err) {
      this.internalError(err);
    }
  }

  /** A failure no handler expected: this session ends, the router and other sessions go on. */
  private readonly internalError = (err: unknown): void => {
    if (isError(err, WampErrorUri.protocolViolation)) return this.protocolViolation(err.message);
    this.log.error('unexpected error while routing a message', { session: this.session?.id, error: err });
    this.protocolViolation('internal error while processing the message');
  };

  onTransportError(reason: string): void {
    this.protocolViolation(reason);
  }

  onClose(): void {
    if (this.state === 'closed') return;
    this.endSession();
    this.state = 'closed';
    this.clearTimer();
  }

  /** Router-initiated end (meta API kill, shutdown): GOODBYE to the client, then close. */
  kill(reason: string, message: string): void {
    if (this.state !== 'established') return;
    this.safeSend([MessageType.GOODBYE, { message }, reason]);
    this.endSession();
    this.state = 'closing';
    // The client should answer GOODBYE; if it does not, the transport goes anyway.
    this.clearTimer();
    this.timer = setTimeout(() => this.close('no GOODBYE reply'), 5000);
  }

  private dispatch(msg: ClientMessage): void {
    switch (this.state) {
      case 'established':
        if (msg.type === MessageType.GOODBYE) return this.goodbye();
        if (msg.type === MessageType.ABORT) return this.close('client aborted');
        if (msg.type === MessageType.HELLO || msg.type === MessageType.AUTHENTICATE) {
          return this.protocolViolation(`${msg.type === MessageType.HELLO ? 'HELLO' : 'AUTHENTICATE'} received in an established session`);
        }
        return this.host.realms.get(this.session!.realm)!.handle(this.session!, msg);
      case 'hello':
        if (msg.type === MessageType.HELLO) return void this.hello(msg.realm, msg.details).catch(this.internalError);
        if (msg.type === MessageType.ABORT) return this.close('client aborted');
        return this.protocolViolation(`expected HELLO, got message type ${msg.type}`);
      case 'challenged':
        if (msg.type === MessageType.AUTHENTICATE) return void this.authenticate(msg.signature, msg.extra).catch(this.internalError);
        if (msg.type === MessageType.ABORT) return this.close('client aborted');
        return this.protocolViolation(`expected AUTHENTICATE, got message type ${msg.type}`);
      case 'authenticating':
        if (msg.type === MessageType.ABORT) return this.close('client aborted');
        return this.protocolViolation(`message type ${msg.type} received while authentication is in progress`);
      case 'closing':
        // After a router GOODBYE, only the client's GOODBYE (or ABORT) counts; other messages are stale.
        if (msg.type === MessageType.GOODBYE || msg.type === MessageType.ABORT) this.close('session closed');
        return;
      case 'closed':
        return;
    }
  }

  private async hello(realmName: string, details: Dict): Promise<void> {
    // Before the realm name is looked up or echoed in an ABORT.
    if (realmName.length > MAX_REALM_NAME_LENGTH) {
      return this.protocolViolation(`HELLO.Realm must be at most ${MAX_REALM_NAME_LENGTH} characters, got ${realmName.length}`);
    }
    if (!this.host.realms.has(realmName)) return this.abort(WampErrorUri.noSuchRealm, `no realm "${realmName}" on this router`);
    if (!this.host.admitSession()) return this.abort(WampErrorUri.notAuthorized, 'the router has reached its maximum number of sessions');
    const offered = details['authmethods'] ?? ['anonymous'];
    if (Array.isArray(offered) && offered.length > MAX_AUTHMETHODS) {
      return this.protocolViolation(`HELLO.Details.authmethods must have at most ${MAX_AUTHMETHODS} entries, got ${offered.length}`);
    }
    if (!Array.isArray(offered) || !offered.every((m) => typeof m === 'string')) {
      return this.protocolViolation('HELLO.Details.authmethods must be a list of strings');
    }
    const authid = details['authid'];
    if (authid !== undefined && authid !== null && typeof authid !== 'string') return this.protocolViolation('HELLO.Details.authid must be a string');
    if (typeof authid === 'string' && authid.length > MAX_AUTHID_LENGTH) {
      return this.protocolViolation(`HELLO.Details.authid must be at most ${MAX_AUTHID_LENGTH} characters (UTF-16 code units), got ${authid.length}`);
    }
    const authextra = details['authextra'] ?? {};
    if (!isDict(authextra)) return this.protocolViolation('HELLO.Details.authextra must be a dict');
    const methodName = (offered as string[]).find((m) => this.options.authMethods.has(m));
    if (methodName === undefined) {
      return this.abort(
        WampErrorUri.noAuthMethod,
        `none of the offered authmethods [${(offered as string[]).join(', ')}] is enabled on this transport (enabled: ${[...this.options.authMethods.keys()].join(', ')})`,
      );
    }
    this.pendingId = randomWampId();
    this.pendingFeatures = isDict(details['roles']) ? details['roles'] : {};
    this.state = 'authenticating';
    let step: AuthStep;
    try {
      step = await this.options.authMethods.get(methodName)!.start({
        realm: realmName,
        authid: typeof authid === 'string' ? authid : undefined,
        authextra,
        sessionId: this.pendingId,
        transport: this.connection.details,
      });
    } catch (err) {
      return this.authFailed(err);
    }
    if (this.state !== 'authenticating') return; // the connection went away meanwhile
    if (step.kind === 'welcome') return this.establish(step.principal);
    this.verify = step.verify;
    this.state = 'challenged';
    this.safeSend([MessageType.CHALLENGE, methodName, step.extra]);
  }

  private async authenticate(signature: string, extra: Dict): Promise<void> {
    const verify = this.verify!;
    this.verify = undefined;
    this.state = 'authenticating';
    let principal: Principal;
    try {
      principal = await verify(signature, extra);
    } catch (err) {
      return this.authFailed(err);
    }
    if (this.state !== 'authenticating') return;
    this.establish(principal);
  }

  private establish(principal: Principal): void {
    const realm = this.host.realms.get(principal.realm);
    if (!realm) return this.abort(WampErrorUri.noSuchRealm, `no realm "${principal.realm}" on this router`);
    if (!realm.authorizer.hasRole(principal.authrole)) {
      return this.abort(WampErrorUri.noSuchRole, `role "${principal.authrole}" does not exist on realm "${realm.name}"`);
    }
    if (!this.host.admitSession()) return this.abort(WampErrorUri.notAuthorized, 'the router has reached its maximum number of sessions');
    const session = new Session(
      this.pendingId,
      realm.name,
      {
        authid: principal.authid,
        authrole: principal.authrole,
        authmethod: principal.authmethod,
        authprovider: principal.authprovider,
        authextra: principal.authextra,
      },
      parseFeatures(this.pendingFeatures),
      this.connection,
    );
    session.kill = (reason, message) => this.kill(reason, message);
    this.session = session;
    this.state = 'established';
    this.clearTimer();
    this.safeSend([
      MessageType.WELCOME,
      session.id,
      {
        realm: realm.name,
        authid: principal.authid,
        authrole: principal.authrole,
        authmethod: principal.authmethod,
        authprovider: principal.authprovider,
        authextra: principal.authextra,
        roles: WELCOME_ROLES,
      },
    ]);
    realm.join(session);
    this.host.sessionStarted(session);
    this.log.debug('session joined', { session: session.id, realm: realm.name, authid: principal.authid, authrole: principal.authrole });
  }

  private goodbye(): void {
    this.safeSend([MessageType.GOODBYE, {}, WampErrorUri.goodbyeAndOut]);
    this.endSession();
    // WAMP lets a transport carry a new session after GOODBYE; it must still complete a handshake in time.
    this.state = 'hello';
    this.armHandshakeTimer(performance.now() + this.options.handshake.timeoutMs);
  }

  private endSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    this.host.realms.get(session.realm)?.leave(session);
    this.host.sessionEnded(session);
  }

  private authFailed(err: unknown): void {
    if (this.state === 'closed') return;
    const wampError = err instanceof WampError ? err : new WampError(WampErrorUri.authenticationFailed, 'authentication failed');
    if (!(err instanceof WampError)) this.log.error('authenticator failed unexpectedly', { error: err });
    this.log.info('authentication refused', { reason: wampError.uri, message: wampError.message });
    this.abort(wampError.uri, wampError.message);
  }

  private abort(reason: string, message: string): void {
    this.safeSend(abortMessage(reason, message));
    this.close(reason);
  }

  private protocolViolation(message: string): void {
    if (this.state === 'closed') return;
    this.log.warn('protocol violation, closing connection', { session: this.session?.id, message });
    this.safeSend(abortMessage(WampErrorUri.protocolViolation, message));
    this.close('protocol violation');
  }

  private close(reason: string): void {
    if (this.state === 'closed') return;
    this.endSession();
    this.state = 'closed';
    this.clearTimer();
    this.connection.close(reason);
  }

  private safeSend(message: unknown[]): void {
    try {
      this.connection.send(message);
    } catch (err) {
      this.log.warn('message could not be sent', { session: this.session?.id, error: err });
    }
  }

  /** Aborts the connection unless it has a session by `deadline` (a `performance.now()` time; a past one fires at once). */
  private armHandshakeTimer(deadline: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      if (this.state !== 'established') this.abort(WampErrorUri.protocolViolation, 'opening handshake not completed in time');
    }, Math.max(0, deadline - performance.now()));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
