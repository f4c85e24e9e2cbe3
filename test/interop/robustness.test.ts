/**
 * Robustness: while a well-behaved client keeps calling a procedure, other connections send garbage,
 * malformed and out-of-order WAMP messages and broken RawSocket framing over tcp and unix sockets.
 * Each bad connection must be closed (after ABORT wamp.error.protocol_violation where the framing
 * allows one), the good client must not notice, and the router must keep accepting sessions.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ALLOW_ALL } from '../helpers/configs.js';
import { rawHello, rawSocket, rawTcp, rawWs, type RawSocketClient, type RawWsClient, type SocketTarget, type WampMsg } from '../helpers/raw.js';
import { startTestRouter, waitFor, wampyClient, withTimeout, type TestRouter } from '../helpers/router.js';

const MAX = 4096;
const PV = 'wamp.error.protocol_violation';

async function start(t: TestContext): Promise<TestRouter> {
  const options = { max_message_size: MAX };
  return startTestRouter(
    {
      realms: [{ name: 'realm1', roles: [{ name: 'anonymous', permissions: [{ uri: '', match: 'prefix', allow: ALLOW_ALL }] }] }],
      transports: [
        { type: 'websocket', id: 'ws', endpoint: { type: 'tcp' }, options },
        { type: 'websocket', id: 'wsunix', endpoint: { type: 'unix', path: 'ws.sock' }, options },
        { type: 'rawsocket', id: 'rs', endpoint: { type: 'tcp' }, options },
        { type: 'rawsocket', id: 'rsunix', endpoint: { type: 'unix', path: 'rs.sock' }, options },
      ],
    },
    { t },
  );
}

function assertAbort(msg: WampMsg, what: string): void {
  assert.equal(msg[0], 3, `${what}: expected ABORT, got ${JSON.stringify(msg)}`);
  assert.equal(msg[2], PV, `${what}: ABORT reason`);
  const details = msg[1] as Record<string, unknown>;
  assert.equal(typeof details['message'], 'string', `${what}: ABORT details.message`);
}

/** The router answers with ABORT protocol_violation and then closes the WebSocket. */
async function expectWsAbort(c: RawWsClient, what: string): Promise<void> {
  assertAbort(await c.next(3000, undefined, `ABORT (${what})`), what);
  const { code } = await withTimeout(c.closed, 3000, `close (${what})`);
  assert.equal(code, 1000, `${what}: normal WebSocket close after ABORT`);
}

async function expectRsAbort(c: RawSocketClient, what: string): Promise<void> {
  assertAbort(await c.next(3000, undefined, `ABORT (${what})`), what);
  await withTimeout(c.closed, 3000, `close (${what})`);
}

