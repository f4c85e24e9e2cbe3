/**
 * Generates fuzz calls of the maker's procedures: call `index` of run `seed` is a pure function of
 * (seed, index, world), so a failure replays from the two numbers (`npm run fuzz -- --seed S --start I --calls 1`).
 *
 * A call is a procedure (every one of {@link PROCEDURES}), a caller (anonymous, a member, the operator — or,
 * for the authenticator, the router itself, reached through a WAMP-cryptosign HELLO whose `authextra` the
 * router hands to it) and its arguments in one of several shapes: positional, keyword, both, the same
 * argument both ways, extra positional arguments, unknown keywords, prototype keys (`__proto__`,
 * `constructor`, …) among the keywords, or a real earlier call replayed with one argument changed.
 */
import { PROCEDURES, type Param, type ProcedureSpec } from './procedures.js';
import type { MemberLogin, ReplayableCall } from './recorded.js';
import { Rng } from './rng.js';
import { defineKey, PROTOTYPE_KEYS, ValueGrammar, type SlotPools, type WireSerializer } from './values.js';

export type CallerKind = 'anonymous' | 'member' | 'operator' | 'router';

/** What the generator knows of the running market. */
export interface FuzzWorld {
  readonly pools: SlotPools;
  /** Demo accounts whose member sessions call (none of them may own an offer: a revoke by its seller would be legitimate). */
  readonly memberCallers: readonly number[];
  readonly replays: readonly ReplayableCall[];
  /** Ed25519 public keys (hex) a cryptosign HELLO may present. */
  readonly pubkeys: readonly string[];
  /** Correctly signed member logins a cryptosign HELLO may carry (changed, or kept and never completed). */
  readonly logins: readonly MemberLogin[];
}

export interface FuzzCall {
  readonly index: number;
  readonly procedure: string;
  readonly caller: CallerKind;
  /** The demo account of a member caller. */
  readonly member?: number;
  readonly serializer: WireSerializer;
  /** Positional arguments; absent: the CALL has no arguments element at all. */
  readonly args?: unknown[];
  /** Keyword arguments; absent: the CALL has no keywords element. */
  readonly kwargs?: Record<string, unknown>;
  /**
   * CALL options; absent: `{}`. Only options the router accepts for any call (it must disclose the caller of
   * `xbr.marketmaker.*` whatever `disclose_me` says, so the maker never mistakes a client for the router).
   */
  readonly options?: Record<string, unknown>;
  /** Caller `router`: the HELLO details (its `authextra` reaches the authenticator). */
  readonly hello?: Record<string, unknown>;
  /** How the arguments were built, for the summary. */
  readonly shape: string;
}

type Shape = 'none' | 'positional' | 'keyword' | 'mixed' | 'twice' | 'replay';

/** Call `index` of run `seed`. */
export function generateCall(seed: number, index: number, world: FuzzWorld): FuzzCall {
  const rng = Rng.forCall(seed, index);
  const spec = rng.pick(PROCEDURES);
  const serializer: WireSerializer = rng.chance(0.7) ? 'msgpack' : 'cbor';
  const values = new ValueGrammar(rng, world.pools, serializer, rng.pick([0.97, 0.97, 0.9, 0.75, 0.5, 0.3]));
  const caller = pickCaller(rng, spec);
  const base = { index, procedure: spec.uri, caller, serializer, ...(caller === 'member' ? { member: rng.pick(world.memberCallers) } : {}) };
  if (caller === 'router') return { ...base, hello: cryptosignHello(rng, values, world), shape: 'hello' };

  const replay = world.replays.filter((r) => r.procedure === spec.uri);
  const shape: Shape = replay.length > 0 && rng.chance(0.4) ? 'replay' : rng.pick<Shape>(['none', 'positional', 'positional', 'keyword', 'keyword', 'mixed', 'twice']);
  const { args, kwargs } = shape === 'replay' ? mutateReplay(rng, values, spec, rng.pick(replay)) : buildArguments(rng, values, spec, shape);
  const extras: string[] = [];
  if (rng.chance(0.12)) {
    extras.push('extra-args');
    for (let i = rng.between(1, 5); i > 0; i--) args.push(values.hostile(0));
  }
  if (rng.chance(0.12)) {
    extras.push('unknown-kwarg');
    defineKey(kwargs, rng.pick(['x', 'foo', 'price_', 'keyId', 'KEY_ID', '', 'details', 'options']), values.hostile(0));
  }
  if (rng.chance(0.15)) {
    extras.push('proto-kwarg');
    defineKey(kwargs, rng.pick(PROTOTYPE_KEYS), rng.chance(0.5) ? values.dict(1) : values.hostile(0));
  }
  // An empty args list and an absent one are the same to WAMP; both are sent. Keywords need the list.
  const hasKwargs = Object.keys(kwargs).length > 0 || rng.chance(0.2);
  const omitArgs = args.length === 0 && !hasKwargs && rng.chance(0.5);
  const options = rng.chance(0.1) ? callOptions(rng, values) : undefined;
  if (options !== undefined) extras.push('options');
  return {
    ...base,
    ...(options === undefined ? {} : { options }),
    ...(omitArgs ? {} : { args }),
    ...(hasKwargs ? { kwargs } : {}),
    shape: [shape, ...extras].join('+'),
  };
}

function pickCaller(rng: Rng, spec: ProcedureSpec): CallerKind {
  // The router's authenticator is reached for real only through a HELLO; direct calls must be refused.
  if (spec.access === 'router' && rng.chance(0.75)) return 'router';
  return rng.pick<CallerKind>(['anonymous', 'member', 'member', 'operator']);
}

