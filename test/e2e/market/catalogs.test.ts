/**
 * End to end through the real edge (controller, dev chain, IPFS guest seeded with the demo descriptions,
 * router, xbrmm worker): the worker's IPFS fetcher downloads and verifies the demo market / catalog / API
 * files and parses them; find_catalogs / get_catalog / get_api (public) and get_ipfs_status (for operators, on the
 * operator Unix socket; refused to anonymous clients and members) show them. A catalog created
 * on chain while the edge runs, with its meta added to the IPFS guest, becomes searchable through the chain
 * monitor's hook (no restart, no catch-up scan).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Contract } from 'ethers';
import { create } from 'kubo-rpc-client';
import type { Wampy } from 'wampy';
import { DEMO_CIDS, xbrCatalogAbi } from '../../../contracts/index.js';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import { call, eventually, id16, login, rejectsWith } from './channels-helpers.js';

const MM = 'xbr.marketmaker.';
const SELLER = 2;
const ROOT = new URL('../../../', import.meta.url).pathname;

let edge: MarketEdge;
let client: Wampy;
let operator: Wampy;

before(async () => {
  edge = await startMarketEdge();
  client = await edge.connect();
  operator = await edge.connectOperator();
});
after(async () => {
  await edge?.stop();
});

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Described {
  oid: Uint8Array;
  meta: string;
  description: { hash: string; title: string | null; description: string | null; tags: string[]; schema_refs: string[] } | null;
}

test('the demo catalog and its API are downloaded, verified, parsed and searchable', async () => {
  assert.ok(edge.ipfsUrl !== undefined, 'the shipped config runs the IPFS guest');
  const catalogId = edge.devchain.demo.catalogId;
  const found = await eventually(async () => {
    const list: Described[] = await call(client, MM + 'find_catalogs', [], { text: 'demo sensor' });
    return list.length > 0 ? list : undefined;
  }, 'the demo catalog is described');
  assert.equal(found.length, 1);
  assert.equal(hexOf(found[0]!.oid), catalogId.slice(2));
  assert.equal(found[0]!.description?.title, 'Demo sensor catalog');
  assert.equal(found[0]!.description?.hash, DEMO_CIDS.catalogMeta);
  const byTags: Described[] = await call(client, MM + 'find_catalogs', [], { tags: ['Temperature', 'IoT'] });
  assert.deepEqual(byTags.map((c) => hexOf(c.oid)), [catalogId.slice(2)]);
  assert.deepEqual(await call(client, MM + 'find_catalogs', [], { tags: ['temperature', 'no-such-tag'] }), []);

  const detail: Described & { meta_data: string; apis: (Described & { schema: string })[] } = await call(client, MM + 'get_catalog', [id16(catalogId)]);
  assert.equal(detail.meta_data, readFileSync(`${ROOT}contracts/demo-rdf/catalog-meta.ttl`, 'utf8'), 'meta_data is the verified file');
  const api = await eventually(async () => {
    const d: typeof detail = await call(client, MM + 'get_catalog', [id16(catalogId)]);
    // Until its meta file is parsed too, an API is described from its schema file alone: wait for both.
    const a = d.apis[0];
    return a?.description?.hash === DEMO_CIDS.apiMeta && a.description.schema_refs.includes(DEMO_CIDS.apiSchema) ? a : undefined;
  }, 'the demo API is described from its meta and schema');
  assert.equal(hexOf(api.oid), edge.devchain.demo.apiId.slice(2));
  assert.equal(api.description?.title, 'Demo temperature feed');
  assert.equal(api.schema, DEMO_CIDS.apiSchema);
  const same: Described = await call(client, MM + 'get_api', [id16(edge.devchain.demo.apiId)]);
  assert.deepEqual(same.description, api.description);
  await rejectsWith(call(client, MM + 'get_catalog', [randomBytes(16)]), 'crossbar.error.no_such_object');
  await rejectsWith(call(client, MM + 'find_catalogs', [], { limit: 0 }), 'wamp.error.invalid_argument', /^limit: /);

  // The IPFS fetcher's state is the operators' business.
  await rejectsWith(call(client, MM + 'get_ipfs_status', []), 'wamp.error.not_authorized', /^xbr\.marketmaker\.get_ipfs_status is for operators \(role "operator"\)/);
  await rejectsWith(call((await login(edge, { wallet: SELLER })).client, MM + 'get_ipfs_status', []), 'wamp.error.not_authorized', /is for operators/);
  const status: { counts: Record<string, number>; active: number; next_retries: { file_hash: string }[] } = await eventually(async () => {
    const s: { counts: Record<string, number>; active: number; next_retries: { file_hash: string }[] } = await call(operator, MM + 'get_ipfs_status', []);
    return s.counts['downloaded']! >= 6 ? s : undefined;
  }, 'the six demo files are downloaded');
  assert.equal(status.counts['invalid'], 0);
  assert.equal(status.counts['malformed'], 0);
  for (const h of Object.values(DEMO_CIDS)) assert.ok(!status.next_retries.some((r) => r.file_hash === h), `${h} is not waiting for a retry`);
});

test('a catalog created while the edge runs is fetched through the chain monitor hook', async () => {
  assert.ok(edge.ipfsUrl !== undefined);
  const title = `Live catalog ${randomBytes(4).toString('hex')}`;
  const ttl = `@prefix dcterms: <http://purl.org/dc/terms/> .\n@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<#c> dcterms:title "${title}" ; dcat:keyword "live" .\n`;
  const { cid } = await create({ url: edge.ipfsUrl }).add(new TextEncoder().encode(ttl), { cidVersion: 0 });
  const catalogId = '0x' + randomBytes(16).toString('hex');
  const catalog = new Contract(edge.devchain.contracts.catalog, xbrCatalogAbi, edge.account(SELLER));
  await (await catalog.getFunction('createCatalog')(catalogId, '', cid.toString())).wait();

  const found = await eventually(async () => {
    const list: Described[] = await call(client, MM + 'find_catalogs', [], { tags: ['live'], text: title });
    return list.length === 1 ? list[0] : undefined;
  }, 'the new catalog is described');
  assert.equal(hexOf(found.oid), catalogId.slice(2));
  assert.equal(found.meta, cid.toString());
  assert.equal(found.description?.title, title);
});