test('bad peers are cut off while a good client keeps calling, and the router stays usable', async (t) => {
  const router = await start(t);
  const wsUrl = router.url('ws');
  const wsUnix = { unix: router.unixPath('wsunix') };
  const rsTcp: SocketTarget = { port: router.tcpPort('rs') };
  const rsUnix: SocketTarget = { path: router.unixPath('rsunix') };

  const callee = await wampyClient(wsUrl, { realm: 'realm1', serializer: 'msgpack', t });
  const caller = await wampyClient(wsUrl, { realm: 'realm1', serializer: 'json', t });
  await callee.wampy.register('com.add', ({ argsList }) => ({ argsList: [Number(argsList![0]) + Number(argsList![1])] }));
  assert.equal(router.router.sessionCount, 2);

  let goodCalls = 0;
  const N = 300;
  const goodLoop = (async () => {
    for (let i = 0; i < N; i++) {
      const res = await caller.wampy.call('com.add', [i, 1000]);
      assert.deepEqual(res.argsList, [i + 1000]);
      goodCalls++;
      // give the bad connections room to interleave with the calls
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
  })();

  const cases: Record<string, () => Promise<void>> = {
    // ---- WebSocket
    'ws msgpack: garbage bytes before HELLO': async () => {
      const c = await rawWs(wsUrl, 'msgpack', t);
      c.sendRaw(Buffer.from([0xc1, 0xff, 0x00, 0x13, 0x37]), true);
      await expectWsAbort(c, 'garbage');
    },
    'ws msgpack: garbage bytes in an established session': async () => {
      const c = await rawWs(wsUrl, 'msgpack', t);
      await rawHello(c, 'realm1');
      c.sendRaw(Buffer.from([0x93, 0xc1, 0xc1, 0xc1]), true);
      await expectWsAbort(c, 'garbage after WELCOME');
    },
    'ws json: invalid JSON': async () => {
      const c = await rawWs(wsUrl, 'json', t);
      c.sendRaw('[1, "realm1", {"roles": ', false);
      await expectWsAbort(c, 'invalid JSON');
    },
    'ws json: valid JSON array with an unknown message type': async () => {
      const c = await rawWs(wsUrl, 'json', t);
      c.send([999, 'realm1', {}]);
      await expectWsAbort(c, 'message type 999');
    },
    'ws json: a router-only message type (WELCOME) from the client': async () => {
      const c = await rawWs(wsUrl, 'json', t);
      await rawHello(c, 'realm1');
      c.send([2, 1, {}]);
      await expectWsAbort(c, 'WELCOME from client');
    },
    'ws json: JSON that is not a list': async () => {
      const c = await rawWs(wsUrl, 'json', t);
      c.sendRaw('{"hello": "realm1"}', false);
      await expectWsAbort(c, 'JSON object');
    },
    'ws cbor: CALL before HELLO': async () => {
      const c = await rawWs(wsUrl, 'cbor', t);
      c.send([48, 1, {}, 'com.add', [1, 2]]);
      await expectWsAbort(c, 'CALL before HELLO');
    },
    'ws json: second HELLO after WELCOME': async () => {
      const c = await rawWs(wsUrl, 'json', t);
      await rawHello(c, 'realm1');
      c.send([1, 'realm1', { roles: { caller: {} } }]);
      await expectWsAbort(c, 'second HELLO');
    },
    'ws json: CALL with a non-integer request id': async () => {
      const c = await rawWs(wsUrl, 'json', t);
      await rawHello(c, 'realm1');
      c.send([48, 1.5, {}, 'com.add', [1, 2]]);
      await expectWsAbort(c, 'request id 1.5');
    },
    'ws msgpack: CALL with a string request id': async () => {
      const c = await rawWs(wsUrl, 'msgpack', t);
      await rawHello(c, 'realm1');
      c.send([48, '7', {}, 'com.add', [1, 2]]);
      await expectWsAbort(c, 'request id "7"');
    },
    'ws json: CALL with a request id beyond 2^53': async () => {
      const c = await rawWs(wsUrl, 'json', t);
      await rawHello(c, 'realm1');
      c.sendRaw('[48, 18014398509481984, {}, "com.add", [1, 2]]', false);
      await expectWsAbort(c, 'request id 2^54');
    },
    'ws json: oversized message (beyond max_message_size) is refused with close code 1009': async () => {
      const c = await rawWs(wsUrl, 'json', t);
      await rawHello(c, 'realm1');
      c.send([48, 1, {}, 'com.add', ['x'.repeat(MAX + 100)]]);
      const { code } = await withTimeout(c.closed, 3000, 'close after oversized frame');
      assert.equal(code, 1009);
    },
    'ws unix: invalid JSON over the unix socket transport': async () => {
      const c = await rawWs(wsUnix, 'json', t);
      await rawHello(c, 'realm1');
      c.sendRaw('[48, 1, {}, "com.add", [1, 2', false);
      await expectWsAbort(c, 'invalid JSON over unix');
    },
    'ws tcp: non-HTTP garbage on the WebSocket port gets HTTP 400 and a close': async () => {
      const s = await rawTcp({ port: router.tcpPort('ws') }, t);
      s.socket.write(Buffer.from('\x16\x03\x01\x02\x00garbage\r\n\r\n', 'latin1'));
      await withTimeout(s.closed, 3000, 'close after garbage');
      assert.match(s.received().toString('latin1'), /^HTTP\/1\.1 400 /);
    },
    'ws unix: non-HTTP garbage on the unix WebSocket transport gets HTTP 400 and a close': async () => {
      const s = await rawTcp({ path: router.unixPath('wsunix') }, t);
      s.socket.write(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 13, 10, 13, 10]));
      await withTimeout(s.closed, 3000, 'close after garbage');
      assert.match(s.received().toString('latin1'), /^HTTP\/1\.1 400 /);
    },
    'ws: an upgrade offering no WAMP subprotocol is refused': async () => {
      await assert.rejects(rawWs(wsUrl, 'ubjson' as never, t), /HTTP 400|Server sent no subprotocol|router chose/);
    },
    // ---- RawSocket
    'rs tcp: a handshake without the 0x7f magic is closed without a reply': async () => {
      const s = await rawTcp(rsTcp, t);
      s.socket.write('GET / HTTP/1.1\r\n\r\n');
      await withTimeout(s.closed, 3000, 'close after a bad handshake');
      assert.equal(s.received().toString('hex'), '', 'no handshake reply to a non-RawSocket peer');
    },
    'rs unix: unsupported serializer id gets handshake error 1 and a close': async () => {
      const s = await rawTcp(rsUnix, t);
      s.socket.write(Buffer.from([0x7f, 0xf5, 0, 0]));
      await withTimeout(s.closed, 3000, 'close after an unsupported serializer');
      assert.equal(s.received().toString('hex'), '7f100000');
    },
    'rs tcp: reserved handshake octets set get handshake error 3 and a close': async () => {
      const s = await rawTcp(rsTcp, t);
      s.socket.write(Buffer.from([0x7f, 0xf2, 0x01, 0x00]));
      await withTimeout(s.closed, 3000, 'close after reserved handshake bits');
      assert.equal(s.received().toString('hex'), '7f300000');
    },
    'rs tcp: a frame header with reserved bits set': async () => {
      const c = await rawSocket(rsTcp, 'json', t);
      assert.equal(c.handshakeReply[0], 0x7f);
      assert.equal(c.handshakeReply[1]! & 0x0f, 1, 'json serializer accepted');
      await rawHello(c, 'realm1');
      c.sendFrame(0, Buffer.from('[48,1,{},"com.add",[1,2]]'), 0x80);
      await expectRsAbort(c, 'reserved frame bits');
    },
    'rs tcp: an undefined frame type': async () => {
      const c = await rawSocket(rsTcp, 'msgpack', t);
      await rawHello(c, 'realm1');
      c.sendFrame(3, Buffer.from([0x90]));
      await expectRsAbort(c, 'frame type 3');
    },
    'rs unix: a length header beyond max_message_size': async () => {
      const c = await rawSocket(rsUnix, 'cbor', t);
      await rawHello(c, 'realm1');
      c.sendBytes(Buffer.from([0x00, 0xff, 0xff, 0xff]));
      await expectRsAbort(c, 'oversized length header');
    },
    'rs unix: garbage in a message frame': async () => {
      const c = await rawSocket(rsUnix, 'msgpack', t);
      c.sendFrame(0, Buffer.from([0xc1, 0xc1, 0xc1]));
      await expectRsAbort(c, 'garbage frame');
    },
    'rs tcp: CALL before HELLO': async () => {
      const c = await rawSocket(rsTcp, 'json', t);
      c.send([48, 1, {}, 'com.add', [1, 2]]);
      await expectRsAbort(c, 'CALL before HELLO over RawSocket');
    },
    'rs tcp: RawSocket ping is answered with a pong carrying the same payload': async () => {
      const c = await rawSocket(rsTcp, 'json', t);
      await rawHello(c, 'realm1');
      c.sendFrame(1, Buffer.from('ping-payload'));
      await waitFor(() => c.frames.some((f) => f.type === 2), 2000, 'PONG');
      assert.equal(c.frames.find((f) => f.type === 2)!.payload.toString(), 'ping-payload');
      c.close();
      await c.closed;
    },
  };

  const results = await Promise.allSettled(
    Object.entries(cases).map(async ([name, run]) => {
      try {
        await run();
      } catch (err) {
        throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }),
  );
  await goodLoop;
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  assert.deepEqual(failures, [], 'every bad-peer case behaves');
  assert.equal(goodCalls, N, 'the good client completed every call');

  // Every bad session is gone; only the good pair remains.
  await waitFor(() => router.router.sessionCount === 2, 3000, `sessionCount back to 2 (is ${router.router.sessionCount})`);

  // The router still accepts new sessions on every transport.
  const fresh: (RawWsClient | RawSocketClient)[] = [
    await rawWs(wsUrl, 'cbor', t),
    await rawWs(wsUnix, 'msgpack', t),
    await rawSocket(rsTcp, 'msgpack', t),
    await rawSocket(rsUnix, 'json', t),
  ];
  for (const [i, c] of fresh.entries()) {
    await rawHello(c, 'realm1');
    c.send([48, 100 + i, {}, 'com.add', [i, 1]]);
    const res = await c.next(2000, (m) => m[0] === 50, 'RESULT');
    assert.deepEqual(res.slice(0, 2), [50, 100 + i]);
    assert.equal(Number((res[3] as unknown[])[0]), i + 1);
  }
  assert.equal(router.router.sessionCount, 6);
  for (const c of fresh) {
    c.send([6, {}, 'wamp.close.goodbye_and_out']);
    assert.deepEqual(await c.next(2000, (m) => m[0] === 6, 'GOODBYE reply'), [6, {}, 'wamp.close.goodbye_and_out']);
    c.close();
  }
  await waitFor(() => router.router.sessionCount === 2, 2000, 'sessionCount back to 2 after the fresh sessions left');
  assert.deepEqual((await caller.wampy.call('com.add', [1, 2])).argsList, [3]);

  const errors = router.logs.filter((l) => l.level === 'error');
  assert.deepEqual(errors.map((e) => e.msg), [], 'the router logged no internal errors');
});

