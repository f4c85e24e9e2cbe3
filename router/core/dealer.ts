import { WampError, WampErrorUri, remoteErrorUri } from '../../schema/index.js';
import type { RealmTraffic } from './traffic.js';
import { CALLEE_AUTHID_OPTION } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import type { MatchPolicy } from '../../config/index.js';
import type { ClientMessage, Dict } from '../wamp/messages.js';
import { MessageType } from '../wamp/messages.js';
import { isValidUri } from '../../schema/wamp/index.js';
import type { RoleAuthorizer } from '../../config/permissions/index.js';
import type { IdSequence } from './ids.js';
import { readMatch, readOneOf, readTimeoutMs } from './options.js';
import { UriPatternMap } from '../../schema/wamp/index.js';
import { callerAlwaysDisclosed, patternRegistrationTrespass, PROVIDER_NAMESPACE } from '../../config/permissions/index.js';
import { errorReply, withPayload } from './replies.js';
import type { Session } from './session.js';

type CallMessage = Extract<ClientMessage, { type: typeof MessageType.CALL }>;
type RegisterMessage = Extract<ClientMessage, { type: typeof MessageType.REGISTER }>;
type UnregisterMessage = Extract<ClientMessage, { type: typeof MessageType.UNREGISTER }>;
type YieldMessage = Extract<ClientMessage, { type: typeof MessageType.YIELD }>;
type ErrorMessage = Extract<ClientMessage, { type: typeof MessageType.ERROR }>;
type CancelMessage = Extract<ClientMessage, { type: typeof MessageType.CANCEL }>;

export const INVOKE_POLICIES = ['single', 'roundrobin', 'random', 'first', 'last'] as const;
export type InvokePolicy = (typeof INVOKE_POLICIES)[number];

export interface Registration {
  id: number;
  uri: string;
  match: MatchPolicy;
  invoke: InvokePolicy;
  created: string;
  /** The callee asked for its callers' identity (REGISTER.Options.disclose_caller). */
  discloseCaller: boolean;
  /** In registration order: `first`/`last` pick by it, `roundrobin` walks it. */
  callees: Session[];
  nextRoundRobin: number;
}

/** A result the router itself receives, for calls it makes (dynamic authenticators). */
export interface InternalCaller {
  resolve(result: { args: unknown[]; kwargs: Dict }): void;
  reject(err: WampError): void;
}

type CallerRef = { session: Session; request: number; receiveProgress: boolean } | { internal: InternalCaller };

interface Invocation {
  id: number;
  callee: Session;
  caller: CallerRef;
  registration: Registration;
  timer: NodeJS.Timeout | undefined;
  /** `performance.now()` when the CALL was routed. */
  startedAt: number;
}

/** Procedures the router implements itself (the meta API): result or WampError. */
export type InternalProcedure = (caller: Session, args: unknown[], kwargs: Dict) => unknown;

export class Dealer {
  private readonly registrations = new UriPatternMap<Registration>();
  private readonly byId = new Map<number, Registration>();
  private readonly bySession = new Map<Session, Set<Registration>>();
  private readonly internal = new Map<string, InternalProcedure>();
  private readonly invocations = new Map<number, Invocation>();
  private readonly pendingByCaller = new Map<Session, Map<number, Invocation>>();
  private readonly pendingByCallee = new Map<Session, Set<Invocation>>();

  constructor(
    private readonly authorizer: RoleAuthorizer,
    private readonly registrationIds: IdSequence,
    private readonly invocationIds: IdSequence,
    private readonly log: Logger,
    private readonly traffic: RealmTraffic,
  ) {}

  registerInternal(uri: string, procedure: InternalProcedure): void {
    this.internal.set(uri, procedure);
  }

