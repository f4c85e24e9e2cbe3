/**
 * Bounded before trusted (docs/protocol.md#trust-model), attacked through the real controller and router worker: the router
 * worker of the shipped `router-config.json` (its realm and roles as they are) with small transport limits.
 *
 * - Pre-handshake TCP connections count against `max_connections` and are timed by
 *   `open_handshake_timeout` from TCP accept: before the WebSocket upgrade, and across the upgrade or
 *   the RawSocket handshake up to WELCOME.
 * - A JSON message nested deeper than the decoders allow ends only the session that sent it.
 * - A HELLO with an oversized authid is refused.
 * - A connection refused at the limit that then resets does not take the router worker down.
 *
 * Timeouts here are 1 s; assertions leave seconds of slack for a loaded machine and compare times only
 * to tell "counted from accept" from "counted from the upgrade", never as performance figures.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Wampy } from 'wampy';
import { connectWhenUp, freePort, waitExit } from '../e2e/harness/market-edge.js';
import { closedWithin, firstRawSocketMessage, firstWsMessage, openProbe, receivedWhen, upgradeRequest, within, type Probe } from '../helpers/probe.js';
import { rawHello, rawSocket, rawWs } from '../helpers/raw.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAX_CONNECTIONS = 20;
const HANDSHAKE_TIMEOUT_MS = 1000;
/** How long an attack may take to be dealt with on a loaded machine. */
const SLACK_MS = 5000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Node {
  child: ChildProcess;
  output(): string;
  wsPort: number;
  rawPort: number;
}

/** The controller with only the shipped router worker, its WebSocket and RawSocket transports on free ports with small limits. */
async function startNode(): Promise<Node> {
  const cbdir = mkdtempSync(join(tmpdir(), 'xbr-transport-bounds-'));
  const shipped = JSON.parse(readFileSync(join(ROOT, 'router-config.json'), 'utf8')) as { workers: Record<string, unknown>[] } & Record<string, unknown>;
  const router = structuredClone(shipped.workers.find((w) => w['type'] === 'router'));
  assert.ok(router, 'router-config.json has a router worker');
  const [wsPort, rawPort] = [await freePort(), await freePort()];
  const options = { max_connections: MAX_CONNECTIONS, open_handshake_timeout: HANDSHAKE_TIMEOUT_MS / 1000 };
  const transports = router['transports'] as { id: string; type: string; endpoint: { type: string; port?: number }; options?: Record<string, unknown> }[];
  const ws = transports.find((t) => t.type === 'websocket' && t.endpoint.type === 'tcp');
  const raw = transports.find((t) => t.type === 'rawsocket' && t.endpoint.type === 'tcp');
  assert.ok(ws && raw, 'the shipped router has a WebSocket and a RawSocket transport on TCP');
  Object.assign(ws, { endpoint: { ...ws.endpoint, port: wsPort }, options: { ...ws.options, ...options } });
  Object.assign(raw, { endpoint: { ...raw.endpoint, port: rawPort }, options: { ...raw.options, ...options } });
  const { workers: _, ...rest } = shipped;
  writeFileSync(join(cbdir, 'router-config.json'), JSON.stringify({ ...rest, workers: [router] }, null, 2));

  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'router/controller/cli.ts'), '--cbdir', cbdir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  child.once('exit', () => rmSync(cbdir, { recursive: true, force: true }));
  return { child, output: () => output, wsPort, rawPort };
}

async function stopNode(node: Node): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  node.child.kill('SIGTERM');
  try {
    await waitExit(node.child, 20_000);
  } catch {
    node.child.kill('SIGKILL');
    await waitExit(node.child, 5_000);
  }
}

function assertAbort(message: unknown[] | undefined, reason: string, pattern: RegExp): void {
  assert.ok(message, 'a WAMP message');
  assert.equal(message[0], 3, `ABORT, got ${JSON.stringify(message).slice(0, 200)}`);
  assert.equal(message[2], reason);
  assert.match(String((message[1] as { message?: unknown }).message), pattern);
}