test('a peer that never completes the opening handshake is dropped after open_handshake_timeout', async (t) => {
  const router = await startTestRouter(
    {
      realms: [{ name: 'realm1', roles: [{ name: 'anonymous', permissions: [{ uri: '', match: 'prefix', allow: ALLOW_ALL }] }] }],
      transports: [
        { type: 'websocket', id: 'ws', endpoint: { type: 'tcp' }, options: { open_handshake_timeout: 0.3 } },
        { type: 'rawsocket', id: 'rs', endpoint: { type: 'tcp' }, options: { open_handshake_timeout: 0.3 } },
      ],
    },
    { t },
  );
  const started = Date.now();
  const ws = await rawWs(router.url('ws'), 'json', t);
  const rsNoHandshake = await rawTcp({ port: router.tcpPort('rs') }, t);
  const rsNoHello = await rawSocket({ port: router.tcpPort('rs') }, 'json', t);
  // WebSocket open, but no HELLO: ABORT, then close
  await expectWsAbort(ws, 'no HELLO within the handshake timeout');
  // RawSocket connected, no handshake octets at all: closed
  await withTimeout(rsNoHandshake.closed, 3000, 'rawsocket without handshake to be closed');
  // RawSocket handshake done, but no HELLO: ABORT, then close
  await expectRsAbort(rsNoHello, 'no HELLO over RawSocket');
  assert.ok(Date.now() - started >= 295, 'not before the timeout');
  assert.equal(router.router.sessionCount, 0);
});

