import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateNodeConfig } from '../../router/config/index.js';

import { connectWhenUp, freePort, placeIpfsGuest, waitExit } from './harness/market-edge.js';

const ROOT = new URL('../../', import.meta.url).pathname;




test('the shipped router-config.json is valid', () => {
  const raw = JSON.parse(readFileSync(join(ROOT, 'router-config.json'), 'utf8'));
  const result = validateNodeConfig(raw, { cbdir: ROOT });
  assert.ok('config' in result, 'errors: ' + JSON.stringify('errors' in result ? result.errors : []));
  assert.deepEqual(
    result.config.workers.map((w) => w.type),
    ['guest', 'guest', 'router', 'xbrmm'],
    'the dev chain and the IPFS node first, then the router, then the market makers',
  );
});

test('npm start path: the controller starts the dev chain and the router, clients talk through it, SIGTERM stops all with exit 0', async (t) => {
  const cbdir = mkdtempSync(join(tmpdir(), 'xbr-e2e-'));
  t.after(() => rmSync(cbdir, { recursive: true, force: true }));
  const config = JSON.parse(readFileSync(join(ROOT, 'router-config.json'), 'utf8'));
  const wsPort = await freePort();
  const rawPort = await freePort();
  const chainPort = await freePort();
  const [devchain, , router, xbrmm] = config.workers;
  await placeIpfsGuest(config, cbdir);
  xbrmm.options.extra.blockchain.gateway.http = `http://127.0.0.1:${chainPort}`;
  xbrmm.options.extra.blockchain.deployment = join(cbdir, 'devchain.json');
  xbrmm.makers[0].key = join(cbdir, 'maker1.key');
  router.transports[0].endpoint.port = wsPort;
  router.transports[2].endpoint.port = rawPort;
  // The dev chain guest runs from the project (its script and tsx live there) but on a free port,
  // writing its files into this test's node directory.
  devchain.options.workdir = ROOT;
  devchain.options.ready.port = chainPort;
  const args: string[] = devchain.arguments;
  args[args.indexOf('--port') + 1] = String(chainPort);
  args[args.indexOf('--out') + 1] = join(cbdir, 'devchain.json');
  args[args.indexOf('--maker-key') + 1] = join(cbdir, 'maker1.key');
  writeFileSync(join(cbdir, 'router-config.json'), JSON.stringify(config));

  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'router/controller/cli.ts'), '--cbdir', cbdir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const url = `ws://127.0.0.1:${wsPort}/`;
  const callee = await connectWhenUp(url, Date.now() + 30_000);
  const caller = await connectWhenUp(url, Date.now() + 5_000);
  await callee.register('com.example.add', ({ argsList }) => ({ argsList: [(argsList as number[])[0]! + (argsList as number[])[1]!] }));
  const result = await caller.call('com.example.add', [2, 3]);
  assert.deepEqual(result.argsList, [5]);
  // The shipped roles let anonymous clients use the meta API but not kill other sessions
  // (the market maker's session may or may not have joined yet).
  assert.ok([2, 3].includes((await caller.call('wamp.session.count', [])).argsList?.[0] as number));
  await assert.rejects(caller.call('wamp.session.kill', [callee.getSessionId()]), (err: { errorUri?: string }) => err.errorUri === 'wamp.error.not_authorized');
  const left = new Promise<void>((resolve) => {
    callee.setOptions({ onClose: () => resolve() });
  });

  const started = Date.now();
  child.kill('SIGTERM');
  const exit = await waitExit(child, 45_000);
  assert.equal(exit.code, 0, `controller exit code (output:\n${output})`);
  assert.ok(Date.now() - started < 45_000);
  await left; // the router closed the client's session on shutdown
  assert.match(output, /router1/);
  // The dev chain had deployed the contracts and written their addresses before the router started.
  const deployed = JSON.parse(readFileSync(join(cbdir, 'devchain.json'), 'utf8'));
  assert.equal(deployed.chainId, 31337);
  assert.match(deployed.contracts.market, /^0x[0-9a-fA-F]{40}$/);
});