  register(session: Session, msg: RegisterMessage): void {
    try {
      const match = readMatch(msg.options);
      const invoke = readOneOf(msg.options, 'invoke', INVOKE_POLICIES, 'single');
      if (!isValidUri(msg.procedure, match)) {
        throw new WampError(WampErrorUri.invalidUri, `invalid procedure URI "${msg.procedure}" for match "${match}"`);
      }
      if (msg.procedure.startsWith('wamp.')) throw new WampError(WampErrorUri.invalidUri, `procedure "${msg.procedure}" is reserved for the router`);
      const { authrole, authid } = session.identity;
      const trespass = patternRegistrationTrespass({ uri: msg.procedure, match }, authid);
      if (trespass !== undefined) throw new WampError(WampErrorUri.notAuthorized, `cannot register ${match} "${msg.procedure}": ${trespass}`);
      if (!this.authorizer.authorizePattern(authrole, msg.procedure, match, 'register', authid)) {
        const what =
          match === 'exact'
            ? `session is not authorized to register procedure "${msg.procedure}"`
            : `session is not authorized to register every procedure the ${match} pattern "${msg.procedure}" can match`;
        // Autobahn's sellers name themselves by key (`xbr.provider.0x<key>.sell`): tell them the rule here.
        const hint = msg.procedure.startsWith(PROVIDER_NAMESPACE) ? `; a seller registers under ${PROVIDER_NAMESPACE}<its authid>. (this session's authid is ${authid})` : '';
        throw new WampError(WampErrorUri.notAuthorized, what + hint);
      }
      const discloseCaller = msg.options['disclose_caller'] === true;
      let reg = this.registrations.get(msg.procedure, match);
      if (reg) {
        if (reg.invoke === 'single' || invoke === 'single' || reg.invoke !== invoke) {
          throw new WampError(
            WampErrorUri.procedureAlreadyExists,
            `procedure "${msg.procedure}" is already registered (invoke "${reg.invoke}"); a shared registration needs the same non-single invoke policy`,
          );
        }
        if (reg.callees.includes(session)) {
          throw new WampError(WampErrorUri.procedureAlreadyExists, `procedure "${msg.procedure}" is already registered by this session`);
        }
      } else {
        reg = { id: this.registrationIds.take(), uri: msg.procedure, match, invoke, created: new Date().toISOString(), discloseCaller, callees: [], nextRoundRobin: 0 };
        this.registrations.set(reg.uri, match, reg);
        this.byId.set(reg.id, reg);
      }
      reg.callees.push(session);
      let mine = this.bySession.get(session);
      if (!mine) {
        mine = new Set();
        this.bySession.set(session, mine);
      }
      mine.add(reg);
      session.send([MessageType.REGISTERED, msg.request, reg.id]);
    } catch (err) {
      this.replyError(session, MessageType.REGISTER, msg.request, err);
    }
  }

  unregister(session: Session, msg: UnregisterMessage): void {
    const reg = this.byId.get(msg.registration);
    if (!reg?.callees.includes(session)) {
      const err = new WampError(WampErrorUri.noSuchRegistration, `no registration ${msg.registration} for this session`);
      this.replyError(session, MessageType.UNREGISTER, msg.request, err);
      return;
    }
    this.removeCallee(session, reg);
    session.send([MessageType.UNREGISTERED, msg.request]);
  }