describe('transport bounds, through the controller and the router worker', { timeout: 120_000 }, () => {
  let node: Node;
  const clients: Wampy[] = [];

  before(async () => {
    node = await startNode();
    // Up once a WAMP session works; that client leaves before the connection-limit attack.
    const first = await connectWhenUp(`ws://127.0.0.1:${node.wsPort}/`, Date.now() + 30_000);
    await first.disconnect();
    await sleep(200);
  });

  after(async () => {
    for (const c of clients) await c.disconnect().catch(() => {});
    if (node) await stopNode(node);
  });

  it('(a) idle TCP connections count against max_connections and are closed after open_handshake_timeout', async (t) => {
    const url = `ws://127.0.0.1:${node.wsPort}/`;
    const holders = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => openProbe(node.wsPort, t)));
    const excess = await Promise.all(Array.from({ length: 5 }, () => openProbe(node.wsPort, t)));
    // While idle sockets hold every slot, a real client is refused too.
    await assert.rejects(rawWs(url, 'json', t), /HTTP 503/, 'a WebSocket client is refused while the limit is held');

    // The excess is refused at once (HTTP 503 without waiting for a request) and closed.
    for (const p of excess) {
      await receivedWhen(p, (d) => d.includes('connection limit reached'), SLACK_MS, 'the 503 reply');
      assert.match(p.received().toString('latin1'), /^HTTP\/1\.1 503 /);
      await closedWithin(p, SLACK_MS, 'a refused connection');
    }
    // The sockets holding the limit are closed by the router, from TCP accept, without any reply.
    for (const p of holders) {
      const closedAt = await closedWithin(p, HANDSHAKE_TIMEOUT_MS + SLACK_MS, 'an idle connection');
      assert.equal(p.received().length, 0, 'an admitted idle socket gets no reply');
      assert.ok(closedAt - p.connectedAt >= HANDSHAKE_TIMEOUT_MS - 100, 'not before open_handshake_timeout');
    }
    // The slots are free again.
    const deadline = Date.now() + SLACK_MS;
    for (;;) {
      try {
        const c = await rawWs(url, 'json', t);
        await rawHello(c, 'realm1');
        c.close();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  });

  it('(b) a WebSocket that upgrades late and never sends HELLO is aborted within open_handshake_timeout of TCP accept', async (t) => {
    const p = await openProbe(node.wsPort, t);
    await sleep(HANDSHAKE_TIMEOUT_MS * 0.6);
    const upgradeSentAt = Date.now();
    p.socket.write(upgradeRequest(node.wsPort, '/'));
    await receivedWhen(p, (d) => d.includes('\r\n\r\n'), SLACK_MS, 'the upgrade reply');
    assert.match(p.received().toString('latin1'), /^HTTP\/1\.1 101 /, 'upgraded');
    const abortAt = await receivedWhen(p, (d) => firstWsMessage(d) !== undefined, SLACK_MS, 'ABORT');
    assertAbort(firstWsMessage(p.received()), 'wamp.error.protocol_violation', /opening handshake not completed in time/);
    // Counted from the upgrade, the ABORT could not come before upgradeSentAt + timeout.
    assert.ok(abortAt - upgradeSentAt < HANDSHAKE_TIMEOUT_MS, `ABORT ${abortAt - upgradeSentAt} ms after the upgrade: the timeout runs from TCP accept`);
    assert.ok(abortAt - p.connectedAt >= HANDSHAKE_TIMEOUT_MS - 100, 'not before open_handshake_timeout');
    await closedWithin(p, SLACK_MS, 'the aborted WebSocket');
  });

  it('(c) a RawSocket that sends its handshake late and never HELLO is aborted within open_handshake_timeout of TCP accept', async (t) => {
    const p = await openProbe(node.rawPort, t);
    await sleep(HANDSHAKE_TIMEOUT_MS * 0.6);
    const handshakeSentAt = Date.now();
    p.socket.write(Buffer.from([0x7f, 0xf1, 0, 0])); // JSON, up to 16 MB
    await receivedWhen(p, (d) => d.length >= 4, SLACK_MS, 'the RawSocket handshake reply');
    assert.equal(p.received()[0], 0x7f);
    assert.equal(p.received()[1]! & 0x0f, 1, 'JSON accepted');
    const abortAt = await receivedWhen(p, (d) => firstRawSocketMessage(d) !== undefined, SLACK_MS, 'ABORT');
    assertAbort(firstRawSocketMessage(p.received()), 'wamp.error.protocol_violation', /opening handshake not completed in time/);
    assert.ok(abortAt - handshakeSentAt < HANDSHAKE_TIMEOUT_MS, `ABORT ${abortAt - handshakeSentAt} ms after the handshake: the timeout runs from TCP accept`);
    assert.ok(abortAt - p.connectedAt >= HANDSHAKE_TIMEOUT_MS - 100, 'not before open_handshake_timeout');
    await closedWithin(p, SLACK_MS, 'the aborted RawSocket');
  });

  it('(d) a JSON message nested deeper than the limit ends only the session that sent it', async (t) => {
    const url = `ws://127.0.0.1:${node.wsPort}/`;
    const callee = await connectWhenUp(url, Date.now() + SLACK_MS);
    clients.push(callee);
    await within(callee.register('com.example.bounds.echo', ({ argsList }) => ({ argsList: argsList ?? [] })), SLACK_MS, 'register');
    const attacker = await rawWs(url, 'json', t);
    await rawHello(attacker, 'realm1');
    // The message is level 1, its args list level 2: 1001 levels in all.
    const args = '['.repeat(1000) + ']'.repeat(1000);
    attacker.sendRaw(`[48,1,{},"com.example.bounds.echo",${args}]`, false);
    const abort = await attacker.next(SLACK_MS, undefined, 'ABORT');
    assertAbort(abort, 'wamp.error.protocol_violation', /nested deeper than 1000 levels/);
    await within(attacker.closed, SLACK_MS, 'the attacker to be disconnected');

    const caller = await connectWhenUp(url, Date.now() + SLACK_MS);
    clients.push(caller);
    assert.deepEqual((await within(caller.call('com.example.bounds.echo', [1, [2, [3]]]), SLACK_MS, 'call')).argsList, [1, [2, [3]]], 'other sessions keep working');
    await Promise.all([caller.disconnect(), callee.disconnect()]);
  });

  it('(e) a HELLO with a 200 kB authid is refused, over WebSocket and RawSocket', async (t) => {
    const authid = 'a'.repeat(200_000);
    const ws = await rawWs(`ws://127.0.0.1:${node.wsPort}/`, 'json', t);
    ws.send([1, 'realm1', { roles: { caller: {} }, authmethods: ['anonymous'], authid }]);
    assertAbort(await ws.next(SLACK_MS, undefined, 'ABORT'), 'wamp.error.protocol_violation', /authid must be at most 255 characters/);
    const rs = await rawSocket({ port: node.rawPort }, 'json', t);
    rs.send([1, 'realm1', { roles: { caller: {} }, authmethods: ['anonymous'], authid }]);
    assertAbort(await rs.next(SLACK_MS, undefined, 'ABORT'), 'wamp.error.protocol_violation', /authid must be at most 255 characters/);
  });

  it('(f) a refused connection that resets does not take the router down', async (t) => {
    const url = `ws://127.0.0.1:${node.wsPort}/`;
    const session = await connectWhenUp(url, Date.now() + SLACK_MS);
    clients.push(session);
    await within(session.register('com.example.bounds.ping', () => ({ argsList: ['pong'] })), SLACK_MS, 'register');
    const rs = await rawSocket({ port: node.rawPort }, 'json', t);
    await rawHello(rs, 'realm1');
    const holders: Probe[] = [];
    for (const port of [node.wsPort, node.rawPort]) {
      // Every slot but the session's is held; one connection more is refused, and resets while the
      // router still has it open (a half-open client keeps it open after the router's 503 and FIN).
      holders.push(...(await Promise.all(Array.from({ length: MAX_CONNECTIONS - 1 }, () => openProbe(port, t)))));
      const refused = await openProbe(port, t, true);
      await sleep(100);
      refused.socket.resetAndDestroy();
    }
    await sleep(300);
    assert.deepEqual((await within(session.call('com.example.bounds.ping', []), SLACK_MS, 'call')).argsList, ['pong'], 'the WebSocket session is alive');
    rs.send([48, 1, {}, 'com.example.bounds.ping', []]);
    assert.deepEqual(await rs.next(SLACK_MS, undefined, 'RESULT'), [50, 1, {}, ['pong']], 'the RawSocket session is alive');
    for (const p of holders) await closedWithin(p, HANDSHAKE_TIMEOUT_MS + SLACK_MS, 'an idle connection');
  });
});
