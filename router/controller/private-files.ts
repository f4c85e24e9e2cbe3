/**
 * The node's files that hold secrets, made owner-only when the controller starts (docs/protocol.md#trust-model-secrets
 * private"). A node started by this version creates them owner-only anyway (the controller's umask 077,
 * see `cli.ts`); this tightens what an older version created 0644/0755.
 *
 * Per xbrmm worker: the worker DB (replica, user keys), each maker's DB (offers, channels, balances), its
 * transaction journal, their LMDB `-lock` files, each maker's key file, and the IPFS files directory — plus
 * the directory each of those lives in when that is inside the node directory but not the node directory
 * itself (an admin's cbdir may hold other things, and its mode is theirs to choose). Guest workers are not
 * covered: the controller cannot know what their arguments mean, so each guest tightens its own files
 * (the IPFS guest its repo).
 */
import { dirname, isAbsolute, relative } from 'node:path';
import type { Logger } from '../../schema/index.js';
import { tightenOwnerOnly, type TightenOwnerOnlyResult } from '../../schema/index.js';
import type { NodeConfig, XbrmmWorkerConfig } from '../../config/index.js';

/** The maker's transaction journal beside its DB: the same rule as `journalPath` in worker/host/maker.ts. */
export const makerJournalPath = (makerDbPath: string): string => `${makerDbPath}.journal`;

/** Which chain the worker's DBs belong to, beside its DB: the same rule as `chainIdentityPath` in worker/host/chain-identity.ts. */
export const workerChainIdentityPath = (workerDbPath: string): string => `${workerDbPath}.chain.json`;

/** An LMDB environment at `path`: lmdb-js keeps the data file at `path` and its lock file beside it. */
const lmdbFiles = (path: string): string[] => [path, `${path}-lock`];

/** The durable state of one xbrmm worker, by what each path is (absolute, as validated). */
export interface WorkerDataFiles {
  readonly worker: string;
  /** The worker DB (LMDB: chain replica, user keys, IPFS log). */
  readonly database: string;
  /** `<worker db>.chain.json`: which chain instance the DBs belong to (absent before the first start). */
  readonly chainIdentity: string;
  readonly makers: readonly {
    readonly id: string;
    /** The maker DB (LMDB: offers, channels, balances, transactions). */
    readonly database: string;
    /** The maker's broadcast journal (LMDB) beside its DB. */
    readonly journal: string;
    /** The maker's Ethereum key (32 raw bytes). */
    readonly key: string;
  }[];
  /** The IPFS fetcher's files (re-fetchable), when the worker has one. */
  readonly ipfsDirectory?: string;
}

/** The data paths of `worker`: what `xbr-edge backup` copies and the controller keeps owner-only. */
export function workerDataFiles(worker: XbrmmWorkerConfig): WorkerDataFiles {
  const extra = worker.options.extra;
  return {
    worker: worker.id,
    database: extra.database.path,
    chainIdentity: workerChainIdentityPath(extra.database.path),
    makers: worker.makers.map((m) => ({ id: m.id, database: m.database.path, journal: makerJournalPath(m.database.path), key: m.key })),
    ...(extra.ipfs === undefined ? {} : { ipfsDirectory: extra.ipfs.directory }),
  };
}

/**
 * The paths of `worker` that hold secrets (absolute, as validated). A DB configured as a directory (no file
 * extension: lmdb-js then keeps `data.mdb` and `lock.mdb` inside) is tightened with what is in it.
 */
function workerSecretPaths(worker: XbrmmWorkerConfig): string[] {
  const files = workerDataFiles(worker);
  return [
    ...lmdbFiles(files.database),
    ...files.makers.flatMap((m) => [...lmdbFiles(m.database), ...lmdbFiles(m.journal), m.key]),
    ...(files.ipfsDirectory === undefined ? [] : [files.ipfsDirectory]),
  ];
}

/** True when `path` lies strictly inside `dir` (lexically, as both are absolute). */
function isStrictlyInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Tightens the secret paths of every xbrmm worker of `config` and their directories inside `cbdir` (see the
 * module comment); missing paths are skipped, links are not followed, failures are warnings.
 * @example tightenPrivateFiles(config, '/srv/node', log); // logs `tightened file mode {path, from, to}` per change
 */
export function tightenPrivateFiles(config: NodeConfig, cbdir: string, log: Logger): TightenOwnerOnlyResult {
  const secrets = new Set<string>();
  const directories = new Set<string>();
  for (const worker of config.workers) {
    if (worker.type !== 'xbrmm') continue;
    for (const path of workerSecretPaths(worker)) {
      // A secret configured as the node directory (or above it) would tighten the whole node: leave it.
      const containsNode = path === cbdir || isStrictlyInside(cbdir, path);
      if (containsNode) log.warn('not tightening a private path that contains the node directory', { path, cbdir });
      else secrets.add(path);
      const parent = dirname(path);
      if (isStrictlyInside(parent, cbdir)) directories.add(parent);
    }
  }
  const total: TightenOwnerOnlyResult = { changed: [], links: [], failed: [] };
  const add = (r: TightenOwnerOnlyResult): void => {
    total.changed.push(...r.changed);
    total.links.push(...r.links);
    total.failed.push(...r.failed);
  };
  for (const dir of directories) add(tightenOwnerOnly(dir, { log }));
  for (const path of secrets) add(tightenOwnerOnly(path, { recursive: true, log }));
  return total;
}