  call(session: Session, msg: CallMessage): void {
    this.traffic.call();
    try {
      if (!isValidUri(msg.procedure, 'exact')) throw new WampError(WampErrorUri.invalidUri, `invalid procedure URI "${msg.procedure}"`);
      const decision = this.authorizer.authorize(session.identity.authrole, msg.procedure, 'call', session.identity.authid);
      if (!decision.allow) throw new WampError(WampErrorUri.notAuthorized, `session is not authorized to call procedure "${msg.procedure}"`);
      const timeoutMs = readTimeoutMs(msg.options);
      const internal = this.internal.get(msg.procedure);
      if (internal) {
        this.callInternal(session, msg, internal);
        return;
      }
      const calleeAuthid = msg.options[CALLEE_AUTHID_OPTION];
      let reg: Registration | undefined;
      let callee: Session | undefined;
      if (calleeAuthid === undefined) {
        reg = this.registrations.best(msg.procedure);
        if (!reg) throw new WampError(WampErrorUri.noSuchProcedure, `no callee registered for procedure "${msg.procedure}"`);
      } else {
        if (typeof calleeAuthid !== 'string') throw new WampError(WampErrorUri.invalidArgument, `CALL.Options.${CALLEE_AUTHID_OPTION} must be a string`);
        reg = this.registrations.get(msg.procedure, 'exact');
        callee = reg?.callees.find((s) => s.identity.authid === calleeAuthid);
        if (!reg || !callee) throw new WampError(WampErrorUri.noSuchProcedure, `no session with authid "${calleeAuthid}" registered procedure "${msg.procedure}"`);
      }
      const disclose = decision.disclose || msg.options['disclose_me'] === true || reg.discloseCaller || callerAlwaysDisclosed(msg.procedure);
      const receiveProgress = msg.options['receive_progress'] === true;
      const caller: CallerRef = { session, request: msg.request, receiveProgress };
      const details: Dict = {};
      if (disclose) {
        details['caller'] = session.id;
        details['caller_authid'] = session.identity.authid;
        details['caller_authrole'] = session.identity.authrole;
      }
      this.invoke(reg, msg.procedure, caller, details, msg.args, msg.kwargs, timeoutMs, callee);
    } catch (err) {
      this.replyError(session, MessageType.CALL, msg.request, err);
    }
  }

  /**
   * A call made by the router itself (dynamic authenticators): no authorization, result as a promise. It
   * goes to an exact registration only — a pattern must never receive the router's authentication calls —
   * and discloses no caller, which is how the callee tells the router's calls from a client's.
   */
  callFromRouter(procedure: string, args: unknown[], kwargs: Dict, timeoutMs: number): Promise<{ args: unknown[]; kwargs: Dict }> {
    return new Promise((resolve, reject) => {
      const reg = this.registrations.get(procedure, 'exact');
      if (!reg) {
        reject(new WampError(WampErrorUri.noSuchProcedure, `no callee registered (exactly) for procedure "${procedure}"`));
        return;
      }
      try {
        this.invoke(reg, procedure, { internal: { resolve, reject } }, {}, args, kwargs, timeoutMs);
      } catch (err) {
        reject(err);
      }
    });
  }

  yieldResult(callee: Session, msg: YieldMessage): void {
    const inv = this.invocations.get(msg.request);
    if (!inv || inv.callee !== callee) {
      // Late answer to a canceled or timed-out invocation: nothing is waiting for it.
      this.log.debug('YIELD for unknown invocation ignored', { session: callee.id, invocation: msg.request });
      return;
    }
    const progress = msg.options['progress'] === true;
    if (progress) {
      if ('session' in inv.caller && inv.caller.receiveProgress) {
        this.sendToCaller(inv, withPayload([MessageType.RESULT, inv.caller.request, { progress: true }], msg.args, msg.kwargs));
      }
      return;
    }
    this.finish(inv);
    if ('internal' in inv.caller) inv.caller.internal.resolve({ args: msg.args ?? [], kwargs: msg.kwargs ?? {} });
    else this.sendToCaller(inv, withPayload([MessageType.RESULT, inv.caller.request, {}], msg.args, msg.kwargs));
  }

  errorFromCallee(callee: Session, msg: ErrorMessage): void {
    if (msg.requestType !== MessageType.INVOCATION) {
      throw new WampError(WampErrorUri.protocolViolation, `ERROR for request type ${msg.requestType} cannot be sent by a client`);
    }
    const inv = this.invocations.get(msg.request);
    if (!inv || inv.callee !== callee) {
      this.log.debug('ERROR for unknown invocation ignored', { session: callee.id, invocation: msg.request });
      return;
    }
    this.finish(inv);
    if ('internal' in inv.caller) {
      const message = typeof msg.args?.[0] === 'string' ? msg.args[0] : msg.error;
      inv.caller.internal.reject(new WampError(remoteErrorUri(msg.error), message, { args: msg.args?.slice(1) ?? [], kwargs: msg.kwargs ?? {} }));
      return;
    }
    // Callee errors reach the caller unchanged: same URI, args and kwargs.
    const reply = withPayload([MessageType.ERROR, MessageType.CALL, inv.caller.request, msg.details, msg.error], msg.args, msg.kwargs);
    this.sendToCaller(inv, reply);
  }

