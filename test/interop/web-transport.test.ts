/**
 * Crossbar's `web` transport: one listener, WebSocket services per URL path, each with its own
 * serializers, auth and max_message_size; 404 on other paths; max_connections shared by all paths.
 * A plain `websocket` transport next to it keeps accepting any path.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test, type TestContext } from 'node:test';
import { ALLOW_ALL } from '../helpers/configs.js';
import { rawHello, rawWs, type RawWsClient } from '../helpers/raw.js';
import { closeWampy, startTestRouter, waitFor, wampyClient, wampyConnectError, withTimeout, type TestRouter } from '../helpers/router.js';

const TICKET = 'tom-web-ticket';
const BIG = 10_000; // characters: fits /ws (64 KiB), not /auth (4 KiB)

const realms = [
  {
    name: 'realm1',
    roles: [
      // The meta API needs a permission of its own: a catch-all never reaches the reserved `wamp.` namespace.
      { name: 'anonymous', permissions: [{ uri: '', match: 'prefix', allow: ALLOW_ALL }, { uri: 'wamp.', match: 'prefix', allow: { call: true } }] },
      { name: 'user', permissions: [{ uri: '', match: 'prefix', allow: ALLOW_ALL }] },
    ],
  },
];

function webConfig(webOptions: object = {}): object {
  return {
    realms,
    transports: [
      {
        type: 'web',
        id: 'web',
        endpoint: { type: 'tcp' },
        options: webOptions,
        paths: {
          ws: { type: 'websocket', serializers: ['json', 'msgpack'], options: { max_message_size: 64 * 1024 } },
          auth: {
            type: 'websocket',
            serializers: ['cbor'],
            auth: { ticket: { type: 'static', principals: { tom: { ticket: TICKET, role: 'user' } } } },
            options: { max_message_size: 4096 },
          },
        },
      },
      { type: 'websocket', id: 'plain', endpoint: { type: 'tcp' } },
    ],
  };
}

const ticket = { authid: 'tom', authmethods: ['ticket'], onChallenge: () => TICKET };

/** What the router answers to a WebSocket upgrade request (101 if it upgrades), with the body of a refusal. */
function upgrade(port: number, path: string, protocol: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': protocol },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A plain HTTP GET (no upgrade): its status. */
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** HELLO with ticket auth over a raw WebSocket, up to WELCOME. */
async function rawTicketHello(c: RawWsClient): Promise<void> {
  c.send([1, 'realm1', { roles: { caller: {}, callee: {} }, authmethods: ['ticket'], authid: 'tom' }]);
  assert.equal((await c.next(2000, undefined, 'CHALLENGE'))[0], 4);
  c.send([5, TICKET, {}]);
  assert.equal((await c.next(2000, undefined, 'WELCOME'))[0], 2);
}

async function setup(t: TestContext, webOptions?: object): Promise<TestRouter> {
  return startTestRouter(webConfig(webOptions), { t });
}

describe('web transport', () => {
  test('wampy clients on /ws (anonymous; json, msgpack), /auth (ticket; cbor) and a plain websocket transport call each other', async (t) => {
    const router = await setup(t);
    const a = await wampyClient(router.url('web', '/ws'), { realm: 'realm1', serializer: 'json', t });
    const b = await wampyClient(router.url('web', '/ws?client=b'), { realm: 'realm1', serializer: 'msgpack', t });
    const c = await wampyClient(router.url('web', '/auth'), { realm: 'realm1', serializer: 'cbor', t, ...ticket });
    const p = await wampyClient(router.url('plain', '/any/path'), { realm: 'realm1', serializer: 'json', t });
    assert.deepEqual([a.welcome['authrole'], a.welcome['authmethod']], ['anonymous', 'anonymous']);
    assert.deepEqual([c.welcome['authid'], c.welcome['authrole'], c.welcome['authmethod']], ['tom', 'user', 'ticket']);

    await c.wampy.register('com.auth.add', ({ argsList }) => ({ argsList: [(argsList![0] as number) + (argsList![1] as number)] }));
    await a.wampy.register('com.ws.mul', ({ argsList }) => ({ argsList: [(argsList![0] as number) * (argsList![1] as number)] }));
    await p.wampy.register('com.plain.echo', ({ argsList }) => ({ argsList: argsList ?? [] }));
    assert.deepEqual((await a.wampy.call('com.auth.add', [2, 3])).argsList, [5], '/ws → /auth');
    assert.deepEqual((await c.wampy.call('com.ws.mul', [4, 5])).argsList, [20], '/auth → /ws');
    assert.deepEqual((await b.wampy.call('com.plain.echo', ['hi'])).argsList, ['hi'], '/ws → plain transport');
    assert.deepEqual((await p.wampy.call('com.auth.add', [10, 1])).argsList, [11], 'plain transport → /auth');

    const events: unknown[] = [];
    await c.wampy.subscribe('com.news', ({ argsList }) => void events.push(argsList?.[0]));
    await a.wampy.publish('com.news', ['from /ws'], { acknowledge: true });
    await waitFor(() => events.length === 1, 2000, 'event on /auth');
    assert.deepEqual(events, ['from /ws']);

    // the session's transport details: the web transport's id and the path it came in on
    const info = (await a.wampy.call('wamp.session.get', [c.sessionId])).argsList?.[0] as { transport: Record<string, unknown> };
    assert.equal(info.transport['type'], 'websocket');
    assert.equal(info.transport['transport_id'], 'web');
    assert.equal(info.transport['http_path'], '/auth');
    assert.equal(info.transport['protocol'], 'wamp.2.cbor');
    const infoB = (await a.wampy.call('wamp.session.get', [b.sessionId])).argsList?.[0] as { transport: Record<string, unknown> };
    assert.equal(infoB.transport['http_path'], '/ws?client=b');
  });

  test('auth is per path: ticket on /auth (right and wrong ticket), no anonymous on /auth, no ticket on /ws', async (t) => {
    const router = await setup(t);
    const ok = await wampyClient(router.url('web', '/auth'), { realm: 'realm1', serializer: 'cbor', t, ...ticket });
    assert.equal(ok.welcome['authid'], 'tom');
    let err = await wampyConnectError(router.url('web', '/auth'), { realm: 'realm1', serializer: 'cbor', t, ...ticket, onChallenge: () => 'wrong' });
    assert.equal(err.errorUri, 'wamp.error.not_authorized');
    err = await wampyConnectError(router.url('web', '/auth'), { realm: 'realm1', serializer: 'cbor', t });
    assert.equal(err.errorUri, 'wamp.error.no_auth_method');
    err = await wampyConnectError(router.url('web', '/ws'), { realm: 'realm1', serializer: 'json', t, ...ticket });
    assert.equal(err.errorUri, 'wamp.error.no_auth_method');
    await waitFor(() => router.router.sessionCount === 1, 2000, 'only tom connected');
  });

  test('upgrades on unknown paths get 404 (exact path match, query ignored); the plain websocket transport takes any path', async (t) => {
    const router = await setup(t);
    const web = router.tcpPort('web');
    for (const path of ['/nope', '/', '/ws/', '/WS', '/auth/x', '/wsx']) {
      const r = await upgrade(web, path, 'wamp.2.json');
      assert.equal(r.status, 404, `upgrade on ${path}`);
      assert.match(r.body, /no WAMP WebSocket service at this path/);
    }
    assert.equal((await upgrade(web, '/ws', 'wamp.2.json')).status, 101);
    assert.equal((await upgrade(web, '/ws?x=1&y=/auth', 'wamp.2.json')).status, 101);
    assert.equal((await upgrade(web, '/auth?ticket=no', 'wamp.2.cbor')).status, 101);
    assert.equal((await upgrade(router.tcpPort('plain'), '/nope', 'wamp.2.json')).status, 101);
    // plain HTTP: 426 on a websocket path, 404 elsewhere
    assert.equal(await get(web, '/ws'), 426);
    assert.equal(await get(web, '/index.html'), 404);
  });

  test('a serializer the path does not offer is refused with 400, naming the ones it does', async (t) => {
    const router = await setup(t);
    const web = router.tcpPort('web');
    let r = await upgrade(web, '/auth', 'wamp.2.json, wamp.2.msgpack');
    assert.equal(r.status, 400);
    assert.match(r.body, /no supported WAMP subprotocol offered \(supported: wamp\.2\.cbor\)/);
    r = await upgrade(web, '/ws', 'wamp.2.cbor');
    assert.equal(r.status, 400);
    assert.match(r.body, /supported: wamp\.2\.json, wamp\.2\.msgpack/);
    await assert.rejects(rawWs(router.url('web', '/ws'), 'cbor', t), /HTTP 400/);
    // the client's first preference among the path's serializers wins
    const c = await rawWs(router.url('web', '/ws'), 'msgpack', t);
    assert.equal(c.ws.protocol, 'wamp.2.msgpack');
  });

  test('max_message_size is per path: a message /ws accepts closes an /auth connection with 1009', async (t) => {
    const router = await setup(t);
    const callee = await wampyClient(router.url('web', '/ws'), { realm: 'realm1', serializer: 'json', t });
    await callee.wampy.register('com.len', ({ argsList }) => ({ argsList: [String(argsList?.[0]).length] }));

    const onWs = await rawWs(router.url('web', '/ws'), 'msgpack', t);
    await rawHello(onWs, 'realm1');
    onWs.send([48, 1, {}, 'com.len', ['x'.repeat(BIG)]]);
    assert.deepEqual(await onWs.next(3000, undefined, 'RESULT on /ws'), [50, 1, {}, [BIG]]);

    const onAuth = await rawWs(router.url('web', '/auth'), 'cbor', t);
    await rawTicketHello(onAuth);
    onAuth.send([48, 1, {}, 'com.len', ['x'.repeat(3000)]]);
    assert.deepEqual(await onAuth.next(3000, undefined, 'RESULT on /auth'), [50, 1, {}, [3000]]);
    onAuth.send([48, 2, {}, 'com.len', ['x'.repeat(BIG)]]);
    const { code } = await withTimeout(onAuth.closed, 3000, 'close after oversized frame on /auth');
    assert.equal(code, 1009);

    // the /ws connection is unaffected
    onWs.send([48, 2, {}, 'com.len', ['y'.repeat(BIG)]]);
    assert.deepEqual(await onWs.next(3000, undefined, 'second RESULT on /ws'), [50, 2, {}, [BIG]]);
  });

  test('max_connections counts the connections of all paths together', async (t) => {
    const router = await setup(t, { max_connections: 2 });
    const web = router.tcpPort('web');
    const a = await wampyClient(router.url('web', '/ws'), { realm: 'realm1', serializer: 'json', t });
    await wampyClient(router.url('web', '/auth'), { realm: 'realm1', serializer: 'cbor', t, ...ticket });
    assert.equal((await upgrade(web, '/ws', 'wamp.2.json')).status, 503);
    assert.equal((await upgrade(web, '/auth', 'wamp.2.cbor')).status, 503);
    assert.equal((await upgrade(router.tcpPort('plain'), '/ws', 'wamp.2.json')).status, 101, 'other transports have their own limit');
    await closeWampy(a.wampy, a.closed);
    await waitFor(() => router.router.sessionCount === 1, 2000, 'one session left');
    await wampyClient(router.url('web', '/ws'), { realm: 'realm1', serializer: 'msgpack', t });
  });
});
