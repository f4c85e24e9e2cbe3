/**
 * The chain monitor's hook into the fetcher, on a real dev chain with the XBR contracts and the demo, and a
 * real embedded IPFS node seeded with the demo descriptions: after each committed range the monitor reports
 * the market / catalog / API / member records it wrote; a listener that throws does not stop the monitor;
 * fed into the fetcher, the demo market, catalog and API end up described.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { DEMO_CIDS } from '../../../contracts/index.js';
import type { Uuid } from '../../../schema/codec/types.js';
import type { ReplicaWrite } from '../../../worker/monitor/index.js';
import { monitorOn, startWorld, untilBlock, type World } from '../monitor/helpers.js';
import { fixture, startTestNode, until, type Fixture, type TestNode } from './helpers.js';

const RDF = new URL('../../../contracts/demo-rdf/', import.meta.url).pathname;
const hex = (b: Uint8Array | string): string => (typeof b === 'string' ? b.replace(/^0x/, '') : Buffer.from(b).toString('hex'));
const id = (h: string): Uuid => new Uint8Array(Buffer.from(hex(h), 'hex')) as Uuid;

let world: World;
let node: TestNode;
let fx: Fixture;

before(async () => {
  [world, node] = await Promise.all([startWorld(), startTestNode()]);
  for (const f of readdirSync(RDF).filter((n) => n.endsWith('.ttl'))) await node.add(readFileSync(RDF + f));
  fx = await fixture(node);
});
after(async () => {
  await fx?.cleanup();
  await Promise.all([world?.stop(), node?.cleanup()]);
});

it('reports the records each committed range wrote; the fetcher describes them', async () => {
  const fetcher = fx.fetcher();
  await fetcher.start();
  const writes: ReplicaWrite[] = [];
  let calls = 0;
  const monitor = monitorOn(world, fx.db, {
    onReplicaWrites: (w) => {
      calls++;
      if (calls === 1) throw new Error('a listener bug must not stop the monitor');
      writes.push(...w);
      fetcher.notify(w);
    },
    maxBlockRange: 1,
  });
  try {
    await untilBlock(monitor, world.demo.block);
    const kinds = (k: ReplicaWrite['kind']): string[] => writes.filter((w) => w.kind === k).map((w) => hex(w.id));
    // One block per range: the first range with writes (a member registration) went to the throwing call, the
    // monitor went on, and every later range's records are here.
    assert.ok(calls >= 4, `called once per range with writes (${calls})`);
    assert.deepEqual(kinds('api'), [hex(world.demo.apiId)]);
    assert.deepEqual(kinds('catalog'), [hex(world.demo.catalogId)]);
    assert.deepEqual(kinds('market'), [hex(world.demo.marketId)]);
    assert.ok(kinds('member').length >= 3, 'the demo members');
    assert.ok(writes.every((w) => (w.kind === 'member' ? w.id.length === 20 : w.id.length === 16)));

    const catalog = await until(() => fx.db.catalogs.get(id(world.demo.catalogId)), (c) => c?.description !== undefined, 'demo catalog described');
    assert.equal(catalog!.description!.title, 'Demo sensor catalog');
    const api = await until(() => fx.db.apis.get(id(world.demo.apiId)), (a) => a?.description?.schema_refs.includes(DEMO_CIDS.apiSchema) === true, 'demo API described');
    assert.equal(api!.description!.title, 'Demo temperature feed');
    const market = await until(() => fx.db.markets.get(id(world.demo.marketId)), (m) => m?.description !== undefined, 'demo market described');
    assert.equal(market!.description!.hash, DEMO_CIDS.marketMeta);
    for (const h of Object.values(DEMO_CIDS)) assert.equal(fx.db.ipfsFiles.get(h)?.status, 'downloaded', h);
  } finally {
    await monitor.stop();
  }
});