test('GOODBYE, then a new HELLO on the same connection starts a new session', async (t) => {
  const router = await start(t);
  for (const c of [await rawWs(router.url('ws'), 'json', t), await rawSocket({ path: router.unixPath('rsunix') }, 'msgpack', t)]) {
    const first = await rawHello(c, 'realm1');
    assert.equal(router.router.sessionCount, 1);
    c.send([6, {}, 'wamp.close.close_realm']);
    assert.deepEqual(await c.next(2000, undefined, 'GOODBYE reply'), [6, {}, 'wamp.close.goodbye_and_out']);
    await waitFor(() => router.router.sessionCount === 0, 2000, 'session ended');
    const second = await rawHello(c, 'realm1');
    assert.notEqual(second, first);
    assert.equal(router.router.sessionCount, 1);
    c.close();
    await waitFor(() => router.router.sessionCount === 0, 2000, 'session ended on close');
  }
});

test('stopping the router ends every session with GOODBYE wamp.close.system_shutdown and frees the endpoints', async (t) => {
  const router = await start(t);
  const ws = await rawWs(router.url('ws'), 'msgpack', t);
  const rs = await rawSocket({ port: router.tcpPort('rs') }, 'json', t);
  await rawHello(ws, 'realm1');
  await rawHello(rs, 'realm1');
  const wampy = await wampyClient(router.url('ws'), { realm: 'realm1', serializer: 'cbor', t });
  assert.equal(router.router.sessionCount, 3);
  const port = router.tcpPort('ws');
  const unix = router.unixPath('wsunix');
  await router.running.stop(); // (router.stop() would also remove the cbdir, and with it the socket file)
  for (const c of [ws, rs]) {
    const m = await c.next(2000, undefined, 'GOODBYE');
    assert.equal(m[0], 6);
    assert.equal(m[2], 'wamp.close.system_shutdown');
  }
  await withTimeout(Promise.all([ws.closed, rs.closed, wampy.closed]), 3000, 'connections closed by the router');
  assert.equal(router.router.sessionCount, 0);
  // the tcp port and the unix socket are released
  await assert.rejects(rawTcp({ port }, t), /ECONNREFUSED/);
  await assert.rejects(rawTcp({ path: unix }, t), /ENOENT|ECONNREFUSED/);
});
