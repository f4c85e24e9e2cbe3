/**
 * End to end: the controller on the shipped router-config.json (free ports, temp node directory)
 * starts the dev chain, the router and the xbrmm worker; a plain wampy client in realm1 sees the
 * market maker's truthful status and config, and its on_status events; SIGTERM stops all with exit 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type { Wampy } from 'wampy';

import { connectWhenUp, freePort, guestFromSources, placeIpfsGuest, waitExit } from './harness/market-edge.js';

const ROOT = new URL('../../', import.meta.url).pathname;




/** Calls `uri` until the maker has registered it (the controller reports ready before our client connects, but be robust). */
async function callWhenRegistered(w: Wampy, uri: string, deadline: number): Promise<Record<string, unknown>> {
  for (;;) {
    try {
      const r = await w.call(uri, []);
      return r.argsList?.[0] as Record<string, unknown>;
    } catch (err) {
      const e = err as { errorUri?: string; argsList?: unknown[] };
      if (e.errorUri !== 'wamp.error.no_such_procedure' || Date.now() > deadline) throw new Error(`${uri}: ${e.errorUri} ${JSON.stringify(e.argsList)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

test('xbrmm worker on the shipped config: status, get_status, get_config are truthful; on_status; SIGTERM stops cleanly', async (t) => {
  const cbdir = mkdtempSync(join(tmpdir(), 'xbr-e2e-mm-'));
  t.after(() => rmSync(cbdir, { recursive: true, force: true }));
  const config = JSON.parse(readFileSync(join(ROOT, 'router-config.json'), 'utf8'));
  const [wsPort, rawPort, chainPort] = [await freePort(), await freePort(), await freePort()];
  const [devchain, , router, xbrmm] = config.workers;
  await placeIpfsGuest(config, cbdir);
  assert.equal(xbrmm.type, 'xbrmm');
  router.transports[0].endpoint.port = wsPort;
  router.transports[2].endpoint.port = rawPort;
  guestFromSources(devchain);
  devchain.options.workdir = ROOT;
  devchain.options.ready.port = chainPort;
  const args: string[] = devchain.arguments;
  args[args.indexOf('--port') + 1] = String(chainPort);
  args[args.indexOf('--out') + 1] = join(cbdir, '.xbr-edge/devchain.json');
  args[args.indexOf('--maker-key') + 1] = join(cbdir, '.xbr-edge/maker1.key');
  args[args.indexOf('--state') + 1] = join(cbdir, '.xbr-edge/devchain-state');
  xbrmm.options.extra.blockchain.gateway.http = `http://127.0.0.1:${chainPort}`;
  config.controller.options.http.endpoint.port = await freePort();
  writeFileSync(join(cbdir, 'router-config.json'), JSON.stringify(config));

  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'router/controller/cli.ts'), '--cbdir', cbdir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const client = await connectWhenUp(`ws://127.0.0.1:${wsPort}/`, Date.now() + 60_000);
  const statusEvents: unknown[][] = [];
  await client.subscribe('xbr.marketmaker.on_status', ({ argsList }) => void statusEvents.push(argsList ?? []));

  const deadline = Date.now() + 60_000;
  // Procedures register one by one; the maker is RUNNING (truthfully) once all of them are.
  let status = await callWhenRegistered(client, 'xbr.marketmaker.status', deadline);
  while (status['status'] !== 'RUNNING' && Date.now() < deadline) {
    assert.equal(status['status'], 'NONE', 'only NONE may precede RUNNING at start');
    await new Promise((r) => setTimeout(r, 100));
    status = await callWhenRegistered(client, 'xbr.marketmaker.status', deadline);
  }
  const deployed = JSON.parse(readFileSync(join(cbdir, '.xbr-edge/devchain.json'), 'utf8'));
  const makerAddress = new Wallet('0x' + readFileSync(join(cbdir, '.xbr-edge/maker1.key')).toString('hex')).address;
  assert.equal(status['status'], 'RUNNING', JSON.stringify(status));
  assert.equal(typeof status['current_block_no'], 'number');
  assert.ok((status['current_block_no'] as number) >= deployed.demo.block, 'block number is the chain head');
  assert.deepEqual(Object.keys(status['accounts'] as object), [makerAddress]);

  const st = await callWhenRegistered(client, 'xbr.marketmaker.get_status', deadline);
  assert.equal(st['status'], 1);
  assert.equal(st['chain'], 31337);
  const block = st['block'] as { number: number; hash: Uint8Array; gas_limit: unknown };
  assert.equal(block.hash.length, 32);
  assert.ok(typeof st['now'] === 'bigint' && (st['now'] as bigint) > 1_600_000_000_000_000_000n, `now in ns: ${String(st['now'])}`);

  const cfg = await callWhenRegistered(client, 'xbr.marketmaker.get_config', deadline);
  assert.equal(cfg['chain'], 31337);
  assert.equal(cfg['verifying_chain_id'], 31337);
  assert.equal(cfg['verifying_contract_adr'], deployed.contracts.network);
  assert.deepEqual(cfg['contracts'], {
    xbrtoken: deployed.contracts.token,
    xbrnetwork: deployed.contracts.network,
    xbrcatalog: deployed.contracts.catalog,
    xbrmarket: deployed.contracts.market,
    xbrchannel: deployed.contracts.channel,
  });
  assert.equal('0x' + (cfg['market'] as string).replaceAll('-', ''), deployed.demo.marketId.toLowerCase());
  assert.equal(cfg['marketmaker'], makerAddress);

  const gas = await callWhenRegistered(client, 'xbr.marketmaker.get_gas_price', deadline);
  assert.ok(typeof gas === 'number' || typeof gas === 'bigint');
  // A bad argument is the caller's error, named, not a runtime error.
  await assert.rejects(client.call('xbr.marketmaker.get_transaction_receipt', [Buffer.alloc(3)]), (err: { errorUri?: string }) => err.errorUri === 'wamp.error.invalid_argument');
  // Anonymous clients may call the maker but not take over its procedures.
  await assert.rejects(client.register('xbr.marketmaker.get_offer', () => ({})), (err: { errorUri?: string }) => err.errorUri === 'wamp.error.not_authorized');

  child.kill('SIGTERM');
  const exit = await waitExit(child, 45_000);
  assert.equal(exit.code, 0, `controller exit code (output:\n${output.slice(-4000)})`);
  // The maker published SHUTDOWN_IN_PROGRESS then STOPPED, for its market, before leaving.
  const marketBytes = Buffer.from(deployed.demo.marketId.slice(2), 'hex');
  const seen = statusEvents.map(([m, s]) => [Buffer.from(m as Uint8Array).equals(marketBytes), s]);
  assert.deepEqual(seen.slice(-2), [[true, 2], [true, 3]], JSON.stringify(statusEvents));
  assert.match(output, /market maker running/);
  assert.match(output, /market maker stopped/);
});
