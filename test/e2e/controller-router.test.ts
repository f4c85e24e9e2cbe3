import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wampy } from 'wampy';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import WebSocket from 'ws';
import { validateNodeConfig } from '../../config/index.js';

import { connectWhenUp, freePort, guestFromSources, placeIpfsGuest, waitExit } from './harness/market-edge.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** A wampy client (msgpack) in realm1 on the WebSocket transport listening on the Unix socket `path`. */
async function connectUnix(path: string): Promise<Wampy> {
  class UnixSocket extends WebSocket {
    constructor(_url: string, protocols?: string | string[]) {
      super(`ws+unix://${path}:/`, protocols);
    }
  }
  const w = new Wampy('ws://localhost/', { ws: UnixSocket as never, realm: 'realm1', autoReconnect: false, serializer: new MsgpackSerializer() });
  await w.connect();
  return w;
}




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
  const transports = router.transports as { id: string; endpoint: { type: string; port?: number; path?: string } }[];
  assert.deepEqual(transports.map((t) => t.id), ['ws', 'ws-local', 'rawsocket', 'ws-operator']);
  transports[0]!.endpoint.port = wsPort;
  transports[2]!.endpoint.port = rawPort;
  config.controller.options.http.endpoint.port = await freePort();
  assert.deepEqual(transports[3]!.endpoint, { type: 'unix', path: '.xbr-edge/operator.sock' }, 'the operator transport is a Unix socket in the node directory');
  // The dev chain guest runs from the project (its script and tsx live there), from its TypeScript source, on a free port,
  // writing its files into this test's node directory.
  guestFromSources(devchain);
  devchain.options.workdir = ROOT;
  devchain.options.ready.port = chainPort;
  const args: string[] = devchain.arguments;
  args[args.indexOf('--port') + 1] = String(chainPort);
  args[args.indexOf('--out') + 1] = join(cbdir, 'devchain.json');
  args[args.indexOf('--maker-key') + 1] = join(cbdir, 'maker1.key');
  args[args.indexOf('--state') + 1] = join(cbdir, 'devchain-state');
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
  // Who is online is private (docs/protocol.md#trust-model): the shipped roles keep anonymous clients out of the meta API,
  // neither listing sessions nor killing them ...
  for (const [uri, a] of [['wamp.session.count', []], ['wamp.session.list', []], ['wamp.session.get', [callee.getSessionId()]], ['wamp.session.kill', [callee.getSessionId()]]] as const) {
    await assert.rejects(caller.call(uri, [...a]), (err: { errorUri?: string }) => err.errorUri === 'wamp.error.not_authorized', `${uri} is refused to an anonymous client`);
  }
  // ... which is the operators' (role `operator` on the Unix socket transport `ws-operator`).
  const operator = await connectUnix(join(cbdir, '.xbr-edge/operator.sock'));
  // callee, caller, the operator, and the market maker's session if it has joined yet
  assert.ok([3, 4].includes((await operator.call('wamp.session.count', [])).argsList?.[0] as number));
  const calleeInfo = (await operator.call('wamp.session.get', [callee.getSessionId()])).argsList?.[0] as { authrole: string; authid: string };
  assert.equal(calleeInfo.authrole, 'anonymous');
  assert.match(calleeInfo.authid, /^anonymous-/, 'the router assigned the anonymous client its authid');
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
