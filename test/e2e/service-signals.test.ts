/**
 * The edge as a service (Step 2): how it stops and what it refuses, through the real controller and workers on
 * the shipped config.
 * - `npm start`, then SIGTERM to npm (which does not pass it on): the controller notices and stops the node.
 * - SIGTERM to the whole process group (systemd's control-group kill, `kill -TERM -<pgid>`) while buyers buy:
 *   every worker stops in reverse start order, on its own, exit 0, nothing SIGKILLed.
 * - A second controller on a node directory in use is refused and changes nothing; a SIGKILLed controller's
 *   workers follow it; its stale lock is taken over by the next start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { logLines, startMarketEdge, waitExit, type MarketEdge } from './harness/market-edge.js';
import { addr, connectMember, e2eConfig, openChannelOnChain, TestBuyer, TestSeller, world, XBR } from './market/offers-purchase-helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const WORKERS = ['devchain', 'ipfs', 'router1', 'xbrmm1'];

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The controller's pid, as it logged it at start. */
function controllerPid(edge: MarketEdge): number {
  const line = logLines(edge).find((l) => l['component'] === 'controller' && l.msg === 'controller started');
  assert.ok(line !== undefined && typeof line['pid'] === 'number', 'the controller logged its pid');
  return line['pid'] as number;
}

/** The latest pid of each worker, as the controller logged it when starting it. */
function workerPids(edge: MarketEdge): Map<string, number> {
  const pids = new Map<string, number>();
  for (const l of logLines(edge)) {
    if (l['component'] === 'controller' && l.msg === 'worker starting' && typeof l['pid'] === 'number') pids.set(String(l['worker']), l['pid']);
  }
  assert.deepEqual([...pids.keys()].sort(), [...WORKERS].sort());
  return pids;
}

async function waitGone(pids: number[], ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(alive)) {
    if (Date.now() > deadline) assert.fail(`${what}: still running after ${ms} ms: ${pids.filter(alive).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Order in which the workers exited during the shutdown, from the controller's log. */
function exitOrder(edge: MarketEdge): string[] {
  return logLines(edge).filter((l) => l['component'] === 'controller' && l.msg === 'worker exited').map((l) => String(l['worker']));
}

test('SIGTERM to npm (npm start): the controller notices npm is gone and stops the whole node, exit 0', { timeout: 180_000 }, async () => {
  const edge = await startMarketEdge({ launch: 'npm' });
  try {
    const controller = controllerPid(edge);
    const workers = [...workerPids(edge).values()];
    process.kill(edge.spawned.pid!, 'SIGTERM');
    await waitGone([controller, ...workers], 30_000, 'the controller and its workers');
    const out = edge.output();
    assert.match(out, /"msg":"node shutting down","reason":"the process that started the controller exited"/);
    assert.match(out, /"msg":"node stopped","exit_code":0/);
    assert.doesNotMatch(out, /killing/, 'nothing was killed');
    assert.deepEqual(exitOrder(edge), ['xbrmm1', 'router1', 'ipfs', 'devchain']);
  } finally {
    await edge.stop();
  }
});

test('SIGTERM to the whole process group while buyers buy: reverse order, each worker on its own, exit 0, nothing killed', { timeout: 240_000 }, async () => {
  const edge = await startMarketEdge({ detached: true, configure: e2eConfig });
  let buying = true;
  let bought = 0;
  try {
    const probe = await edge.connect({ serializer: 'cbor' });
    const w = await world(edge, probe);
    const seller = await TestSeller.start(w, 2, edge.account(5));
    await openChannelOnChain(w, 2, 500n * XBR, addr(edge.account(5)));
    const paymentId = await openChannelOnChain(w, 1, 100n * XBR, addr(edge.account(6)));
    const buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, 100n * XBR);
    const offers = [];
    for (let i = 0; i < 50; i++) offers.push(await seller.offer({ price: XBR / 100n }));
    // The first purchase waits for the monitor to replicate the channel; then buy until the node goes away.
    for (;;) {
      try {
        await buyer.buy(offers[0]!.keyId, XBR / 100n);
        bought++;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const loop = (async () => {
      for (let i = 1; buying && i < offers.length; i++) {
        await buyer.buy(offers[i]!.keyId, XBR / 100n).then(() => void bought++, () => (buying = false));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const workers = [...workerPids(edge).values()];
    const started = Date.now();
    process.kill(-edge.spawned.pid!, 'SIGTERM');
    const exit = await waitExit(edge.spawned, 45_000);
    buying = false;
    await loop;
    assert.equal(exit.code, 0, edge.output().slice(-3000));
    assert.ok(Date.now() - started < 30_000, 'within shutdown_timeout');
    await waitGone(workers, 5000, 'the workers');
    assert.ok(bought >= 2, `purchases went on until the signal (${bought})`);
    const out = edge.output();
    assert.doesNotMatch(out, /killing|did not stop/, 'nothing was killed');
    assert.deepEqual(exitOrder(edge), ['xbrmm1', 'router1', 'ipfs', 'devchain'], 'the maker stopped while the router and the chain were still up');
    assert.match(out, /SIGTERM received; waiting for the controller to stop this worker in its turn/);
  } finally {
    buying = false;
    await edge.stop();
  }
});

test('a second start on a node directory in use is refused; a SIGKILLed controller\'s workers follow it; the next start takes the stale lock', { timeout: 300_000 }, async () => {
  const edge = await startMarketEdge({ keepCbdir: true });
  const cbdir = edge.cbdir;
  try {
    const controller = controllerPid(edge);
    const second = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'router/controller/cli.ts'), '--cbdir', cbdir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(second.status, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`in use by the controller with pid ${controller}`));
    assert.ok(existsSync(join(cbdir, '.xbr-edge/devchain.json')), 'the running node\'s files are untouched');
    const probe = await edge.connect();
    assert.equal(((await probe.call('xbr.marketmaker.status')).argsList?.[0] as { status: string } | undefined)?.status, 'RUNNING');
    const status = spawnSync(process.execPath, [join(ROOT, 'plugins/cli/bin.mjs'), 'status', '--cbdir', cbdir], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`controller pid ${controller},`), '`xbr-edge status` finds the node by its directory');

    const workers = [...workerPids(edge).values()];
    process.kill(controller, 'SIGKILL');
    // Node workers see their IPC channel close, guests see their parent change: none outlives it by much.
    await waitGone(workers, 20_000, 'the workers of a killed controller');
    assert.equal(JSON.parse(readFileSync(join(cbdir, '.xbr-edge/node.pid'), 'utf8')).pid, controller, 'the dead controller\'s lock is left behind');
    await edge.stop();

    const again = await startMarketEdge({ cbdir });
    try {
      assert.match(again.output(), new RegExp(`"msg":"took over a stale node lock"[^\\n]*"stale_pid":${controller}`));
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(cbdir, { recursive: true, force: true });
  }
});
