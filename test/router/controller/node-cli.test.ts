/**
 * `xbr-edge start|stop|status|check|version` through the real `xbr-edge` executable: the node found by its
 * directory and its lock, with a stand-in process as the running controller (the e2e suites start real ones).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeConfig } from '../../../config/types.js';
import { freshChainConfig, takeFreshFlag } from '../../../router/controller/fresh-chain.js';
import { acquireNodeLock } from '../../../router/controller/node-lock.js';
import { runXbrEdge } from '../../helpers/xbr-edge-cli.js';

const BIN = new URL('../../../plugins/cli/bin.mjs', import.meta.url).pathname;
const xbrEdge = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

function nodeDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'xbr-node-cli-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('version and check: check validates the config and the install and starts nothing', (t) => {
  const v = xbrEdge('version');
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^xbr-edge \d+\.\d+\.\d+ \(Node\.js v\d+/);

  const cbdir = nodeDir(t);
  const router = { type: 'router', id: 'router1', realms: [{ name: 'realm1', roles: [{ name: 'anonymous', permissions: [] }] }], transports: [{ type: 'websocket', id: 'ws', endpoint: { type: 'tcp', port: 0 } }] };
  writeFileSync(join(cbdir, 'router-config.json'), JSON.stringify({ version: 2, workers: [router] }));
  const ok = xbrEdge('check', '--cbdir', cbdir);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /1 workers \(router1\); ready to start/);
  writeFileSync(join(cbdir, 'bad.json'), JSON.stringify({ version: 2, workers: [{ ...router, transports: [{ type: 'websocket', id: 'ws', endpoint: { type: 'tcp', port: 'x' } }] }] }));
  const bad = xbrEdge('check', '--cbdir', cbdir, '--config', 'bad.json');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /config error at \$\.workers\[0\]\.transports\[0\]\.endpoint\.port/);
});

test('status and stop find the node by its directory; stop waits until its controller is gone', async (t) => {
  const cbdir = nodeDir(t);
  const none = xbrEdge('status', '--cbdir', cbdir);
  assert.equal(none.status, 3);
  assert.match(none.stdout, /no node running in/);
  assert.equal(xbrEdge('stop', '--cbdir', cbdir).status, 3);

  // A stand-in controller: a process that holds the node lock and exits on SIGTERM.
  const controller = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
  t.after(() => controller.kill('SIGKILL'));
  await new Promise((r) => controller.once('spawn', r));
  acquireNodeLock(cbdir, controller.pid!);
  const running = xbrEdge('status', '--cbdir', cbdir);
  assert.equal(running.status, 0, running.stderr);
  assert.match(running.stdout, new RegExp(`running in .*: controller pid ${controller.pid}, since `));
  const exited = new Promise<number | null>((r) => controller.once('exit', (code) => r(code)));
  const stopped = await runXbrEdge('stop', '--cbdir', cbdir);
  assert.equal(stopped.status, 0, stopped.stderr);
  assert.match(stopped.stdout, new RegExp(`stopped the node in .* \\(controller pid ${controller.pid}\\)`));
  assert.equal(await exited, 0);
  assert.equal(xbrEdge('status', '--cbdir', cbdir).status, 3, 'a lock whose process is gone is no running node');
});

test('start --fresh on a node without a dev chain state is refused before anything starts', (t) => {
  const cbdir = nodeDir(t);
  const router = { type: 'router', id: 'router1', realms: [{ name: 'realm1', roles: [{ name: 'anonymous', permissions: [] }] }], transports: [{ type: 'websocket', id: 'ws', endpoint: { type: 'tcp', port: 0 } }] };
  writeFileSync(join(cbdir, 'router-config.json'), JSON.stringify({ version: 2, workers: [router] }));
  const r = xbrEdge('start', '--fresh', '--cbdir', cbdir);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /--fresh: no guest worker of .*router-config\.json keeps a chain state \(an argument --state DIR\)/);
  assert.equal(existsSync(join(cbdir, '.xbr-edge', 'node.pid')), false, 'no node was started (no lock taken)');
});

test('freshChainConfig adds --fresh to the guests that keep a chain state, once, and leaves the config it was given alone', () => {
  const guest = (id: string, args: string[]) => ({ type: 'guest', id, executable: 'node', arguments: args }) as unknown as NodeConfig['workers'][number];
  const config = { workers: [guest('devchain', ['main.js', '--state', 's']), guest('ipfs', ['ipfs.js']), guest('again', ['x', '--state', 't', '--fresh'])] } as unknown as NodeConfig;
  const { config: fresh, guests } = freshChainConfig(config);
  assert.deepEqual(guests, ['devchain']);
  assert.deepEqual(fresh.workers.map((w) => (w as { arguments: string[] }).arguments), [['main.js', '--state', 's', '--fresh'], ['ipfs.js'], ['x', '--state', 't', '--fresh']]);
  assert.deepEqual((config.workers[0] as { arguments: string[] }).arguments, ['main.js', '--state', 's']);
  assert.deepEqual(takeFreshFlag(['--cbdir', 'd', '--fresh']), { fresh: true, rest: ['--cbdir', 'd'] });
  assert.deepEqual(takeFreshFlag(['--cbdir', 'd']), { fresh: false, rest: ['--cbdir', 'd'] });
});
