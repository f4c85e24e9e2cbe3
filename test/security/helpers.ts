/**
 * Helpers of the attack tests: a raw-ish hostile wampy client (loose URI checks, so every refusal comes from
 * the router or the maker, never from the client library) and assertions on who refused what.
 */
import assert from 'node:assert/strict';
import { Wampy } from 'wampy';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import WebSocket from 'ws';
import { rawWs } from '../helpers/raw.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** An error as a wampy client sees it. */
export interface WampyError {
  errorUri?: string;
  argsList?: unknown[];
  message?: string;
}

/** A hostile client in realm1 of `url` (anonymous unless `wampy` says otherwise); resolves with it and its WELCOME. */
export async function hostile(url: string, wampy: Record<string, unknown> = {}): Promise<{ client: Wampy; welcome: Record<string, unknown> }> {
  const client = new Wampy(url, { ws: WebSocket as never, realm: 'realm1', autoReconnect: false, serializer: new MsgpackSerializer(), uriValidation: 'loose', ...wampy });
  const welcome = (await client.connect()) as unknown as Record<string, unknown>;
  return { client, welcome };
}

/** Asserts `p` is refused by the peer (not by wampy) with `uri`; returns the error. `what` names the attempt. */
export async function refused(p: Promise<unknown>, uri: string, what: string, message?: RegExp): Promise<WampyError> {
  let error: WampyError | undefined;
  try {
    await p;
  } catch (err) {
    error = err as WampyError;
  }
  assert.ok(error !== undefined, `${what}: succeeded, but must be refused with ${uri}`);
  assert.equal(error.errorUri, uri, `${what}: refused with ${String(error.errorUri)} (${String(error.argsList?.[0] ?? error.message)}), expected ${uri}`);
  if (message !== undefined) assert.match(String(error.argsList?.[0]), message, what);
  return error;
}

/** Disconnects quietly (the router may already have closed the session). */
export async function leave(...clients: (Wampy | undefined)[]): Promise<void> {
  for (const c of clients) await c?.disconnect().catch(() => undefined);
}

/**
 * A raw WAMP client for attacks a client library would not send (prefixes ending in ".", wildcards with a
 * leading empty component, any HELLO details): msgpack over WebSocket.
 */
export interface RawAttacker {
  readonly welcome: Record<string, unknown>;
  /** REGISTER; resolves with `registered` or the router's error URI and message. */
  register(uri: string, match: 'exact' | 'prefix' | 'wildcard'): Promise<RawOutcome>;
  /** SUBSCRIBE; the same. */
  subscribe(uri: string, match: 'exact' | 'prefix' | 'wildcard'): Promise<RawOutcome>;
  /** CALL; resolves with the result args or the error. */
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): Promise<RawOutcome & { args?: unknown[] }>;
  /** INVOCATIONs received so far (a registration that caught a call). */
  invocations(): unknown[][];
  close(): void;
}

export type RawOutcome = { ok: true; args?: unknown[] } | { ok: false; error: string; message: string };

export async function rawAttacker(url: string, hello: Record<string, unknown> = {}): Promise<RawAttacker> {
  const c = await rawWs(url, 'msgpack');
  c.send([1, 'realm1', { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} }, ...hello }]);
  const w = await c.next(5000, undefined, 'WELCOME');
  if (w[0] !== 2) throw Object.assign(new Error(`expected WELCOME, got ${String(w[0])} ${String(w[2] ?? '')}`), { reply: w });
  let request = 1;
  const ask = async (msg: unknown[], okType: number, requestType: number): Promise<RawOutcome & { args?: unknown[] }> => {
    const id = request++;
    msg[1] = id;
    c.send(msg);
    const reply = await c.next(10_000, (m) => (m[0] === okType && m[1] === id) || (m[0] === 8 && m[1] === requestType && m[2] === id), `reply to request ${id}`);
    if (reply[0] === 8) return { ok: false, error: String(reply[4]), message: String((reply[5] as unknown[] | undefined)?.[0] ?? '') };
    return { ok: true, ...(okType === 50 ? { args: (reply[3] as unknown[] | undefined) ?? [] } : {}) };
  };
  return {
    welcome: w[2] as Record<string, unknown>,
    register: (uri, match) => ask([64, 0, match === 'exact' ? {} : { match }, uri], 65, 64),
    subscribe: (uri, match) => ask([32, 0, match === 'exact' ? {} : { match }, uri], 33, 32),
    call: (procedure, args = [], kwargs = {}, options = {}) => ask([48, 0, options, procedure, args, kwargs], 50, 48),
    // Nothing takes INVOCATIONs from the inbox: every one received is still there.
    invocations: () => c.inbox.filter((m) => m[0] === 68),
    close: () => c.close(),
  };
}

/** Asserts a raw attempt was refused with `uri`. */
export function assertRefused(outcome: RawOutcome, uri: string, what: string): void {
  assert.equal(outcome.ok, false, `${what}: accepted, but must be refused with ${uri}`);
  if (!outcome.ok) assert.equal(outcome.error, uri, `${what}: refused with ${outcome.error} (${outcome.message}), expected ${uri}`);
}
