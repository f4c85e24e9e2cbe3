import { WampError, WampErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import type { MatchPolicy } from '../../config/index.js';
import type { ClientMessage, Dict } from '../wamp/messages.js';
import type { Serializer } from '../wamp/serializer.js';
import { MessageType } from '../wamp/messages.js';
import { isValidUri } from '../../schema/wamp/index.js';
import type { RoleAuthorizer } from '../../config/permissions/index.js';
import { randomWampId, type IdSequence } from './ids.js';
import { UriPatternMap } from '../../schema/wamp/index.js';
import { errorReply, withPayload } from './replies.js';
import type { Session } from './session.js';
import { readMatch, readIdList, readStringList } from './options.js';

type PublishMessage = Extract<ClientMessage, { type: typeof MessageType.PUBLISH }>;
type SubscribeMessage = Extract<ClientMessage, { type: typeof MessageType.SUBSCRIBE }>;
type UnsubscribeMessage = Extract<ClientMessage, { type: typeof MessageType.UNSUBSCRIBE }>;

export interface Subscription {
  id: number;
  uri: string;
  match: MatchPolicy;
  created: string;
  subscribers: Set<Session>;
}

/** Who may receive one publication (WAMP advanced profile: subscriber black- and whitelisting). */
interface Audience {
  excludeMe: boolean;
  exclude?: Set<number>;
  eligible?: Set<number>;
  excludeAuthid?: Set<string>;
  excludeAuthrole?: Set<string>;
  eligibleAuthid?: Set<string>;
  eligibleAuthrole?: Set<string>;
}

export class Broker {
  private readonly subscriptions = new UriPatternMap<Subscription>();
  private readonly byId = new Map<number, Subscription>();
  private readonly bySession = new Map<Session, Set<Subscription>>();

  constructor(
    private readonly authorizer: RoleAuthorizer,
    private readonly ids: IdSequence,
    private readonly log: Logger,
  ) {}

  subscribe(session: Session, msg: SubscribeMessage): void {
    try {
      const match = readMatch(msg.options);
      if (!isValidUri(msg.topic, match)) throw new WampError(WampErrorUri.invalidUri, `invalid topic URI "${msg.topic}" for match "${match}"`);
      if (!this.authorizer.authorizePattern(session.identity.authrole, msg.topic, match, 'subscribe', session.identity.authid)) {
        throw new WampError(
          WampErrorUri.notAuthorized,
          match === 'exact'
            ? `session is not authorized to subscribe to topic "${msg.topic}"`
            : `session is not authorized to subscribe to every topic the ${match} pattern "${msg.topic}" can match`,
        );
      }
      let sub = this.subscriptions.get(msg.topic, match);
      if (!sub) {
        sub = { id: this.ids.take(), uri: msg.topic, match, created: new Date().toISOString(), subscribers: new Set() };
        this.subscriptions.set(msg.topic, match, sub);
        this.byId.set(sub.id, sub);
      }
      sub.subscribers.add(session);
      let mine = this.bySession.get(session);
      if (!mine) {
        mine = new Set();
        this.bySession.set(session, mine);
      }
      mine.add(sub);
      session.send([MessageType.SUBSCRIBED, msg.request, sub.id]);
    } catch (err) {
      this.replyError(session, MessageType.SUBSCRIBE, msg.request, err);
    }
  }

  unsubscribe(session: Session, msg: UnsubscribeMessage): void {
    const sub = this.byId.get(msg.subscription);
    if (!sub?.subscribers.has(session)) {
      const err = new WampError(WampErrorUri.noSuchSubscription, `no subscription ${msg.subscription} for this session`);
      this.replyError(session, MessageType.UNSUBSCRIBE, msg.request, err);
      return;
    }
    this.remove(session, sub);
    session.send([MessageType.UNSUBSCRIBED, msg.request]);
  }

  publish(session: Session, msg: PublishMessage): void {
    const acknowledge = msg.options['acknowledge'] === true;
    try {
      if (!isValidUri(msg.topic, 'exact')) throw new WampError(WampErrorUri.invalidUri, `invalid topic URI "${msg.topic}"`);
      if (msg.topic.startsWith('wamp.')) throw new WampError(WampErrorUri.invalidUri, `topic "${msg.topic}" is reserved for the router`);
      const decision = this.authorizer.authorize(session.identity.authrole, msg.topic, 'publish', session.identity.authid);
      if (!decision.allow) throw new WampError(WampErrorUri.notAuthorized, `session is not authorized to publish to topic "${msg.topic}"`);
      const audience = readAudience(msg.options);
      const publicationId = randomWampId();
      const disclose = decision.disclose || msg.options['disclose_me'] === true;
      const publisher: Dict = disclose
        ? { publisher: session.id, publisher_authid: session.identity.authid, publisher_authrole: session.identity.authrole }
        : {};
      this.deliver(msg.topic, publicationId, publisher, msg.args, msg.kwargs, audience, session);
      if (acknowledge) session.send([MessageType.PUBLISHED, msg.request, publicationId]);
    } catch (err) {
      // Unacknowledged publications get no reply at all, not even an error (WAMP basic profile).
      if (acknowledge) this.replyError(session, MessageType.PUBLISH, msg.request, err);
      else this.log.debug('publication dropped', { session: session.id, topic: msg.topic, reason: (err as Error).message });
    }
  }

  /** Events the router itself publishes (meta API). */
  publishInternal(topic: string, args: unknown[], kwargs?: Dict): void {
    this.deliver(topic, randomWampId(), {}, args, kwargs, { excludeMe: false }, undefined);
  }

  detach(session: Session): void {
    for (const sub of this.bySession.get(session) ?? []) this.remove(session, sub);
    this.bySession.delete(session);
  }

  subscriptionCount(): number {
    return this.byId.size;
  }

  private deliver(
    topic: string,
    publicationId: number,
    publisher: Dict,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    audience: Audience,
    from: Session | undefined,
  ): void {
    for (const sub of this.subscriptions.all(topic)) {
      const details: Dict = sub.match === 'exact' ? publisher : { ...publisher, topic };
      const event = withPayload([MessageType.EVENT, sub.id, publicationId, details], args, kwargs);
      const encoded = new Map<Serializer, Buffer>();
      for (const receiver of sub.subscribers) {
        if (!isEligible(receiver, audience, from)) continue;
        try {
          receiver.sendShared(event, encoded);
        } catch (err) {
          this.log.warn('event not deliverable to subscriber', { session: receiver.id, topic, reason: (err as Error).message });
        }
      }
    }
  }

  private remove(session: Session, sub: Subscription): void {
    sub.subscribers.delete(session);
    this.bySession.get(session)?.delete(sub);
    if (sub.subscribers.size === 0) {
      this.subscriptions.delete(sub.uri, sub.match);
      this.byId.delete(sub.id);
    }
  }

  private replyError(session: Session, requestType: number, request: number, err: unknown): void {
    const wampError = err instanceof WampError ? err : new WampError(WampErrorUri.runtimeError, String(err));
    session.send(errorReply(requestType, request, wampError));
  }
}

function readAudience(options: Dict): Audience {
  const audience: Audience = { excludeMe: options['exclude_me'] !== false };
  const exclude = readIdList(options, 'exclude');
  const eligible = readIdList(options, 'eligible');
  const excludeAuthid = readStringList(options, 'exclude_authid');
  const excludeAuthrole = readStringList(options, 'exclude_authrole');
  const eligibleAuthid = readStringList(options, 'eligible_authid');
  const eligibleAuthrole = readStringList(options, 'eligible_authrole');
  if (exclude) audience.exclude = exclude;
  if (eligible) audience.eligible = eligible;
  if (excludeAuthid) audience.excludeAuthid = excludeAuthid;
  if (excludeAuthrole) audience.excludeAuthrole = excludeAuthrole;
  if (eligibleAuthid) audience.eligibleAuthid = eligibleAuthid;
  if (eligibleAuthrole) audience.eligibleAuthrole = eligibleAuthrole;
  return audience;
}

function isEligible(receiver: Session, a: Audience, from: Session | undefined): boolean {
  if (receiver === from && a.excludeMe) return false;
  const { authid, authrole } = receiver.identity;
  if (a.exclude?.has(receiver.id)) return false;
  if (a.excludeAuthid?.has(authid)) return false;
  if (a.excludeAuthrole?.has(authrole)) return false;
  if (a.eligible && !a.eligible.has(receiver.id)) return false;
  if (a.eligibleAuthid && !a.eligibleAuthid.has(authid)) return false;
  if (a.eligibleAuthrole && !a.eligibleAuthrole.has(authrole)) return false;
  return true;
}

