/**
 * The opening of a WebSocket connection is counted and timed from TCP accept. On a `web` transport
 * whose paths have different `open_handshake_timeout`s, the longest applies until the upgrade says
 * which path it is; from then on the path's own, still measured from accept. `max_connections` counts
 * connections that have not upgraded yet, for all paths together.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ALLOW_ALL } from '../../helpers/configs.js';
import { closedWithin, firstWsMessage, httpStatus, openProbe, receivedWhen, upgradeRequest } from '../../helpers/probe.js';
import { startTestRouter, type TestRouter } from '../../helpers/router.js';

const FAST_MS = 400;
const SLOW_MS = 1500;
/** Room for a loaded machine; never used as a performance figure. */
const SLACK_MS = 4000;
/** A timer never fires early, but the client sees the connection a little after the router accepted it. */
const EARLY_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function start(t: TestContext, maxConnections = 100): Promise<TestRouter> {
  return startTestRouter(
    {
      realms: [{ name: 'realm1', roles: [{ name: 'anonymous', permissions: [{ uri: '', match: 'prefix', allow: ALLOW_ALL }] }] }],
      transports: [
        {
          type: 'web',
          id: 'web',
          endpoint: { type: 'tcp' },
          options: { max_connections: maxConnections },
          paths: {
            fast: { type: 'websocket', serializers: ['json'], options: { open_handshake_timeout: FAST_MS / 1000 } },
            slow: { type: 'websocket', serializers: ['json'], options: { open_handshake_timeout: SLOW_MS / 1000 } },
          },
        },
      ],
    },
    { t },
  );
}

function assertHandshakeAbort(message: unknown[] | undefined): void {
  assert.ok(message);
  assert.equal(message[0], 3, 'ABORT');
  assert.equal(message[2], 'wamp.error.protocol_violation');
  assert.match(String((message[1] as { message?: unknown }).message), /opening handshake not completed in time/);
}

describe('WebSocket opening from TCP accept (web transport, paths with different timeouts)', () => {
  it('closes a socket that never upgrades after the longest path timeout, without a reply', async (t) => {
    const router = await start(t);
    const p = await openProbe(router.tcpPort('web'), t);
    await sleep(FAST_MS + 300);
    assert.equal(p.socket.destroyed, false, 'still open after the shorter timeout: the path is not known yet');
    const closedAt = await closedWithin(p, SLOW_MS + SLACK_MS, 'an idle socket');
    assert.ok(closedAt - p.connectedAt >= SLOW_MS - EARLY_MS, `closed ${closedAt - p.connectedAt} ms after accept`);
    assert.equal(p.received().length, 0);
  });

  it("refuses with 408 an upgrade that comes after its path's own deadline", async (t) => {
    const router = await start(t);
    const port = router.tcpPort('web');
    const p = await openProbe(port, t);
    await sleep(FAST_MS + 200);
    p.socket.write(upgradeRequest(port, '/fast'));
    await receivedWhen(p, (d) => httpStatus(d) !== undefined, SLACK_MS, 'the upgrade reply');
    assert.equal(httpStatus(p.received()), 408);
    assert.match(p.received().toString('latin1'), /opening handshake not completed in time/);
    await closedWithin(p, SLACK_MS, 'the refused socket');
  });

  it("aborts a late upgrade that sends no HELLO at its path's deadline from accept", async (t) => {
    const router = await start(t);
    const port = router.tcpPort('web');
    const p = await openProbe(port, t);
    await sleep(FAST_MS + 200);
    const upgradeSentAt = Date.now();
    p.socket.write(upgradeRequest(port, '/slow'));
    const abortAt = await receivedWhen(p, (d) => firstWsMessage(d) !== undefined, SLOW_MS + SLACK_MS, 'ABORT');
    assert.equal(httpStatus(p.received()), 101);
    assertHandshakeAbort(firstWsMessage(p.received()));
    assert.ok(abortAt - upgradeSentAt < SLOW_MS, `ABORT ${abortAt - upgradeSentAt} ms after the upgrade: counted from accept, not from the upgrade`);
    assert.ok(abortAt - p.connectedAt >= SLOW_MS - EARLY_MS, `ABORT ${abortAt - p.connectedAt} ms after accept`);
  });

  it("gives an upgraded socket its path's timeout, not the longest", async (t) => {
    const router = await start(t);
    const port = router.tcpPort('web');
    const p = await openProbe(port, t);
    p.socket.write(upgradeRequest(port, '/fast'));
    const abortAt = await receivedWhen(p, (d) => firstWsMessage(d) !== undefined, FAST_MS + SLACK_MS, 'ABORT');
    assertHandshakeAbort(firstWsMessage(p.received()));
    assert.ok(abortAt - p.connectedAt < SLOW_MS, `ABORT ${abortAt - p.connectedAt} ms after accept`);
    assert.ok(abortAt - p.connectedAt >= FAST_MS - EARLY_MS, `ABORT ${abortAt - p.connectedAt} ms after accept`);
  });

  it('counts sockets that have not upgraded against max_connections, for all paths together', async (t) => {
    const router = await start(t, 3);
    const port = router.tcpPort('web');
    const idle = await Promise.all([1, 2, 3].map(() => openProbe(port, t)));
    for (const path of ['/fast', '/slow']) {
      const p = await openProbe(port, t);
      p.socket.write(upgradeRequest(port, path));
      await receivedWhen(p, (d) => httpStatus(d) !== undefined, SLACK_MS, `the reply on ${path}`);
      assert.equal(httpStatus(p.received()), 503, path);
      assert.match(p.received().toString('latin1'), /connection limit reached/);
    }
    for (const p of idle) await closedWithin(p, SLOW_MS + SLACK_MS, 'an idle socket');
    const p = await openProbe(port, t);
    p.socket.write(upgradeRequest(port, '/slow'));
    await receivedWhen(p, (d) => httpStatus(d) !== undefined, SLACK_MS, 'the upgrade reply');
    assert.equal(httpStatus(p.received()), 101, 'the slots are free again');
  });
});
