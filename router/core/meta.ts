import { WampError, WampErrorUri } from '../../schema/index.js';
import type { Dealer } from './dealer.js';
import type { Session } from './session.js';
import { showValue } from '../../schema/codec/index.js';

/**
 * The WAMP session and registration meta API (`wamp.session.*`, `wamp.registration.*`), served by
 * the router itself in every realm that enables it. Calls are still subject to role permissions.
 */
export interface MetaHost {
  readonly sessions: ReadonlyMap<number, Session>;
  readonly dealer: Dealer;
}

export function installMetaProcedures(host: MetaHost): void {
  const { dealer } = host;
  const reg = dealer.registerInternal.bind(dealer);

  reg('wamp.session.count', (_caller, args) => filterByRoles(host, args[0]).length);
  reg('wamp.session.list', (_caller, args) => filterByRoles(host, args[0]).map((s) => s.id));
  reg('wamp.session.get', (_caller, args) => sessionOf(host, args[0]).info());
  reg('wamp.session.kill', (caller, args, kwargs) => {
    const target = sessionOf(host, args[0]);
    if (target === caller) throw new WampError(WampErrorUri.noSuchSession, 'a session cannot kill itself; use GOODBYE');
    const { reason, message } = killReason(kwargs);
    target.kill(reason, message);
    return undefined;
  });
  reg('wamp.session.kill_by_authid', (caller, args, kwargs) => {
    const authid = requireString(args[0], 'authid');
    const { reason, message } = killReason(kwargs);
    const killed: number[] = [];
    for (const s of [...host.sessions.values()]) {
      if (s !== caller && s.identity.authid === authid) {
        killed.push(s.id);
        s.kill(reason, message);
      }
    }
    return killed;
  });
  reg('wamp.session.kill_by_authrole', (caller, args, kwargs) => {
    const authrole = requireString(args[0], 'authrole');
    const { reason, message } = killReason(kwargs);
    let count = 0;
    for (const s of [...host.sessions.values()]) {
      if (s !== caller && s.identity.authrole === authrole) {
        count++;
        s.kill(reason, message);
      }
    }
    return count;
  });

  reg('wamp.registration.lookup', (_caller, args) => {
    const uri = requireString(args[0], 'procedure');
    const options = args[1] ?? {};
    const match = (options as { match?: unknown }).match ?? 'exact';
    if (match !== 'exact' && match !== 'prefix' && match !== 'wildcard') {
      throw new WampError(WampErrorUri.invalidArgument, `options.match must be exact, prefix or wildcard, got ${showValue(match, 'wamp')}`);
    }
    return dealer.lookup(uri, match)?.id ?? null;
  });
  reg('wamp.registration.match', (_caller, args) => dealer.match(requireString(args[0], 'procedure'))?.id ?? null);
  reg('wamp.registration.get', (_caller, args) => {
    const r = registrationOf(dealer, args[0]);
    return { id: r.id, created: r.created, uri: r.uri, match: r.match, invoke: r.invoke };
  });
  reg('wamp.registration.list', () => dealer.listRegistrations());
  reg('wamp.registration.list_callees', (_caller, args) => registrationOf(dealer, args[0]).callees.map((s) => s.id));
  reg('wamp.registration.count_callees', (_caller, args) => registrationOf(dealer, args[0]).callees.length);
}

function filterByRoles(host: MetaHost, filter: unknown): Session[] {
  const all = [...host.sessions.values()];
  if (filter === undefined || filter === null) return all;
  if (!Array.isArray(filter) || !filter.every((r) => typeof r === 'string')) {
    throw new WampError(WampErrorUri.invalidArgument, 'filter_authroles must be a list of role names');
  }
  return all.filter((s) => filter.includes(s.identity.authrole));
}

function sessionOf(host: MetaHost, id: unknown): Session {
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    throw new WampError(WampErrorUri.invalidArgument, `session id must be an integer, got ${showValue(id, 'wamp')}`);
  }
  const s = host.sessions.get(id);
  if (!s) throw new WampError(WampErrorUri.noSuchSession, `no session with id ${id}`);
  return s;
}

function registrationOf(dealer: Dealer, id: unknown) {
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    throw new WampError(WampErrorUri.invalidArgument, `registration id must be an integer, got ${showValue(id, 'wamp')}`);
  }
  const r = dealer.registration(id);
  if (!r) throw new WampError(WampErrorUri.noSuchRegistration, `no registration with id ${id}`);
  return r;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new WampError(WampErrorUri.invalidArgument, `${name} must be a non-empty string, got ${showValue(value, 'wamp')}`);
  return value;
}

function killReason(kwargs: Record<string, unknown>): { reason: string; message: string } {
  const reason = kwargs['reason'] ?? WampErrorUri.killed;
  const message = kwargs['message'] ?? 'session killed by another session';
  if (typeof reason !== 'string' || typeof message !== 'string') {
    throw new WampError(WampErrorUri.invalidArgument, 'reason and message must be strings');
  }
  return { reason, message };
}
