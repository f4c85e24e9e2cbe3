/**
 * Configured limits: max_sessions (router worker), max_connections (per transport). A client over a
 * limit is refused with a clear reason, nothing else is disturbed, and capacity freed is usable again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from 'node:http';
import { ALLOW_ALL } from '../helpers/configs.js';
import { rawSocket } from '../helpers/raw.js';
import { closeWampy, startTestRouter, waitFor, wampyClient, wampyConnectError } from '../helpers/router.js';

// The meta API needs a permission of its own: a catch-all never reaches the reserved `wamp.` namespace.
const realms = [{ name: 'realm1', roles: [{ name: 'anonymous', permissions: [{ uri: '', match: 'prefix', allow: ALLOW_ALL }, { uri: 'wamp.', match: 'prefix', allow: { call: true } }] }] }];

test('max_sessions: the session over the limit is aborted, the others keep working, a freed slot is reusable', async (t) => {
  const router = await startTestRouter({ options: { max_sessions: 2 }, realms, transports: [{ type: 'websocket', id: 'ws', endpoint: { type: 'tcp' } }] }, { t });
  const url = router.url('ws');
  const a = await wampyClient(url, { realm: 'realm1', serializer: 'msgpack', t });
  const b = await wampyClient(url, { realm: 'realm1', serializer: 'json', t });
  const refused = await wampyConnectError(url, { realm: 'realm1', serializer: 'json', t });
  assert.equal(refused.errorUri, 'wamp.error.not_authorized');
  assert.match(String(refused.details?.['message'] ?? refused.message), /maximum number of sessions/);
  await a.wampy.register('com.ping', () => ({ argsList: ['pong'] }));
  assert.deepEqual((await b.wampy.call('com.ping', [])).argsList, ['pong']);
  assert.equal(router.router.sessionCount, 2);
  await closeWampy(b.wampy, b.closed);
  await waitFor(() => router.router.sessionCount === 1, 2000, 'session count back to 1');
  const c = await wampyClient(url, { realm: 'realm1', serializer: 'cbor', t });
  assert.deepEqual((await c.wampy.call('com.ping', [])).argsList, ['pong']);
});

test('max_connections: WebSocket upgrades beyond the limit get HTTP 503, RawSocket gets handshake error 4', async (t) => {
  const options = { max_connections: 1 };
  const router = await startTestRouter(
    {
      realms,
      transports: [
        { type: 'websocket', id: 'ws', endpoint: { type: 'tcp' }, options },
        { type: 'rawsocket', id: 'rs', endpoint: { type: 'tcp' }, options },
      ],
    },
    { t },
  );
  const first = await wampyClient(router.url('ws'), { realm: 'realm1', serializer: 'json', t });
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: router.tcpPort('ws'),
      path: '/',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'wamp.2.json' },
    });
    req.on('response', (res) => resolve(res.statusCode ?? 0));
    req.on('upgrade', () => reject(new Error('second WebSocket was upgraded despite max_connections 1')));
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 503);
  assert.deepEqual((await first.wampy.call('wamp.session.count', [])).argsList, [1], 'the first connection is unaffected');

  const rs1 = await rawSocket({ port: router.tcpPort('rs') }, 'msgpack', t);
  assert.equal(rs1.handshakeReply[1]! & 0x0f, 2, 'first RawSocket accepted with msgpack');
  const rs2 = await rawSocket({ port: router.tcpPort('rs') }, 'msgpack', t);
  assert.deepEqual([...rs2.handshakeReply], [0x7f, 0x40, 0, 0], 'RawSocket error 4: maximum connection count reached');
  await rs2.closed;
});
