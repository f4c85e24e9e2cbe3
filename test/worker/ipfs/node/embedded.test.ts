/**
 * The embedded IPFS node (worker/ipfs/node/embedded.ts), a real js-ipfs node in a temp repo, talked to over its
 * Kubo RPC API with kubo-rpc-client as the fetcher does:
 * - the demo descriptions in contracts/demo-rdf/ hash to DEMO_CIDS (a content change without a CID update fails);
 * - cat returns the added bytes; data persist across a restart on the same repo;
 * - cat of a CID the node never stored does not error by itself offline: only a timeout ends it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, type KuboRPCClient } from 'kubo-rpc-client';
import { DEMO_CIDS } from '../../../../contracts/index.js';
import { startEmbeddedIpfsNode } from '../../../../worker/ipfs/node/index.js';
import { freePort } from '../../../e2e/harness/market-edge.js';

const DEMO_RDF = new URL('../../../../contracts/demo-rdf/', import.meta.url).pathname;

/** The file each DEMO_CIDS entry is the hash of. */
const DEMO_FILES: Record<keyof typeof DEMO_CIDS, string> = {
  marketTerms: 'market-terms.ttl',
  marketMeta: 'market-meta.ttl',
  catalogTerms: 'catalog-terms.ttl',
  catalogMeta: 'catalog-meta.ttl',
  apiSchema: 'api-schema.ttl',
  apiMeta: 'api-meta.ttl',
};

async function cat(client: KuboRPCClient, cid: string, timeoutMs = 5000): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of client.cat(cid, { timeout: timeoutMs })) chunks.push(c);
  return Buffer.concat(chunks);
}

test('embedded IPFS node: demo CIDs, cat, missing CID times out, data survive a restart', async (t) => {
  const repo = mkdtempSync(join(tmpdir(), 'xbr-ipfs-node-'));
  t.after(() => rmSync(repo, { recursive: true, force: true }));
  let node = await startEmbeddedIpfsNode({ repo, apiPort: await freePort() });
  t.after(() => node.stop());
  let client = create({ url: node.apiUrl });

  await t.test('the demo descriptions hash to DEMO_CIDS, and cat returns their bytes', async () => {
    // every seeded file has its CID in DEMO_CIDS, and every CID its file
    const seeded = readdirSync(DEMO_RDF).filter((n) => !n.startsWith('.')).sort();
    assert.deepEqual(seeded, Object.values(DEMO_FILES).sort());
    for (const [key, file] of Object.entries(DEMO_FILES) as [keyof typeof DEMO_CIDS, string][]) {
      const bytes = readFileSync(join(DEMO_RDF, file));
      assert.equal(await node.add(bytes), DEMO_CIDS[key], `${file}: update DEMO_CIDS.${key} (and any ipfs:// reference to it)`);
      assert.deepEqual(await cat(client, DEMO_CIDS[key]), bytes, file);
    }
  });

  await t.test('meta files refer to the terms and the schema by their CIDs', () => {
    const text = (f: string): string => readFileSync(join(DEMO_RDF, f), 'utf8');
    assert.ok(text('market-meta.ttl').includes(`<ipfs://${DEMO_CIDS.marketTerms}>`));
    assert.ok(text('catalog-meta.ttl').includes(`<ipfs://${DEMO_CIDS.catalogTerms}>`));
    assert.ok(text('api-meta.ttl').includes(`dcterms:conformsTo <ipfs://${DEMO_CIDS.apiSchema}>`));
  });

  const blob = randomBytes(300_000); // more than one 256 KiB chunk: a file with links, not a single block
  let blobCid = '';
  await t.test('add through the RPC API (CIDv0) and cat it back', async () => {
    blobCid = (await client.add(blob, { cidVersion: 0 })).cid.toString();
    assert.match(blobCid, /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/);
    assert.deepEqual(await cat(client, blobCid), blob);
  });

  await t.test('cat of a CID the node never stored fails only by its timeout', async () => {
    // a real CID of content that was hashed but never stored
    const missing = (await client.add(randomBytes(64), { cidVersion: 0, onlyHash: true })).cid.toString();
    await assert.rejects(cat(client, missing, 300), (err: Error) => err.name === 'TimeoutError');
    const signal = AbortSignal.timeout(300);
    await assert.rejects(
      (async () => {
        for await (const _ of client.cat(missing, { signal })) assert.fail('no content expected');
      })(),
      (err: Error) => err.name === 'TimeoutError' || err.name === 'AbortError',
    );
    assert.ok(signal.aborted);
  });

  await t.test('data survive a restart on the same repo (another API port)', async () => {
    await node.stop();
    node = await startEmbeddedIpfsNode({ repo, apiPort: await freePort() });
    client = create({ url: node.apiUrl });
    assert.deepEqual(await cat(client, blobCid), blob);
    assert.deepEqual(await cat(client, DEMO_CIDS.apiMeta), readFileSync(join(DEMO_RDF, DEMO_FILES.apiMeta)));
  });

  await t.test('beforeListen runs before the port opens; a throw there stops the node', async () => {
    const repo2 = mkdtempSync(join(tmpdir(), 'xbr-ipfs-node-'));
    t.after(() => rmSync(repo2, { recursive: true, force: true }));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/v0`;
    await assert.rejects(
      startEmbeddedIpfsNode({
        repo: repo2,
        apiPort: port,
        beforeListen: async (add) => {
          await add(Buffer.from('seed'));
          // the API is not up yet
          await assert.rejects(create({ url }).id({ timeout: 2000 }), /ECONNREFUSED|fetch failed/);
          throw new Error('seed failed');
        },
      }),
      /seed failed/,
    );
    // the failed start released the repo: it opens again
    const again = await startEmbeddedIpfsNode({ repo: repo2, apiPort: port });
    await again.stop();
  });
});