function buildArguments(rng: Rng, values: ValueGrammar, spec: ProcedureSpec, shape: Shape): { args: unknown[]; kwargs: Record<string, unknown> } {
  const all: readonly Param[] = [...spec.params, ...spec.keywordOnly];
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  const positional = (n: number): void => {
    for (const [, slot] of spec.params.slice(0, n)) args.push(values.forSlot(slot));
  };
  const keywords = (params: readonly Param[], p: number): void => {
    for (const [name, slot] of params) if (rng.chance(p)) defineKey(kwargs, name, values.forSlot(slot));
  };
  switch (shape) {
    case 'none':
      break;
    case 'positional':
      // Mostly the full list (deep checks), sometimes a prefix (missing arguments).
      positional(rng.chance(0.7) ? spec.params.length : rng.between(0, spec.params.length));
      keywords(spec.keywordOnly, 0.5);
      break;
    case 'keyword':
      keywords(all, rng.chance(0.6) ? 0.95 : 0.5);
      break;
    case 'mixed': {
      const n = rng.between(0, spec.params.length);
      positional(n);
      keywords(all.slice(n), 0.8);
      break;
    }
    case 'twice': {
      const n = rng.between(1, Math.max(1, spec.params.length));
      positional(n);
      const [name, slot] = spec.params[rng.int(n)] ?? rng.pick<Param>([['key_id', 'uuid'], ['limit', 'limit']]);
      defineKey(kwargs, name, values.forSlot(slot));
      break;
    }
    case 'replay':
      throw new Error('replays are mutated by mutateReplay');
  }
  return { args, kwargs };
}

/** CALL options a client may send: asking not to be disclosed, for progress, a generous timeout, odd keys. */
function callOptions(rng: Rng, values: ValueGrammar): Record<string, unknown> {
  switch (rng.int(5)) {
    case 0: return { disclose_me: false };
    case 1: return { disclose_me: rng.pick<unknown>([true, 0, 'no', null]) };
    case 2: return { receive_progress: true };
    case 3: return { timeout: rng.pick([60_000, 2 ** 31 - 1]) };
    default: {
      const o: Record<string, unknown> = {};
      defineKey(o, rng.pick(PROTOTYPE_KEYS), { disclose_me: false, caller_authrole: 'operator' });
      defineKey(o, rng.pick(['caller', 'caller_authid', 'caller_authrole', 'x_custom']), values.forSlot('authid'));
      return o;
    }
  }
}

/**
 * A correctly signed call as it was, or with one argument changed: another right-looking value of its kind
 * (another id, another address), a near miss (off by one, a flipped bit), anything, or one argument less.
 */
function mutateReplay(rng: Rng, values: ValueGrammar, spec: ProcedureSpec, r: ReplayableCall): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args = [...r.args];
  const kwargs: Record<string, unknown> = { ...r.kwargs };
  const i = rng.int(args.length);
  const slot = spec.params[i]?.[1];
  const how = rng.float();
  if (how < 0.15) return { args, kwargs };
  if (how < 0.45 && slot !== undefined) args[i] = values.rightLooking(slot);
  else if (how < 0.8) args[i] = values.nearMiss(args[i]);
  else if (how < 0.92) args[i] = values.hostile(0);
  else args.pop();
  return { args, kwargs };
}

/**
 * A WAMP-cryptosign HELLO: the router asks the maker's authenticator (`authenticate(realm, authid, details)`,
 * details.authextra = this authextra) before it challenges the client. The router itself refuses an
 * `authextra.pubkey` that is not a 32-byte key in hex, so that one is mostly well-formed.
 */
function cryptosignHello(rng: Rng, values: ValueGrammar, world: FuzzWorld): Record<string, unknown> {
  if (world.logins.length > 0 && rng.chance(0.3)) return memberLoginHello(rng, values, rng.pick(world.logins));
  const authextra: Record<string, unknown> = {};
  defineKey(authextra, 'pubkey', rng.chance(0.85) ? rng.pick(world.pubkeys) : values.forSlot('pubkey'));
  const wallet = rng.float();
  // Some of each: no wallet (known-key login), wallet and signature (new-key login), only one of them.
  if (wallet < 0.75) defineKey(authextra, 'wallet_address', rng.chance(0.5) ? hexOf(values.forSlot('address')) : values.forSlot('address'));
  if (wallet < 0.6 || wallet > 0.9) defineKey(authextra, 'signature', rng.chance(0.5) ? hexOf(values.forSlot('signature')) : values.forSlot('signature'));
  if (rng.chance(0.25)) defineKey(authextra, values.key(), values.hostile(1));
  const hello: Record<string, unknown> = { authmethods: ['cryptosign'], authextra };
  if (rng.chance(0.6)) hello['authid'] = rng.pick(['member', '', 'x'.repeat(200), 'anonymous', 'member-0x0000000000000000000000000000000000000000', '💥']);
  return hello;
}

/** A correctly signed member login, as it is or with one of its three fields changed. */
function memberLoginHello(rng: Rng, values: ValueGrammar, login: MemberLogin): Record<string, unknown> {
  const authextra: Record<string, unknown> = { pubkey: login.pubkey, wallet_address: login.wallet, signature: login.signature };
  if (rng.chance(0.7)) {
    const field = rng.pick(['pubkey', 'wallet_address', 'signature'] as const);
    const asBytes = Buffer.from(String(authextra[field]).replace(/^0x/, ''), 'hex');
    authextra[field] = rng.chance(0.5) ? hexOf(values.nearMiss(asBytes)) : values.nearMiss(asBytes);
  }
  return { authmethods: ['cryptosign'], authid: 'member', authextra };
}

/** Bytes as `0x` hex (the form JSON clients use); anything else as it is. */
function hexOf(v: unknown): unknown {
  return v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : v;
}
