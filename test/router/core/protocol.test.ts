/**
 * SessionProtocol on its own (a fake connection, a stub auth method): the opening handshake deadline
 * counts from TCP accept, and HELLO identifiers have length limits.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it, type TestContext } from 'node:test';
import type { AuthMethod } from '../../../router/auth/types.js';
import type { Connection } from '../../../router/core/connection.js';
import { MAX_AUTHID_LENGTH, MAX_AUTHMETHODS, MAX_REALM_NAME_LENGTH } from '../../../router/core/limits.js';
import { SessionProtocol, type ProtocolHost } from '../../../router/core/protocol.js';
import { Realm } from '../../../router/core/realm.js';
import { getSerializer } from '../../../router/wamp/serializers.js';
import { memoryLogger } from '../../helpers/router.js';

const json = getSerializer('json');
const LONG_REALM = 'r'.repeat(MAX_REALM_NAME_LENGTH);

interface Peer {
  readonly received: unknown[][];
  readonly closed: boolean;
  /** Feeds a client message to the protocol, as the transport would. */
  send(message: unknown[]): void;
  /** The next message from the router (waits up to `timeoutMs`). */
  next(timeoutMs?: number): Promise<unknown[]>;
}

/** A SessionProtocol on a fake connection, accepted at `acceptedAt` with an opening handshake budget of `timeoutMs`. */
function connect(t: TestContext, handshake: { acceptedAt: number; timeoutMs: number } = { acceptedAt: performance.now(), timeoutMs: 10_000 }): Peer {
  const received: unknown[][] = [];
  const waiters: (() => void)[] = [];
  let closed = false;
  const connection: Connection = {
    serializer: json,
    details: { type: 'websocket', transport_id: 'ws', peer: 'unix', protocol: 'wamp.2.json' },
    send: (m) => {
      received.push(json.decode(json.encode(m)) as unknown[]);
      for (const w of waiters.splice(0)) w();
    },
    sendEncoded: (payload) => {
      received.push(json.decode(payload) as unknown[]);
      for (const w of waiters.splice(0)) w();
    },
    close: () => {
      closed = true;
      protocol.onClose();
    },
  };
  const log = memoryLogger();
  const realmOptions = { roles: [{ name: 'anonymous', permissions: [] }], options: { enable_meta_api: false } };
  const host: ProtocolHost = {
    realms: new Map([
      ['realm1', new Realm({ name: 'realm1', ...realmOptions }, log)],
      [LONG_REALM, new Realm({ name: LONG_REALM, ...realmOptions }, log)],
    ]),
    log,
    admitSession: () => true,
    sessionStarted: () => {},
    sessionEnded: () => {},
  };
  const anonymous: AuthMethod = {
    name: 'anonymous',
    start: async (request) => ({
      kind: 'welcome',
      principal: { authid: 'anonymous-1', authrole: 'anonymous', realm: request.realm, authmethod: 'anonymous', authprovider: 'static', authextra: {} },
    }),
  };
  const protocol = new SessionProtocol(connection, host, { authMethods: new Map([['anonymous', anonymous]]), handshake });
  t.after(() => protocol.onClose());
  return {
    received,
    get closed() {
      return closed;
    },
    send: (message) => protocol.onPayload(json.encode(message)),
    next: (timeoutMs = 2000) =>
      new Promise((resolve, reject) => {
        const take = (): boolean => {
          const m = received.shift();
          if (m === undefined) return false;
          clearTimeout(timer);
          resolve(m);
          return true;
        };
        const timer = setTimeout(() => reject(new Error(`no message from the router within ${timeoutMs} ms`)), timeoutMs);
        if (!take()) waiters.push(() => void take());
      }),
  };
}

const hello = (realm: string, details: Record<string, unknown> = {}): unknown[] => [1, realm, { roles: { caller: {} }, ...details }];

async function expectViolation(peer: Peer, pattern: RegExp): Promise<void> {
  const abort = await peer.next();
  assert.equal(abort[0], 3, `expected ABORT, got ${JSON.stringify(abort).slice(0, 200)}`);
  assert.equal(abort[2], 'wamp.error.protocol_violation');
  assert.match(String((abort[1] as { message?: unknown }).message), pattern);
  assert.equal(peer.closed, true, 'the connection is closed');
}

async function expectWelcome(peer: Peer): Promise<void> {
  const welcome = await peer.next();
  assert.equal(welcome[0], 2, `expected WELCOME, got ${JSON.stringify(welcome).slice(0, 200)}`);
}

describe('SessionProtocol opening handshake deadline', () => {
  it('counts from TCP accept: a connection accepted a full timeout ago is aborted at once', async (t) => {
    // With a fresh 10 s timer from attach, this would wait 10 s.
    const peer = connect(t, { acceptedAt: performance.now() - 10_000, timeoutMs: 10_000 });
    await expectViolation(peer, /opening handshake not completed in time/);
  });

  it('gives a new session after GOODBYE a full timeout of its own', async (t) => {
    const peer = connect(t, { acceptedAt: performance.now() - 9_000, timeoutMs: 10_000 });
    peer.send(hello('realm1'));
    await expectWelcome(peer);
    peer.send([6, {}, 'wamp.close.close_realm']);
    assert.equal((await peer.next())[0], 6, 'GOODBYE reply');
    // The first deadline (1 s from now) must not end the second opening handshake.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(peer.received, [], 'no ABORT');
    assert.equal(peer.closed, false);
  });
});

describe('HELLO identifier limits', () => {
  it(`accepts an authid of ${MAX_AUTHID_LENGTH} UTF-16 code units, refuses one more`, async (t) => {
    const ok = connect(t);
    ok.send(hello('realm1', { authid: '😀'.repeat((MAX_AUTHID_LENGTH - 1) / 2) + 'a' }));
    await expectWelcome(ok);
    for (const authid of ['a'.repeat(MAX_AUTHID_LENGTH + 1), '😀'.repeat((MAX_AUTHID_LENGTH + 1) / 2), 'a'.repeat(200_000)]) {
      const refused = connect(t);
      refused.send(hello('realm1', { authid }));
      await expectViolation(refused, /^HELLO\.Details\.authid must be at most 255 characters \(UTF-16 code units\), got \d+$/);
    }
  });

  it(`accepts ${MAX_AUTHMETHODS} authmethods, refuses more`, async (t) => {
    const ok = connect(t);
    ok.send(hello('realm1', { authmethods: [...Array.from({ length: MAX_AUTHMETHODS - 1 }, (_, i) => `m${i}`), 'anonymous'] }));
    await expectWelcome(ok);
    const refused = connect(t);
    refused.send(hello('realm1', { authmethods: [...Array.from({ length: MAX_AUTHMETHODS }, (_, i) => `m${i}`), 'anonymous'] }));
    await expectViolation(refused, /^HELLO\.Details\.authmethods must have at most 16 entries, got 17$/);
  });

  it(`accepts a realm name of ${MAX_REALM_NAME_LENGTH} characters, refuses a longer one as a protocol violation`, async (t) => {
    const ok = connect(t);
    ok.send(hello(LONG_REALM));
    await expectWelcome(ok);
    const refused = connect(t);
    refused.send(hello(`${LONG_REALM}r`));
    await expectViolation(refused, /^HELLO\.Realm must be at most 255 characters, got 256$/);
  });
});
