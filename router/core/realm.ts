import { WampError, WampErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import type { RealmConfig } from '../../config/index.js';
import type { ClientMessage } from '../wamp/messages.js';
import { MessageType } from '../wamp/messages.js';
import { RoleAuthorizer } from '../../config/permissions/index.js';
import { Broker } from './broker.js';
import { Dealer } from './dealer.js';
import { IdSequence } from './ids.js';
import { installMetaProcedures } from './meta.js';
import type { Session } from './session.js';
import { realmTraffic } from './traffic.js';

/** One realm: its sessions, roles, broker and dealer. Sessions of different realms never see each other. */
export class Realm {
  readonly name: string;
  readonly authorizer: RoleAuthorizer;
  readonly broker: Broker;
  readonly dealer: Dealer;
  readonly sessions = new Map<number, Session>();
  private readonly metaEnabled: boolean;

  constructor(config: RealmConfig, log: Logger) {
    this.name = config.name;
    this.authorizer = new RoleAuthorizer(config.roles);
    const routerScope = new IdSequence();
    const realmLog = log.child({ realm: config.name });
    this.broker = new Broker(this.authorizer, routerScope, realmLog);
    this.dealer = new Dealer(this.authorizer, routerScope, new IdSequence(), realmLog, realmTraffic(this));
    this.metaEnabled = config.options.enable_meta_api;
    if (this.metaEnabled) installMetaProcedures(this);
  }

  join(session: Session): void {
    this.sessions.set(session.id, session);
    if (this.metaEnabled) this.broker.publishInternal('wamp.session.on_join', [session.info()]);
  }

  leave(session: Session): void {
    if (!this.sessions.delete(session.id)) return;
    session.closed = true;
    this.dealer.detach(session);
    this.broker.detach(session);
    if (this.metaEnabled) {
      this.broker.publishInternal('wamp.session.on_leave', [session.id, session.identity.authid, session.identity.authrole]);
    }
  }

  /** Routes a message of an established session. Throws WampError(protocol_violation) for messages a client must not send. */
  handle(session: Session, msg: ClientMessage): void {
    switch (msg.type) {
      case MessageType.CALL:
        return this.dealer.call(session, msg);
      case MessageType.YIELD:
        return this.dealer.yieldResult(session, msg);
      case MessageType.PUBLISH:
        return this.broker.publish(session, msg);
      case MessageType.SUBSCRIBE:
        return this.broker.subscribe(session, msg);
      case MessageType.UNSUBSCRIBE:
        return this.broker.unsubscribe(session, msg);
      case MessageType.REGISTER:
        return this.dealer.register(session, msg);
      case MessageType.UNREGISTER:
        return this.dealer.unregister(session, msg);
      case MessageType.ERROR:
        return this.dealer.errorFromCallee(session, msg);
      case MessageType.CANCEL:
        return this.dealer.cancel(session, msg);
      default:
        throw new WampError(WampErrorUri.protocolViolation, `message type ${msg.type} is not allowed in an established session`);
    }
  }
}