  cancel(caller: Session, msg: CancelMessage): void {
    const inv = this.pendingByCaller.get(caller)?.get(msg.request);
    if (!inv) return; // already answered: CANCEL crossed the RESULT, nothing to do
    let mode: 'skip' | 'kill' | 'killnowait';
    try {
      mode = readOneOf(msg.options, 'mode', ['skip', 'kill', 'killnowait'] as const, 'killnowait');
    } catch (err) {
      this.replyError(caller, MessageType.CANCEL, msg.request, err);
      return;
    }
    const canInterrupt = inv.callee.features.calleeCancels;
    if (mode === 'kill' && canInterrupt) {
      this.interrupt(inv, 'kill');
      return; // the callee's ERROR (normally wamp.error.canceled) goes to the caller
    }
    this.finish(inv);
    if (mode !== 'skip' && canInterrupt) this.interrupt(inv, 'killnowait');
    this.sendToCaller(inv, errorReply(MessageType.CALL, msg.request, new WampError(WampErrorUri.canceled, 'call canceled by caller')));
  }

  /** The session left: its registrations go, calls it waits on are interrupted, calls it serves fail. */
  detach(session: Session): void {
    for (const reg of this.bySession.get(session) ?? []) this.removeCallee(session, reg);
    this.bySession.delete(session);
    for (const inv of this.pendingByCaller.get(session)?.values() ?? []) {
      this.finish(inv);
      if (inv.callee.features.calleeCancels) this.interrupt(inv, 'killnowait');
    }
    this.pendingByCaller.delete(session);
    for (const inv of [...(this.pendingByCallee.get(session) ?? [])]) {
      this.finish(inv);
      this.failCaller(inv, new WampError(WampErrorUri.canceled, 'callee left before answering'));
    }
    this.pendingByCallee.delete(session);
  }

  registration(id: number): Registration | undefined {
    return this.byId.get(id);
  }

  lookup(uri: string, match: MatchPolicy): Registration | undefined {
    return this.registrations.get(uri, match);
  }

  match(uri: string): Registration | undefined {
    return this.registrations.best(uri);
  }

  listRegistrations(): Record<MatchPolicy, number[]> {
    const out: Record<MatchPolicy, number[]> = { exact: [], prefix: [], wildcard: [] };
    for (const e of this.registrations.entries()) out[e.match].push(e.value.id);
    return out;
  }

  private invoke(
    reg: Registration,
    procedure: string,
    caller: CallerRef,
    details: Dict,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    timeoutMs: number,
    chosen?: Session,
  ): void {
    const callee = chosen ?? pickCallee(reg);
    if (reg.match !== 'exact') details['procedure'] = procedure;
    if ('session' in caller && caller.receiveProgress && callee.features.calleeProgress) details['receive_progress'] = true;
    const inv: Invocation = { id: this.invocationIds.take(), callee, caller, registration: reg, timer: undefined, startedAt: performance.now() };
    // Encoding for the callee's serializer may fail (e.g. an integer msgpack cannot hold): the caller gets that error.
    callee.send(withPayload([MessageType.INVOCATION, inv.id, reg.id, details], args, kwargs));
    this.invocations.set(inv.id, inv);
    let pending = this.pendingByCallee.get(callee);
    if (!pending) {
      pending = new Set();
      this.pendingByCallee.set(callee, pending);
    }
    pending.add(inv);
    if ('session' in caller) {
      let mine = this.pendingByCaller.get(caller.session);
      if (!mine) {
        mine = new Map();
        this.pendingByCaller.set(caller.session, mine);
      }
      mine.set(caller.request, inv);
    }
    if (timeoutMs > 0) inv.timer = setTimeout(() => this.timeout(inv, timeoutMs), timeoutMs);
  }

