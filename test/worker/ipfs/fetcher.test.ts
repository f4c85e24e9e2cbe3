/**
 * The IPFS fetcher against a real embedded IPFS node (js-ipfs, Kubo RPC API): verified downloads stored
 * atomically under their CIDv1 name with descriptions parsed onto the records; a missing CID times out and
 * is retried with backoff until it appears; malformed Turtle and non-file DAGs are recorded, not retried,
 * and do not stop the fetcher; hostile hash strings are `invalid` and never touch the file system; the size
 * limit; bounded concurrency; retryNow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { create } from 'kubo-rpc-client';
import { checkCid, type BlockSource } from '../../../worker/ipfs/index.js';
import { cidV0Of, fixture, putApi, putCatalog, putMarket, putMember, startTestNode, TTL, unixfsBlock, until, untilFile, utf8, type Fixture, type TestNode } from './helpers.js';

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
after(async () => {
  await node?.cleanup();
});

async function withFixture(fn: (fx: Fixture) => Promise<void>): Promise<void> {
  const fx = await fixture(node);
  try {
    await fn(fx);
  } finally {
    await fx.cleanup();
  }
}

const fileNameOf = (hash: string): string => {
  const c = checkCid(hash);
  assert.ok(c.ok);
  return c.fileName;
};

describe('IPFS fetcher', () => {
  it('downloads, verifies and stores files; parses descriptions onto the records', () =>
    withFixture(async (fx) => {
      const meta = utf8(TTL.catalog('Weather Station 7'));
      const terms = new Uint8Array(700_000).map((_, i) => (i * 31 + (i >> 8)) & 255); // several blocks, binary
      const [metaHash, termsHash] = [await node.add(meta), await node.add(terms)];
      const apiMetaHash = await node.add(utf8('@prefix dcterms: <http://purl.org/dc/terms/> .\n<#api> dcterms:title "Readings API" ; dcterms:conformsTo <https://example.org/xbr/readings.fbs> .'));
      const apiSchemaHash = await node.add(utf8('@prefix dcterms: <http://purl.org/dc/terms/> .\n<#schema> dcterms:title "Readings schema" ; dcterms:conformsTo <https://example.org/flatbuffers> .'));
      const profileHash = await node.add(utf8('<#me> <http://www.w3.org/2000/01/rdf-schema#label> "Alice" .'));

      const fetcher = fx.fetcher();
      await fetcher.start();
      const catalog = putCatalog(fx.db, { meta: metaHash, terms: termsHash });
      const api = putApi(fx.db, { catalog: catalog.oid, meta: apiMetaHash, schema: apiSchemaHash });
      const market = putMarket(fx.db, { terms: termsHash, meta: metaHash });
      const member = putMember(fx.db, { eula: termsHash, profile: profileHash });
      fetcher.notify([
        { kind: 'catalog', id: catalog.oid },
        { kind: 'api', id: api.oid },
        { kind: 'market', id: market.market },
        { kind: 'member', id: member.address },
      ]);

      for (const h of [metaHash, termsHash, apiMetaHash, apiSchemaHash, profileHash]) await untilFile(() => fx.db, h, (f) => f.status === 'downloaded', `${h} downloaded`);
      const f = fx.db.ipfsFiles.get(termsHash)!;
      assert.equal(f.downloaded, true);
      assert.equal(f.size, terms.length);
      assert.equal(f.retries, 0);
      assert.equal(f.path, fileNameOf(termsHash));
      assert.ok(f.downloaded_at !== undefined && f.errored_at === undefined && f.last_error === undefined && f.next_retry_at === undefined);
      // One file, named by every record that refers to it.
      assert.deepEqual(f.refs?.map((r) => `${r.kind}#${r.field}`).sort(), ['catalog#terms', 'market#terms', 'member#eula']);
      assert.deepEqual(readFileSync(join(fx.files, f.path!)), Buffer.from(terms));
      assert.deepEqual(readFileSync(join(fx.files, fileNameOf(metaHash))), Buffer.from(meta));
      assert.deepEqual(readdirSync(fx.files).sort(), [metaHash, termsHash, apiMetaHash, apiSchemaHash, profileHash].map(fileNameOf).sort(), 'no temp files left');

      const c = await until(() => fx.db.catalogs.get(catalog.oid)!, (x) => x.description !== undefined, 'catalog description');
      assert.equal(c.description!.hash, metaHash);
      assert.equal(c.description!.title, 'Weather Station 7');
      assert.equal(c.description!.description, 'Sensor readings of Weather Station 7, hourly.');
      assert.deepEqual(c.description!.tags, ['weather', 'sensors']);
      assert.equal(c.meta, metaHash, 'the chain fields are untouched');
      const m = await until(() => fx.db.markets.get(market.market)!, (x) => x.description !== undefined, 'market description');
      assert.equal(m.description!.title, 'Weather Station 7');
      const mem = await until(() => fx.db.members.get(member.address)!, (x) => x.description !== undefined, 'member description');
      assert.equal(mem.description!.title, 'Alice');
      const a = await until(() => fx.db.apis.get(api.oid)!, (x) => x.description?.schema_refs.length === 3, 'API description with schema refs');
      assert.equal(a.description!.title, 'Readings API');
      assert.equal(a.description!.hash, apiMetaHash);
      assert.deepEqual(a.description!.schema_refs, [apiSchemaHash, 'https://example.org/xbr/readings.fbs', 'https://example.org/flatbuffers']);

      const st = fetcher.status();
      assert.equal(st.counts.downloaded, 5);
      assert.equal(st.counts.pending, 0);
      assert.deepEqual(st.next_retries, []);
    }));

  it('a missing CID times out, is retried with growing backoff, and succeeds once the file is added', () =>
    withFixture(async (fx) => {
      const content = utf8(TTL.catalog(`Late ${Date.now()}`));
      const hash = await cidV0Of(content);
      const fetcher = fx.fetcher({ timeout: 300, retry_initial: 200, retry_max: 800 });
      await fetcher.start();
      const catalog = putCatalog(fx.db, { meta: hash });
      fetcher.notify([{ kind: 'catalog', id: catalog.oid }]);

      const first = await untilFile(() => fx.db, hash, (f) => f.retries >= 1, 'first failure');
      assert.equal(first.status, 'pending');
      assert.equal(first.downloaded, false);
      assert.match(first.last_error!, /not received within 300 ms/);
      const d1 = Number(first.next_retry_at! - first.errored_at!) / 1e6;
      assert.ok(d1 >= 100 && d1 <= 200, `first delay ${d1} ms in [100, 200]`);
      const second = await untilFile(() => fx.db, hash, (f) => f.retries >= 2, 'second failure');
      assert.ok(second.errored_at! >= first.next_retry_at!, 'the retry waited for next_retry_at');
      const d2 = Number(second.next_retry_at! - second.errored_at!) / 1e6;
      assert.ok(d2 >= 200 && d2 <= 400, `second delay ${d2} ms in [200, 400]`);
      const report = fetcher.status();
      assert.equal(report.counts.pending, 1);
      assert.equal(report.next_retries[0]?.file_hash, hash);
      assert.equal(fx.db.catalogs.get(catalog.oid)!.description, undefined);
      assert.deepEqual(readdirSync(fx.files), [], 'nothing is written for a failed download');

      assert.equal(await node.add(content), hash, 'the CID computed beforehand is the node’s');
      const done = await untilFile(() => fx.db, hash, (f) => f.status === 'downloaded', 'download after the file was added');
      assert.equal(done.retries, 0);
      assert.equal(done.errored_at, undefined);
      assert.equal(done.last_error, undefined);
      assert.equal(done.next_retry_at, undefined);
      const c = await until(() => fx.db.catalogs.get(catalog.oid)!, (x) => x.description !== undefined, 'description');
      assert.match(c.description!.title!, /^Late /);
    }));

  it('records malformed Turtle and non-file DAGs without retrying, and keeps working', () =>
    withFixture(async (fx) => {
      const notTurtle = await node.add(utf8('this { is not : turtle'));
      const binary = await node.add(new Uint8Array([0xff, 0xfe, 0xfd, 0x00, 0x01]));
      const dir = await unixfsBlock('directory');
      const put = await create({ url: node.url }).block.put(dir.bytes, { format: 'dag-pb', version: 0 });
      assert.equal(put.toString(), dir.cid);
      const good = await node.add(utf8(TTL.catalog('Still fine')));

      const fetcher = fx.fetcher();
      await fetcher.start();
      const c1 = putCatalog(fx.db, { meta: notTurtle });
      const c2 = putCatalog(fx.db, { meta: binary, terms: dir.cid });
      const c3 = putCatalog(fx.db, { meta: good, terms: binary });
      fetcher.notify([c1, c2, c3].map((c) => ({ kind: 'catalog' as const, id: c.oid })));

      const m1 = await untilFile(() => fx.db, notTurtle, (f) => f.status !== 'pending', 'malformed Turtle recorded');
      assert.equal(m1.status, 'malformed');
      assert.match(m1.last_error!, /^not Turtle: /);
      assert.equal(m1.downloaded, true, 'verified and kept, only not parseable');
      assert.equal(m1.next_retry_at, undefined);
      const m2 = await untilFile(() => fx.db, binary, (f) => f.status !== 'pending', 'binary meta recorded');
      assert.equal(m2.status, 'malformed', 'named as a catalog meta, so it must parse');
      assert.match(m2.last_error!, /not UTF-8/);
      const m3 = await untilFile(() => fx.db, dir.cid, (f) => f.status !== 'pending', 'directory recorded');
      assert.equal(m3.status, 'malformed');
      assert.equal(m3.downloaded, false);
      assert.match(m3.last_error!, /UnixFS directory/);
      assert.ok(!readdirSync(fx.files).includes(fileNameOf(dir.cid)));
      await untilFile(() => fx.db, good, (f) => f.status === 'downloaded', 'a good file after malformed ones');
      await until(() => fx.db.catalogs.get(c3.oid)!, (x) => x.description?.title === 'Still fine', 'description of the good catalog');
      assert.equal(fx.db.catalogs.get(c1.oid)!.description, undefined);
      assert.equal(fetcher.status().counts.malformed, 3);

      // Not retried: the records stay as they are.
      const before = fx.db.ipfsFiles.get(notTurtle)!;
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(fx.db.ipfsFiles.get(notTurtle), before);
    }));

  it('records hostile hash strings as invalid and never touches the file system for them', () =>
    withFixture(async (fx) => {
      const fetcher = fx.fetcher();
      await fetcher.start();
      const hostile = ['../x', '/etc/passwd', 'Qm' + 'a'.repeat(5000), 'not-a-cid', '..', 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'];
      const recs = hostile.map((h, i) => putCatalog(fx.db, { meta: h, terms: i === 0 ? '' : '../../terms' }));
      fetcher.notify(recs.map((c) => ({ kind: 'catalog' as const, id: c.oid })));

      for (const h of ['../x', '/etc/passwd', 'not-a-cid', '..', '../../terms']) {
        const f = fx.db.ipfsFiles.get(h);
        assert.equal(f?.status, 'invalid', h);
        assert.equal(f?.downloaded, false);
        assert.equal(f?.path, undefined);
        assert.match(f!.last_error!, /^invalid IPFS hash: /);
        assert.equal(f?.next_retry_at, undefined);
      }
      const long = fx.db.ipfsFiles.range().map((e) => e.value).find((f) => f.file_hash.startsWith('~long:'));
      assert.equal(long?.status, 'invalid');
      assert.match(long!.last_error!, /5002 characters/);
      assert.match(fx.db.ipfsFiles.get(hostile[5]!)!.last_error!, /unsupported codec/);
      assert.equal(fx.db.ipfsFiles.count(), 7, 'empty strings name nothing');
      assert.equal(fetcher.status().counts.invalid, 7);
      assert.equal(fetcher.status().counts.pending, 0);

      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(readdirSync(fx.files), [], 'nothing written in the files directory');
      assert.deepEqual(readdirSync(dirname(fx.files)), ['files'], 'nothing written beside it');
      await assert.rejects(fetcher.retryNow(''), { uri: 'wamp.error.invalid_argument' });
      await assert.rejects(fetcher.retryNow('../x'), { uri: 'wamp.error.invalid_argument', message: /file_hash: invalid IPFS hash/ });
      await assert.rejects(fetcher.retryNow('QmNhtAgd5yoyTUn3eYjUm1Z2bqs8Z2UMCfvftDLbf1UuZK'), { uri: 'crossbar.error.no_such_object' });
    }));

  it('refuses files above max_size early, and tries them again with a larger limit after a restart', () =>
    withFixture(async (fx) => {
      const big = new Uint8Array(300_000).fill(7);
      const hash = await node.add(big);
      const small = fx.fetcher({ max_size: 100_000 });
      await small.start();
      const market = putMarket(fx.db, { terms: hash });
      small.notify([{ kind: 'market', id: market.market }]);
      const f = await untilFile(() => fx.db, hash, (x) => x.status !== 'pending', 'too_large recorded');
      assert.equal(f.status, 'too_large');
      assert.equal(f.size_limit, 100_000);
      assert.match(f.last_error!, /larger than max_size 100000/);
      assert.deepEqual(readdirSync(fx.files), []);
      await small.stop();

      const larger = fx.fetcher({ max_size: 1 << 20 });
      await larger.start();
      const done = await untilFile(() => fx.db, hash, (x) => x.status === 'downloaded', 'downloaded with the larger limit');
      assert.equal(done.size, big.length);
      assert.equal(done.size_limit, undefined);
    }));

  it('runs at most `concurrency` downloads at once', () =>
    withFixture(async (fx) => {
      let running = 0;
      let peak = 0;
      const client = create({ url: node.url }).block;
      // Observes the real node's block requests; it answers nothing itself.
      const counting: BlockSource = {
        get: async (cid, options) => {
          peak = Math.max(peak, ++running);
          try {
            return await client.get(cid, options);
          } finally {
            running--;
          }
        },
      };
      const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => cidV0Of(utf8(`missing ${i} ${Date.now()}`))));
      const fetcher = fx.fetcher({ concurrency: 2, timeout: 300, retry_initial: 60_000, retry_max: 60_000 }, { blocks: counting });
      await fetcher.start();
      const recs = hashes.map((h) => putCatalog(fx.db, { meta: h }));
      fetcher.notify(recs.map((c) => ({ kind: 'catalog' as const, id: c.oid })));
      const st = fetcher.status();
      assert.equal(st.active, 2);
      assert.equal(st.waiting, 4);
      for (const h of hashes) await untilFile(() => fx.db, h, (f) => f.retries === 1, `${h} failed once`);
      assert.equal(peak, 2);
      assert.equal(fetcher.status().active, 0);
    }));

  it('retryNow tries a file at once instead of at its backoff time', () =>
    withFixture(async (fx) => {
      const contents = [utf8(`one ${Date.now()}`), utf8(`two ${Date.now()}`)];
      const [h1, h2] = await Promise.all(contents.map(cidV0Of));
      const fetcher = fx.fetcher({ timeout: 300, retry_initial: 600_000, retry_max: 600_000 });
      await fetcher.start();
      const market = putMarket(fx.db, { terms: h1!, meta: '' });
      const member = putMember(fx.db, { eula: h2! });
      fetcher.notify([{ kind: 'market', id: market.market }, { kind: 'member', id: member.address }]);
      const failed = await untilFile(() => fx.db, h1!, (f) => f.retries === 1, 'first failure');
      await untilFile(() => fx.db, h2!, (f) => f.retries === 1, 'first failure');
      assert.ok(Number(failed.next_retry_at! - failed.errored_at!) / 1e6 >= 300_000, 'the next attempt is minutes away');

      await node.add(contents[0]!);
      assert.equal(await fetcher.retryNow(h1!), 1);
      await untilFile(() => fx.db, h1!, (f) => f.status === 'downloaded', 'downloaded on request');
      assert.equal(fx.db.ipfsFiles.get(h2!)!.retries, 1, 'the other file keeps its schedule');
      assert.equal(await fetcher.retryNow(h1!), 0, 'a downloaded file needs nothing');

      await node.add(contents[1]!);
      assert.equal(await fetcher.retryNow(), 1, 'every pending file');
      await untilFile(() => fx.db, h2!, (f) => f.status === 'downloaded', 'all pending downloaded on request');
    }));
});
