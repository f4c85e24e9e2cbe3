/**
 * `xbr-edge restore --from DIR`: puts the files of an `xbr-edge backup` back where the node's config names
 * them, with the node stopped. Disaster recovery: see docs/operations.md "Backups" for what a restored ledger
 * means for the states the counterparties hold signed.
 *
 * 1. Reads the manifest and checks every file's SHA-256: a damaged or incomplete backup is refused before
 *    anything is touched.
 * 2. Maps each file to the path the **current** config gives it (by worker and maker id — a dev chain journal by its guest's id and `--state` — not by the path
 *    recorded at backup time, so a node moved to another directory restores in place); a worker or maker of
 *    the backup the config does not name is refused; databases newer than this build are refused (the node
 *    would not open them). The config file itself is not restored (it is in the backup, under `config/`).
 * 3. Takes the node directory's lock for the whole restore: refused while a node runs there, and no node can
 *    start in the middle of it.
 * 4. Stages each copy beside its target (`<path>.restore-<time>.tmp`), then moves every current file aside
 *    (`<path>.before-restore-<time>`, with an LMDB lock file beside it) and renames the staged copy in place.
 *    Nothing is deleted: the files moved aside are the operator's to remove.
 */
import { chmodSync, copyFileSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SCHEMA_VERSIONS, fileTimestamp, fsyncPath, lmdbLayout, type DbKind } from '../../schema/db/index.js';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { NodeConfig } from '../../config/index.js';
import { LMDB_ROLES, readManifest, verifyBackup, type BackupFile, type BackupManifest } from './backup-manifest.js';
import { acquireNodeLock } from './node-lock.js';
import { guestChainJournal } from './backup.js';
import { workerDataFiles } from './private-files.js';

/** One file put back. */
export interface RestoredFile {
  readonly role: BackupFile['role'];
  readonly worker?: string;
  readonly maker?: string;
  /** Where it now is. */
  readonly path: string;
  /** Where what was there before went (undefined: nothing was there). */
  readonly movedAside?: string;
}

export interface RestoreResult {
  readonly manifest: BackupManifest;
  readonly restored: readonly RestoredFile[];
  /** Makers of the config the backup has no files of (left as they are). */
  readonly notInBackup: readonly string[];
}

const failed = (message: string): WampError => new WampError(WampErrorUri.runtimeError, message);

const DB_KIND: Partial<Record<BackupFile['role'], DbKind>> = { 'worker-db': 'worker', 'maker-db': 'maker' };

/** The path the current config gives the backup's file `f`, or undefined when it does not name its worker/maker. */
function targetOf(config: NodeConfig, f: BackupFile): string | undefined {
  if (f.role === 'devchain-journal') {
    const guest = config.workers.find((w) => w.type === 'guest' && w.id === f.worker);
    return guest?.type === 'guest' ? guestChainJournal(guest) : undefined;
  }
  const worker = config.workers.find((w) => w.type === 'xbrmm' && w.id === f.worker);
  if (worker === undefined || worker.type !== 'xbrmm') return undefined;
  const files = workerDataFiles(worker);
  if (f.role === 'worker-db') return files.database;
  if (f.role === 'chain-identity') return files.chainIdentity;
  const maker = files.makers.find((m) => m.id === f.maker);
  if (maker === undefined) return undefined;
  return f.role === 'maker-db' ? maker.database : f.role === 'journal' ? maker.journal : f.role === 'key' ? maker.key : undefined;
}

/** The file a target path's data lives in: an LMDB environment kept as a directory has it inside. */
const dataFileOf = (f: BackupFile, target: string): string => (LMDB_ROLES.has(f.role) ? lmdbLayout(target).data : target);

/** Moves what is at `target` (and an LMDB lock file beside it) to `<name>.before-restore-<stamp>`; returns where the data went. */
function moveAside(f: BackupFile, target: string, stamp: string): string | undefined {
  const suffix = `.before-restore-${stamp}`;
  if (LMDB_ROLES.has(f.role) && lmdbLayout(target).kind === 'directory') {
    if (!existsSync(target)) return undefined;
    renameSync(target, target + suffix);
    return target + suffix;
  }
  const lock = LMDB_ROLES.has(f.role) ? lmdbLayout(target).lock : undefined;
  if (lock !== undefined && existsSync(lock)) renameSync(lock, lock + suffix);
  if (!existsSync(target)) return undefined;
  renameSync(target, target + suffix);
  return target + suffix;
}