  private timeout(inv: Invocation, timeoutMs: number): void {
    if (!this.invocations.has(inv.id)) return;
    this.finish(inv);
    if (inv.callee.features.calleeCancels) this.interrupt(inv, 'killnowait');
    this.failCaller(inv, new WampError(WampErrorUri.timeout, `call timed out after ${timeoutMs} ms`));
  }

  private callInternal(session: Session, msg: CallMessage, procedure: InternalProcedure): void {
    const reply = (result: unknown): void => {
      const args = result === undefined ? [] : [result];
      session.send(withPayload([MessageType.RESULT, msg.request, {}], args, undefined));
    };
    const onError = (err: unknown): void => this.replyError(session, MessageType.CALL, msg.request, err);
    try {
      const result = procedure(session, msg.args ?? [], msg.kwargs ?? {});
      if (result instanceof Promise) result.then(reply, onError);
      else reply(result);
    } catch (err) {
      onError(err);
    }
  }

  private interrupt(inv: Invocation, mode: 'kill' | 'killnowait'): void {
    try {
      inv.callee.send([MessageType.INTERRUPT, inv.id, { mode }]);
    } catch (err) {
      this.log.warn('INTERRUPT not deliverable', { session: inv.callee.id, reason: (err as Error).message });
    }
  }

  private finish(inv: Invocation): void {
    this.traffic.callEnded((performance.now() - inv.startedAt) / 1000);
    if (inv.timer) clearTimeout(inv.timer);
    this.invocations.delete(inv.id);
    this.pendingByCallee.get(inv.callee)?.delete(inv);
    if ('session' in inv.caller) this.pendingByCaller.get(inv.caller.session)?.delete(inv.caller.request);
  }

  private failCaller(inv: Invocation, err: WampError): void {
    if ('internal' in inv.caller) inv.caller.internal.reject(err);
    else this.sendToCaller(inv, errorReply(MessageType.CALL, inv.caller.request, err));
  }

  private sendToCaller(inv: Invocation, message: unknown[]): void {
    if (!('session' in inv.caller)) return;
    const { session, request } = inv.caller;
    try {
      session.send(message);
    } catch (err) {
      // The callee's payload cannot be carried by the caller's serializer: tell the caller why.
      const wampError = err instanceof WampError ? err : new WampError(WampErrorUri.invalidPayload, String(err));
      session.send(errorReply(MessageType.CALL, request, wampError));
    }
  }

  private removeCallee(session: Session, reg: Registration): void {
    reg.callees = reg.callees.filter((s) => s !== session);
    this.bySession.get(session)?.delete(reg);
    if (reg.callees.length === 0) {
      this.registrations.delete(reg.uri, reg.match);
      this.byId.delete(reg.id);
    }
  }

  private replyError(session: Session, requestType: number, request: number, err: unknown): void {
    const wampError = err instanceof WampError ? err : new WampError(WampErrorUri.runtimeError, err instanceof Error ? err.message : String(err));
    if (!(err instanceof WampError)) this.log.error('internal error while handling a request', { session: session.id, error: err });
    session.send(errorReply(requestType, request, wampError));
  }
}

function pickCallee(reg: Registration): Session {
  const callees = reg.callees;
  switch (reg.invoke) {
    case 'roundrobin': {
      const callee = callees[reg.nextRoundRobin % callees.length]!;
      reg.nextRoundRobin = (reg.nextRoundRobin + 1) % callees.length;
      return callee;
    }
    case 'random':
      return callees[Math.floor(Math.random() * callees.length)]!;
    case 'last':
      return callees[callees.length - 1]!;
    default:
      return callees[0]!;
  }
}
