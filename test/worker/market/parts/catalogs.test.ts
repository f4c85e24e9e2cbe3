/**
 * The catalog and IPFS procedures of a maker over a real worker DB whose descriptions a real IPFS fetcher
 * downloaded from a real embedded IPFS node: find_catalogs (owner, tags — all must match —, text, limit),
 * get_catalog with its APIs, get_api, get_catalogs_by_owner with meta_data and descriptions, the catalog
 * filters of find_consents, get_ipfs_status and retry_ipfs_download; bad arguments name the argument,
 * unknown ids are crossbar.error.no_such_object.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address, Uuid } from '../../../../schema/codec/types.js';
import type { ActorType } from '../../../../schema/db/index.js';
import type { MakerContext, ProcedureHandler } from '../../../../worker/market/api/index.js';
import { catalogsPart, consentsPart, ipfsPart } from '../../../../worker/market/parts/index.js';
import type { IpfsFetcher } from '../../../../worker/ipfs/index.js';
import { cidV0Of, fixture, putApi, putCatalog, randomAddress, randomId, startTestNode, until, untilFile, utf8, type Fixture, type TestNode } from '../../ipfs/helpers.js';

const MM = 'xbr.marketmaker.';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const ttl = (title: string, description: string, tags: string[]): string => `@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
<#c> dcterms:title "${title}"@en ; dcterms:description "${description}"@en ; dcat:keyword ${tags.map((t) => `"${t}"`).join(', ')} .
`;

let node: TestNode;
let fx: Fixture;
let fetcher: IpfsFetcher;
let procs: Record<string, ProcedureHandler>;
let bare: Record<string, ProcedureHandler>;
const market = randomId();
const [ownerA, ownerB] = [randomAddress(), randomAddress()];
const ids: Record<string, Uuid> = {};
const texts: Record<string, string> = {};
let missingHash: string;

// biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the result it expects
const call = (uri: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, who?: Address): Promise<any> =>
  procs[MM + uri]!({ args, kwargs, details: who === undefined ? {} : { caller_authid: `member-0x${hex(who)}`, caller_authrole: 'user' } });

before(async () => {
  node = await startTestNode();
  fx = await fixture(node);
  fetcher = fx.fetcher();
  await fetcher.start();

  texts['a'] = ttl('Weather Station', 'Hourly temperature and rain.', ['weather', 'Sensors']);
  texts['b'] = ttl('City traffic', 'Cars counted at crossings.', ['traffic', 'sensors']);
  const [metaA, metaB, apiMeta] = await Promise.all([
    node.add(utf8(texts['a'])),
    node.add(utf8(texts['b'])),
    node.add(utf8('@prefix dcterms: <http://purl.org/dc/terms/> .\n<#api> dcterms:title "Rain API" ; dcterms:conformsTo <ipfs://QmTKZ7nXWeYn9hXJkGGDmDVzw8tKdJMNtPtU3PN1BYi4tW> .')),
  ]);
  missingHash = await cidV0Of(utf8(`nobody has this ${Date.now()}`));
  const a = putCatalog(fx.db, { owner: ownerA, meta: metaA!, timestamp: 10n });
  const b = putCatalog(fx.db, { owner: ownerB, meta: metaB!, timestamp: 20n });
  const c = putCatalog(fx.db, { owner: ownerA, meta: missingHash, timestamp: 30n });
  const api = putApi(fx.db, { catalog: a.oid, meta: apiMeta!, schema: 'QmTKZ7nXWeYn9hXJkGGDmDVzw8tKdJMNtPtU3PN1BYi4tW' });
  Object.assign(ids, { a: a.oid, b: b.oid, c: c.oid, api: api.oid });
  fetcher.notify([...[a, b, c].map((x) => ({ kind: 'catalog' as const, id: x.oid })), { kind: 'api', id: api.oid }]);
  await until(() => [fx.db.catalogs.get(a.oid)?.description, fx.db.catalogs.get(b.oid)?.description, fx.db.apis.get(api.oid)?.description], (d) => d.every((x) => x !== undefined), 'descriptions');
  await untilFile(() => fx.db, missingHash, (f) => f.retries >= 1, 'the missing file failed once');

  fx.db.env.writeSync(() => {
    for (const [cat, member] of [[a.oid, ownerA], [b.oid, ownerB]] as const) {
      const k = { market_oid: market, member, delegate: randomAddress(), delegate_type: 1 as ActorType, catalog_oid: cat };
      fx.db.consents.put(k, { ...k, timestamp: 5n, consent: true, service_prefix: 'xbr.demo.', synced: true });
    }
  });

  const ctx = { workerDb: fx.db, marketId: market, ipfs: fetcher } as unknown as MakerContext;
  procs = { ...catalogsPart(ctx).procedures, ...consentsPart(ctx).procedures, ...ipfsPart(ctx).procedures } as Record<string, ProcedureHandler>;
  bare = { ...ipfsPart({ workerDb: fx.db, marketId: market } as unknown as MakerContext).procedures } as Record<string, ProcedureHandler>;
});
after(async () => {
  await fx?.cleanup();
  await node?.cleanup();
});

const oids = (list: { oid: Uint8Array }[]): string[] => list.map((c) => hex(c.oid));

describe('find_catalogs', () => {
  it('returns every catalog oldest first without filters, at most limit', async () => {
    assert.deepEqual(oids(await call('find_catalogs')), [hex(ids['a']!), hex(ids['b']!), hex(ids['c']!)]);
    assert.deepEqual(oids(await call('find_catalogs', [], { limit: 2 })), [hex(ids['a']!), hex(ids['b']!)]);
  });

  it('filters by owner, by tags (all, case-insensitive) and by text in title or description', async () => {
    assert.deepEqual(oids(await call('find_catalogs', [ownerA])), [hex(ids['a']!), hex(ids['c']!)]);
    assert.deepEqual(oids(await call('find_catalogs', [], { tags: ['SENSORS'] })), [hex(ids['a']!), hex(ids['b']!)]);
    assert.deepEqual(oids(await call('find_catalogs', [], { tags: ['sensors', 'Weather'] })), [hex(ids['a']!)]);
    assert.deepEqual(oids(await call('find_catalogs', [], { tags: ['weather', 'traffic'] })), []);
    assert.deepEqual(oids(await call('find_catalogs', [], { text: 'TRAFFIC' })), [hex(ids['b']!)]);
    assert.deepEqual(oids(await call('find_catalogs', [], { text: 'rain' })), [hex(ids['a']!)], 'matches the description');
    assert.deepEqual(oids(await call('find_catalogs', [ownerB], { text: 'weather' })), []);
    const [found] = await call('find_catalogs', [], { text: 'weather station' });
    assert.deepEqual(found.description.tags, ['weather', 'Sensors']);
    assert.equal(found.description.title, 'Weather Station');
    assert.equal(found.meta_data, undefined, 'search results carry descriptions, not file contents');
  });

  it('names the bad argument', async () => {
    await assert.rejects(call('find_catalogs', [new Uint8Array(19)]), { uri: 'wamp.error.invalid_argument', message: /^owner: expected 20 bytes/ });
    await assert.rejects(call('find_catalogs', [], { tags: 'weather' }), { uri: 'wamp.error.invalid_argument', message: /^tags: expected a list/ });
    await assert.rejects(call('find_catalogs', [], { tags: [''] }), { uri: 'wamp.error.invalid_argument', message: /^tags\[0\]/ });
    await assert.rejects(call('find_catalogs', [], { text: 42 }), { uri: 'wamp.error.invalid_argument', message: /^text: / });
    await assert.rejects(call('find_catalogs', [], { limit: 1001 }), { uri: 'wamp.error.invalid_argument', message: /^limit: expected an integer in \[1, 1000\]/ });
    await assert.rejects(call('find_catalogs', [], { owners: [] }), { uri: 'wamp.error.invalid_argument', message: /^owners: / });
  });
});

describe('get_catalog, get_api, get_catalogs_by_owner', () => {
  it('get_catalog: the catalog with meta_data and its APIs with descriptions and schema refs', async () => {
    const c = await call('get_catalog', [ids['a']]);
    assert.equal(hex(c.oid), hex(ids['a']!));
    assert.equal(c.meta_data, texts['a']);
    assert.equal(c.description.description, 'Hourly temperature and rain.');
    assert.equal(c.apis.length, 1);
    assert.equal(hex(c.apis[0].oid), hex(ids['api']!));
    assert.equal(c.apis[0].description.title, 'Rain API');
    assert.deepEqual(c.apis[0].description.schema_refs, ['QmTKZ7nXWeYn9hXJkGGDmDVzw8tKdJMNtPtU3PN1BYi4tW'], 'ipfs:// IRI of the own schema is not listed twice');
    assert.equal(c.apis[0].published.length, 32);
    const pending = await call('get_catalog', [], { catalog_oid: ids['c'] });
    assert.equal(pending.meta_data, '');
    assert.equal(pending.description, null);
    await assert.rejects(call('get_catalog', [randomId()]), { uri: 'crossbar.error.no_such_object', message: /^no catalog / });
    await assert.rejects(call('get_catalog', [new Uint8Array(20)]), { uri: 'wamp.error.invalid_argument', message: /^catalog_oid: expected 16 bytes/ });
  });

  it('get_api: one API; unknown ids are no_such_object', async () => {
    const api = await call('get_api', [ids['api']]);
    assert.equal(hex(api.catalog_oid), hex(ids['a']!));
    assert.equal(api.description.hash, api.meta);
    await assert.rejects(call('get_api', [randomId()]), { uri: 'crossbar.error.no_such_object', message: /^no API / });
    await assert.rejects(call('get_api', []), { uri: 'wamp.error.invalid_argument', message: /^api_oid: / });
  });

  it('get_catalogs_by_owner: the owner’s catalogs with meta_data and descriptions, for the owner only', async () => {
    const list = await call('get_catalogs_by_owner', [ownerA], {}, ownerA);
    assert.deepEqual(oids(list), [hex(ids['a']!), hex(ids['c']!)]);
    assert.equal(list[0].meta_data, texts['a']);
    assert.equal(list[0].description.title, 'Weather Station');
    assert.equal(list[1].meta_data, '');
    await assert.rejects(call('get_catalogs_by_owner', [ownerA], {}, ownerB), { uri: 'wamp.error.not_authorized' });
  });
});

describe('find_consents catalog filters', () => {
  // A member finds its own consents only: each query is asked as ownerA or ownerB.
  const members = async (kwargs: Record<string, unknown>, who: Address): Promise<string[]> =>
    ((await call('find_consents', [], kwargs, who)) as { member: Uint8Array }[]).map((c) => hex(c.member)).sort();

  it('filters by the catalog’s parsed title, description and tags', async () => {
    assert.deepEqual(await members({}, ownerA), [hex(ownerA)]);
    assert.deepEqual(await members({}, ownerB), [hex(ownerB)]);
    assert.deepEqual(await members({ include_tags: ['WEATHER'] }, ownerA), [hex(ownerA)]);
    assert.deepEqual(await members({ include_tags: ['WEATHER'] }, ownerB), []);
    assert.deepEqual(await members({ include_tags: ['weather', 'traffic'] }, ownerB), [hex(ownerB)], 'any of the tags');
    assert.deepEqual(await members({ include_titles: ['city'] }, ownerB), [hex(ownerB)]);
    assert.deepEqual(await members({ include_titles: ['city'] }, ownerA), []);
    assert.deepEqual(await members({ include_descriptions: ['crossings', 'nothing'] }, ownerB), [hex(ownerB)]);
    assert.deepEqual(await members({ include_titles: ['weather'], include_tags: ['traffic'] }, ownerA), [], 'all filters hold');
    assert.deepEqual(await members({ include_tags: [] }, ownerA), [], 'an empty list keeps none');
  });

  it('include_apis takes catalog ids and API ids', async () => {
    assert.deepEqual(await members({ include_apis: [ids['api']] }, ownerA), [hex(ownerA)]);
    assert.deepEqual(await members({ include_apis: [ids['b']] }, ownerB), [hex(ownerB)]);
    await assert.rejects(call('find_consents', [], { include_tags: 'weather' }, ownerA), { uri: 'wamp.error.invalid_argument', message: /^include_tags: expected a list/ });
  });

  it('a member finds its own consents, never another member\'s', async () => {
    assert.deepEqual(await members({ include_owners: [ownerA] }, ownerA), [hex(ownerA)]);
    await assert.rejects(call('find_consents', [], { include_owners: [ownerB] }, ownerA), { uri: 'wamp.error.not_authorized', message: /include_owners may name only the caller/ });
    await assert.rejects(call('find_consents', [], {}), { uri: 'wamp.error.not_authorized' }, 'no member, no consents');
  });
});

describe('get_ipfs_status, retry_ipfs_download', () => {
  it('reports counts and the next retries; schedules on request', async () => {
    // The missing catalog meta and the API's schema (on no node here) are pending.
    const st = await call('get_ipfs_status');
    assert.deepEqual(st.counts, { pending: 2, downloaded: 3, invalid: 0, malformed: 0, too_large: 0 });
    assert.equal(st.next_retries.length, 2);
    assert.deepEqual(st.next_retries.map((r: { file_hash: string }) => r.file_hash).sort(), [missingHash, 'QmTKZ7nXWeYn9hXJkGGDmDVzw8tKdJMNtPtU3PN1BYi4tW'].sort());
    assert.ok(st.next_retries[0].next_retry_at <= st.next_retries[1].next_retry_at, 'earliest first');
    assert.equal((await call('get_ipfs_status', [1])).next_retries.length, 1);
    assert.equal(typeof st.next_retries[0].next_retry_at, 'bigint');
    assert.match(st.next_retries[0].last_error, /not received within/);
    assert.equal(await call('retry_ipfs_download', [missingHash]), 1);
    assert.equal(await call('retry_ipfs_download'), 2);
    await assert.rejects(call('retry_ipfs_download', ['QmNhtAgd5yoyTUn3eYjUm1Z2bqs8Z2UMCfvftDLbf1UuZK']), { uri: 'crossbar.error.no_such_object' });
    await assert.rejects(call('retry_ipfs_download', [42]), { uri: 'wamp.error.invalid_argument', message: /^file_hash: / });
    await assert.rejects(call('get_ipfs_status', [0]), { uri: 'wamp.error.invalid_argument', message: /^limit: / });
  });

  it('a worker without options.extra.ipfs says so', async () => {
    await assert.rejects(bare[MM + 'get_ipfs_status']!({ args: [], kwargs: {}, details: {} }), { uri: 'xbr.error.ipfs_not_configured' });
    await assert.rejects(bare[MM + 'retry_ipfs_download']!({ args: [], kwargs: {}, details: {} }), { uri: 'xbr.error.ipfs_not_configured' });
  });
});
