/**
 * Content that does not match its CID is rejected: a small HTTP server stands where the IPFS RPC API is
 * expected and answers `/api/v0/block/get` with wrong bytes (the only thing this test examines is what the
 * fetcher does with them). Nothing is stored, the attempt is a failure retried with backoff, and once the
 * same server passes requests on to a real embedded node, the verified content is accepted.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readdirSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { fixture, putCatalog, startTestNode, TTL, until, untilFile, utf8, type TestNode } from './helpers.js';

let node: TestNode;
let server: Server;
let serverUrl: string;
let honest = false;
let requests = 0;

before(async () => {
  node = await startTestNode();
  server = createServer((req, res) => {
    void (async () => {
      requests++;
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'POST' || url.pathname !== '/api/v0/block/get') {
        res.writeHead(404).end();
        return;
      }
      if (!honest) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from('these are not the bytes you are looking for'));
        return;
      }
      const upstream = await fetch(`${node.url}/block/get${url.search}`, { method: 'POST' });
      res.writeHead(upstream.status, { 'content-type': 'application/octet-stream' }).end(Buffer.from(await upstream.arrayBuffer()));
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v0`;
});
after(async () => {
  await new Promise((r) => server?.close(r));
  await node?.cleanup();
});

it('rejects a block whose sha2-256 does not match its CID, retries, and accepts the verified content later', async () => {
  const fx = await fixture({ url: serverUrl });
  try {
    const hash = await node.add(utf8(TTL.catalog('Honest')));
    const fetcher = fx.fetcher({ retry_initial: 100, retry_max: 200 });
    await fetcher.start();
    const c = putCatalog(fx.db, { meta: hash });
    fetcher.notify([{ kind: 'catalog', id: c.oid }]);
    const bad = await untilFile(() => fx.db, hash, (f) => f.retries >= 2, 'two rejected attempts');
    assert.equal(bad.status, 'pending');
    assert.equal(bad.downloaded, false);
    assert.match(bad.last_error!, /does not match the CID/);
    assert.ok(bad.next_retry_at !== undefined);
    assert.deepEqual(readdirSync(fx.files), [], 'nothing stored from a lying node');
    assert.equal(fx.db.catalogs.get(c.oid)!.description, undefined);

    honest = true;
    const good = await untilFile(() => fx.db, hash, (f) => f.status === 'downloaded', 'accepted from an honest answer');
    assert.equal(good.retries, 0);
    await until(() => fx.db.catalogs.get(c.oid)!, (x) => x.description?.title === 'Honest', 'description');
    assert.ok(requests >= 3);
  } finally {
    await fx.cleanup();
  }
});
