/**
 * End to end: the shipped router-config.json with its xbrmm worker removed and the same maker enabled
 * right in realm1's config (`realms[].marketmaker`). The controller declares the xbrmm worker itself,
 * starts it after the router, and the maker serves the demo market; SIGTERM stops all with exit 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logLines, startMarketEdge, workerPid, type EdgeConfig, type EdgeXbrmm } from './harness/market-edge.js';

/** Moves the explicit xbrmm worker's only maker into a `marketmaker` block of realm1. */
function toRealmForm(config: EdgeConfig): void {
  const i = config.workers.findIndex((w) => w['type'] === 'xbrmm');
  const [xbrmm] = config.workers.splice(i, 1) as EdgeXbrmm[];
  const maker = xbrmm?.['makers'][0];
  const router = config.workers.find((w) => w['type'] === 'router');
  assert.ok(maker !== undefined && router !== undefined);
  assert.equal(maker.connection.realm, 'realm1');
  router['realms'][0]!.marketmaker = { key: maker.key, database: maker.database, blockchain: xbrmm?.['options'].extra.blockchain };
  assert.equal(config.workers.filter((w) => w['type'] === 'xbrmm').length, 0);
}

test('a maker enabled in a realm runs in an implicitly declared xbrmm worker and serves the demo market', async (t) => {
  const edge = await startMarketEdge({ configure: toRealmForm });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await edge.stop();
  });

  const client = await edge.connect({ serializer: 'cbor' });
  const status = (await edge.callWhenRegistered(client, 'xbr.marketmaker.status')) as Record<string, unknown>;
  assert.equal(status['status'], 'RUNNING', JSON.stringify(status));
  assert.deepEqual(Object.keys(status['accounts'] as object), [edge.makerAddress]);

  const cfg = (await edge.callWhenRegistered(client, 'xbr.marketmaker.get_config')) as Record<string, unknown>;
  assert.equal('0x' + (cfg['market'] as string).replaceAll('-', ''), edge.devchain.demo.marketId.toLowerCase());
  assert.equal(cfg['marketmaker'], edge.makerAddress);
  assert.equal(cfg['verifying_contract_adr'], edge.devchain.contracts.network);
  // A bad flag is refused like every bad argument, naming it.
  await assert.rejects(client.call('xbr.marketmaker.get_config', ['yes']), (e: { errorUri?: string; argsList?: unknown[] }) => {
    assert.equal(e.errorUri, 'wamp.error.invalid_argument');
    assert.match(String(e.argsList?.[0]), /^include_eula_text: expected a boolean, got a string$/);
    return true;
  });

  // The implicit worker (xbrmm1) became ready after the dev chain and the router it connects to.
  assert.equal(typeof workerPid(edge, 'xbrmm1'), 'number', edge.output().slice(-3000));
  const readyOrder = logLines(edge)
    .filter((l) => l['component'] === 'controller' && l.msg === 'worker ready')
    .map((l) => l['worker']);
  assert.deepEqual(readyOrder, ['devchain', 'ipfs', 'router1', 'xbrmm1']);

  stopped = true;
  const code = await edge.stop();
  assert.equal(code, 0, `controller exit code (output:\n${edge.output().slice(-4000)})`);
  assert.match(edge.output(), /market maker stopped/);
});