/**
 * Restores the backup in `dir` into the node of `config` (see the module doc).
 * @throws WampError `xbr.error.node_running` (a node runs in `cbdir`), `wamp.error.runtime_error` (damaged
 *   backup, a worker or maker the config does not name, a database newer than this build)
 * @example const { restored } = restoreNode(node.config, node.paths, '/backup/xbr-edge-2026-12-07');
 */
export function restoreNode(config: NodeConfig, paths: { cbdir: string }, dir: string): RestoreResult {
  const manifest = readManifest(dir);
  const bad = verifyBackup(dir, manifest);
  if (bad.length > 0) throw failed(`the backup in ${dir} is damaged, nothing was restored:\n  ${bad.join('\n  ')}`);

  const plan: { f: BackupFile; target: string }[] = [];
  for (const f of manifest.files) {
    if (f.role === 'config') continue;
    const target = targetOf(config, f);
    if (target === undefined) {
      const owner = f.role === 'devchain-journal' ? `guest ${f.worker} (with --state DIR)` : f.maker === undefined ? `worker ${f.worker}` : `maker ${f.maker} of worker ${f.worker}`;
      throw failed(`the backup holds the ${f.role} of ${owner}, which the config does not name; nothing was restored`);
    }
    const kind = DB_KIND[f.role];
    const known = kind === undefined ? undefined : SCHEMA_VERSIONS[kind];
    if (known !== undefined && f.schema_version !== undefined && f.schema_version > Math.max(...known)) {
      throw failed(`${f.file} has schema_version ${f.schema_version}, newer than this build (${Math.max(...known)}): restore it with the build that wrote it; nothing was restored`);
    }
    plan.push({ f, target });
  }
  const inBackup = new Set(manifest.files.filter((f) => f.role === 'maker-db').map((f) => `${f.worker}/${f.maker}`));
  const notInBackup = config.workers.flatMap((w) => (w.type === 'xbrmm' ? w.makers.map((m) => `${w.id}/${m.id}`) : [])).filter((m) => !inBackup.has(m));

  const lock = acquireNodeLock(paths.cbdir);
  try {
    const stamp = fileTimestamp();
    // Stage every copy first: the renames that follow are all that can leave the node half restored.
    const staged = plan.map(({ f, target }) => {
      // Beside the target (same file system), not inside it: an environment kept as a directory is moved aside whole.
      const tmp = `${target}.restore-${stamp}.tmp`;
      mkdirSync(dirname(tmp), { recursive: true, mode: 0o700 });
      copyFileSync(join(dir, f.file), tmp, constants.COPYFILE_EXCL);
      chmodSync(tmp, 0o600);
      fsyncPath(tmp);
      return { f, target, tmp };
    });
    const restored: RestoredFile[] = [];
    try {
      for (const { f, target, tmp } of staged) {
        let aside: string | undefined;
        try {
          aside = moveAside(f, target, stamp);
          const data = dataFileOf(f, target);
          mkdirSync(dirname(data), { recursive: true, mode: 0o700 });
          renameSync(tmp, data);
          fsyncPath(dirname(data));
        } catch (err) {
          const done = restored.map((r) => `${r.path}${r.movedAside === undefined ? '' : ` (was moved to ${r.movedAside})`}`);
          throw failed(
            `restore stopped at ${target}${aside === undefined ? '' : ` (moved to ${aside})`}: ${err instanceof Error ? err.message : String(err)}; ` +
              `restored before it: ${done.length === 0 ? 'nothing' : done.join(', ')}. Put the files moved aside back, or run the restore again.`,
          );
        }
        restored.push({ role: f.role, ...(f.worker === undefined ? {} : { worker: f.worker }), ...(f.maker === undefined ? {} : { maker: f.maker }), path: target, ...(aside === undefined ? {} : { movedAside: aside }) });
      }
    } finally {
      for (const { tmp } of staged) rmSync(tmp, { force: true });
    }
    return { manifest, restored, notInBackup };
  } finally {
    lock.release();
  }
}
