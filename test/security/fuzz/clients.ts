/**
 * Raw WAMP sessions for the fuzzer (test/helpers/raw.ts underneath): they send whatever the generator built —
 * keys and values a client library would refuse or rewrite — and report each call's outcome as the router
 * delivered it, including a session the router ended and a reply that never came.
 *
 * - anonymous: HELLO on the TCP WebSocket, no authentication;
 * - member: HELLO with `authmethods: ['ticket']` and the member's authid, AUTHENTICATE with the ticket of the
 *   e2e config's static principals (role `user`, authid `member-0x…`);
 * - operator: HELLO on the operator Unix socket (role `operator`);
 * - a cryptosign HELLO probe, which makes the router call the maker's authenticator with its `authextra`.
 */
import { rawWs, type RawWsClient, type WampMsg } from '../../helpers/raw.js';

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
const HANDSHAKE_TIMEOUT_MS = 10_000;

export type CallOutcome =
  | { kind: 'result'; args: unknown[]; kwargs: Record<string, unknown> }
  | { kind: 'error'; uri: string; message: string }
  | { kind: 'closed'; detail: string }
  | { kind: 'timeout'; ms: number };

/** What became of a HELLO: the router challenged (the authenticator accepted), welcomed, aborted or went silent. */
export type HelloOutcome =
  | { kind: 'challenge'; authmethod: string }
  | { kind: 'welcome'; details: Record<string, unknown> }
  | { kind: 'abort'; uri: string; message: string }
  | { kind: 'closed'; detail: string }
  | { kind: 'timeout'; ms: number };

export type Target = string | { unix: string; path: string };
export type Serializer = 'msgpack' | 'cbor';

/** Resolves with the first message matching `pred`, the connection's end, or a timeout — never rejects. */
async function reply(c: RawWsClient, pred: (m: WampMsg) => boolean, timeoutMs: number, what: string): Promise<WampMsg | { closed: string } | { timeout: number }> {
  const msg = c.next(timeoutMs, (m) => pred(m) || m[0] === 3 || m[0] === 6, what).catch(() => ({ timeout: timeoutMs }) as const);
  const closed = c.closed.then(({ code, reason }) => ({ closed: `connection closed (${code} ${reason})` }) as const);
  return Promise.race([msg, closed]);
}

function messageOf(m: WampMsg, at: number): string {
  const args = m[at];
  return Array.isArray(args) ? String(args[0] ?? '') : '';
}

export class RawSession {
  private request = 0;

  private constructor(
    private readonly c: RawWsClient,
    readonly welcome: Record<string, unknown>,
  ) {}

  /** Joins realm1; with `ticket`, authenticates by ticket as `hello.authid`. Throws unless welcomed. */
  static async open(target: Target, serializer: Serializer, hello: Record<string, unknown> = {}, ticket?: string): Promise<RawSession> {
    const c = await rawWs(target, serializer);
    c.send([1, 'realm1', { roles: ROLES, ...hello }]);
    let m = await c.next(HANDSHAKE_TIMEOUT_MS, undefined, 'WELCOME or CHALLENGE');
    if (m[0] === 4 && ticket !== undefined) {
      c.send([5, ticket, {}]);
      m = await c.next(HANDSHAKE_TIMEOUT_MS, undefined, 'WELCOME');
    }
    if (m[0] !== 2) {
      c.close();
      throw new Error(`expected WELCOME, got ${String(m[0])} ${String(m[1] ?? '')} ${String(m[2] ?? '')}`);
    }
    return new RawSession(c, m[2] as Record<string, unknown>);
  }

  /** CALL with exactly these elements (`args`/`kwargs` undefined: the element is left out). */
  async call(procedure: string, args: unknown[] | undefined, kwargs: Record<string, unknown> | undefined, timeoutMs: number, options: Record<string, unknown> = {}): Promise<CallOutcome> {
    const id = ++this.request;
    const msg: unknown[] = [48, id, options, procedure];
    if (args !== undefined || kwargs !== undefined) msg.push(args ?? []);
    if (kwargs !== undefined) msg.push(kwargs);
    this.c.send(msg);
    const r = await reply(this.c, (m) => (m[0] === 50 && m[1] === id) || (m[0] === 8 && m[1] === 48 && m[2] === id), timeoutMs, `the reply to CALL ${id} (${procedure})`);
    if ('timeout' in r) return { kind: 'timeout', ms: r.timeout };
    if ('closed' in r) return { kind: 'closed', detail: r.closed };
    if (r[0] === 3 || r[0] === 6) return { kind: 'closed', detail: `${r[0] === 3 ? 'ABORT' : 'GOODBYE'} ${String(r[2])} ${JSON.stringify(r[1])}` };
    if (r[0] === 8) return { kind: 'error', uri: String(r[4]), message: messageOf(r, 5) };
    return { kind: 'result', args: (r[3] as unknown[] | undefined) ?? [], kwargs: (r[4] as Record<string, unknown> | undefined) ?? {} };
  }

  close(): void {
    this.c.close();
  }
}

/** Sends one HELLO on a fresh connection and reports the router's answer; the connection is closed after. */
export async function helloProbe(target: Target, serializer: Serializer, hello: Record<string, unknown>, timeoutMs: number): Promise<HelloOutcome> {
  const c = await rawWs(target, serializer);
  try {
    c.send([1, 'realm1', { roles: ROLES, ...hello }]);
    const r = await reply(c, (m) => m[0] === 2 || m[0] === 4, timeoutMs, 'the answer to HELLO');
    if ('timeout' in r) return { kind: 'timeout', ms: r.timeout };
    if ('closed' in r) return { kind: 'closed', detail: r.closed };
    if (r[0] === 4) return { kind: 'challenge', authmethod: String(r[1]) };
    if (r[0] === 2) return { kind: 'welcome', details: r[2] as Record<string, unknown> };
    if (r[0] === 3) return { kind: 'abort', uri: String(r[2]), message: String((r[1] as Record<string, unknown> | undefined)?.['message'] ?? '') };
    return { kind: 'closed', detail: `GOODBYE ${String(r[2])}` };
  } finally {
    c.close();
  }
}
