/**
 * Fixtures of the IPFS fetcher tests: a real embedded IPFS node (js-ipfs, offline, Kubo RPC API) on a free
 * port, a temp worker DB and files directory, replica records written as the chain monitor would, and
 * waiting for an `ipfs_files` record to reach a state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as dagPB from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import type { IpfsConfig } from '../../../config/types.js';
import type { Address, Uuid } from '../../../schema/codec/types.js';
import { openWorkerDb, type Api, type Catalog, type IpfsFile, type Market, type Member, type WorkerDb } from '../../../schema/db/index.js';
import { createLogger } from '../../../schema/log.js';
import { IpfsFetcher, type IpfsFetcherOptions } from '../../../worker/ipfs/index.js';
import { startEmbeddedIpfsNode, type EmbeddedIpfsNode } from '../../../worker/ipfs/node/index.js';
import { freePort } from '../../e2e/harness/market-edge.js';

const quietLog = createLogger({}, 'error');

export const TTL = {
  catalog: (title: string, extra = '') => `@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
<#catalog> a dcat:Catalog ;
  dcterms:title "${title}" ;
  dcterms:description "Sensor readings of ${title}, hourly." ;
  dcat:keyword "weather", "sensors" ${extra} .
`,
};

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A temp directory removed by `cleanup`. */
function tempDir(prefix: string): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A real embedded IPFS node on a free port with a temp repo; `restart()` brings it back on the same port and repo. */
export interface TestNode {
  readonly url: string;
  readonly port: number;
  add(bytes: Uint8Array): Promise<string>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startTestNode(): Promise<TestNode> {
  const repo = tempDir('xbr-ipfs-repo-');
  const port = await freePort();
  let node: EmbeddedIpfsNode | undefined = await startEmbeddedIpfsNode({ repo: repo.path, apiPort: port });
  const url = node.apiUrl;
  return {
    url,
    port,
    add: async (bytes) => {
      if (node === undefined) throw new Error('test node is stopped');
      return node.add(bytes);
    },
    stop: async () => {
      const n = node;
      node = undefined;
      await n?.stop();
    },
    restart: async () => {
      node ??= await startEmbeddedIpfsNode({ repo: repo.path, apiPort: port });
    },
    cleanup: async () => {
      await node?.stop().catch(() => undefined);
      node = undefined;
      repo.cleanup();
    },
  };
}

/** Fetcher config for tests: short timeouts and retries. */
function testConfig(url: string, directory: string, over: Partial<IpfsConfig> = {}): IpfsConfig {
  return { url, directory, timeout: 400, max_size: 1 << 20, concurrency: 4, retry_initial: 200, retry_max: 1_000, ...over };
}

export interface Fixture {
  db: WorkerDb;
  dbPath: string;
  files: string;
  fetcher(over?: Partial<IpfsConfig>, options?: Partial<IpfsFetcherOptions>): IpfsFetcher;
  /** Reopens the worker DB (after `closeDb`), as a restarted worker would. */
  reopen(): Promise<WorkerDb>;
  closeDb(): Promise<void>;
  cleanup(): Promise<void>;
}

/** A worker DB and a files directory in temp dirs; fetchers made here are stopped by `cleanup`. */
export async function fixture(node: { url: string }): Promise<Fixture> {
  const dbDir = tempDir('xbr-ipfs-db-');
  const filesDir = tempDir('xbr-ipfs-files-');
  const files = join(filesDir.path, 'files');
  const made: IpfsFetcher[] = [];
  const f: Fixture = {
    db: await openWorkerDb({ path: dbDir.path }),
    dbPath: dbDir.path,
    files,
    fetcher: (over = {}, options = {}) => {
      const x = new IpfsFetcher({ db: f.db, config: testConfig(node.url, files, over), log: quietLog, ...options });
      made.push(x);
      return x;
    },
    reopen: async () => {
      f.db = await openWorkerDb({ path: dbDir.path });
      return f.db;
    },
    closeDb: () => f.db.close(),
    cleanup: async () => {
      for (const x of made) await x.stop().catch(() => undefined);
      await f.db.close().catch(() => undefined);
      dbDir.cleanup();
      filesDir.cleanup();
    },
  };
  return f;
}

export const randomId = (): Uuid => new Uint8Array(randomBytes(16)) as Uuid;
export const randomAddress = (): Address => new Uint8Array(randomBytes(20)) as Address;

/** Writes a catalog into the replica as the chain monitor would (no description). */
export function putCatalog(db: WorkerDb, c: { oid?: Uuid; owner?: Address; terms?: string; meta: string; timestamp?: bigint }): Catalog {
  const rec: Catalog = { oid: c.oid ?? randomId(), timestamp: c.timestamp ?? 1n, created: 1n, seq: 1, owner: c.owner ?? randomAddress(), terms: c.terms ?? '', meta: c.meta };
  db.env.writeSync(() => db.catalogs.put(rec.oid, rec));
  return rec;
}

export function putApi(db: WorkerDb, a: { oid?: Uuid; catalog: Uuid; schema?: string; meta?: string }): Api {
  const rec: Api = { oid: a.oid ?? randomId(), catalog_oid: a.catalog, timestamp: 1n, published: 1n, schema: a.schema ?? '', meta: a.meta ?? '' };
  db.env.writeSync(() => db.apis.put(rec.oid, rec));
  return rec;
}

export function putMarket(db: WorkerDb, m: { terms?: string; meta?: string }): Market {
  const rec: Market = {
    market: randomId(), timestamp: 1n, created: 1n, seq: 1, owner: randomAddress(), coin: randomAddress(), terms: m.terms ?? '', meta: m.meta ?? '',
    maker: randomAddress(), provider_security: 0n, consumer_security: 0n, market_fee: 0n,
  };
  db.env.writeSync(() => db.markets.put(rec.market, rec));
  return rec;
}

export function putMember(db: WorkerDb, m: { eula?: string; profile?: string }): Member {
  const rec: Member = { address: randomAddress(), timestamp: 1n, registered: 1n, eula: m.eula ?? '', profile: m.profile ?? '', level: 1 };
  db.env.writeSync(() => db.members.put(rec.address, rec));
  return rec;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `ok` holds for its value (returned), or throws with the last value after `timeoutMs`. */
export async function until<T>(read: () => T, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}`);
    await sleep(20);
  }
}

/** Waits until the `ipfs_files` record of `hash` satisfies `ok`. */
export function untilFile(db: () => WorkerDb, hash: string, ok: (f: IpfsFile) => boolean, what: string, timeoutMs?: number): Promise<IpfsFile> {
  return until(() => db().ipfsFiles.get(hash), (f) => f !== undefined && ok(f), what, timeoutMs) as Promise<IpfsFile>;
}

/**
 * The CIDv0 an IPFS node gives `bytes` (≤ 256 KiB: one dag-pb UnixFS file block), computed without any node —
 * to refer to content no node has yet.
 */
export async function cidV0Of(bytes: Uint8Array): Promise<string> {
  const block = dagPB.encode({ Data: new UnixFS({ type: 'file', data: bytes }).marshal(), Links: [] });
  return CID.createV0(await sha256.digest(block)).toString();
}

/** A dag-pb block with `data` as UnixFS of `type` (e.g. a directory), and its CIDv0. */
export async function unixfsBlock(type: 'directory' | 'file', data?: Uint8Array): Promise<{ bytes: Uint8Array; cid: string }> {
  const bytes = dagPB.encode({ Data: new UnixFS({ type, ...(data === undefined ? {} : { data }) }).marshal(), Links: [] });
  return { bytes, cid: CID.createV0(await sha256.digest(bytes)).toString() };
}
