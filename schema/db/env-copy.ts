/**
 * Consistent copies of LMDB environments (`xbr-edge backup`, and the copy taken before a migration) and what
 * a copy holds.
 *
 * A copy is LMDB's own `mdb_env_copy2` with `MDB_CP_COMPACT` (lmdb-js `root.backup(path, true)`): it runs inside
 * one read transaction, so it is the state of one committed transaction — every write committed before it
 * began and none after — whoever writes meanwhile, in this process or another. The compacting variant takes no
 * lock the writer needs (the plain one holds the writer mutex while it copies the meta pages) and leaves free
 * pages out. The source is opened **read-only** from another process: that takes a reader slot in its lock
 * file and nothing else; the running node's writes and group commits go on while the copy runs (while the
 * reader is open, pages freed by newer commits are not reused, so the file may grow by what is written meanwhile).
 *
 * Paths follow lmdb-js: a path with an extension (`maker1.db`) is an environment of one data file (`path`) with
 * its lock file `path-lock`; a path without one (`maker1`) is a directory holding `data.mdb` and `lock.mdb`.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, chmodSync } from 'node:fs';
import { extname, join } from 'node:path';
import { open, type DatabaseOptions, type RootDatabase } from 'lmdb';
import { storageError } from '../storage-errors.js';

/** Where lmdb-js keeps the files of the environment at `path`. */
export interface LmdbLayout {
  readonly kind: 'file' | 'directory';
  /** The data file. */
  readonly data: string;
  /** The lock file. */
  readonly lock: string;
}

/** The layout lmdb-js gives the environment at `path` (an extension: one file; none: a directory). */
export function lmdbLayout(path: string): LmdbLayout {
  return extname(path) === '' ? { kind: 'directory', data: join(path, 'data.mdb'), lock: join(path, 'lock.mdb') } : { kind: 'file', data: path, lock: `${path}-lock` };
}

/** Flushes a file (or directory) to disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a compact, consistent copy of the open environment `root` (whose path is `sourcePath`) in the same
 * layout at `dest` (a file, or a directory with `data.mdb`), owner-only and flushed. `dest` must not exist.
 * Returns the copy's data file.
 * @example await copyOpenEnv(root, '/srv/node/.xbr-edge/maker1.db', '/srv/node/.xbr-edge/maker1.db.before-v2-20261207T101112Z');
 */
export async function copyOpenEnv(root: RootDatabase, sourcePath: string, dest: string): Promise<string> {
  const layout = lmdbLayout(sourcePath);
  if (existsSync(dest)) throw storageError(`cannot copy ${sourcePath} to ${dest}: it exists`);
  if (layout.kind === 'directory') mkdirSync(dest, { mode: 0o700 });
  const data = layout.kind === 'directory' ? join(dest, 'data.mdb') : dest;
  try {
    await root.backup(dest, true);
  } catch (err) {
    throw storageError(`cannot copy ${sourcePath} to ${dest}: ${err instanceof Error ? err.message : String(err)}`, { path: sourcePath }, err);
  }
  chmodSync(data, 0o600);
  fsyncPath(data);
  return data;
}

/**
 * Copies the environment at `sourcePath` — opened read-only here, possibly written by another process meanwhile
 * — into the single data file `destFile` (whatever the source's layout), owner-only and flushed.
 * @throws `xbr.error.storage` when the source does not exist or cannot be read, or `destFile` exists
 * @example await snapshotEnv('/srv/node/.xbr-edge/maker1.db', '/backup/xbrmm1/maker1.maker.mdb');
 */
export async function snapshotEnv(sourcePath: string, destFile: string): Promise<void> {
  const layout = lmdbLayout(sourcePath);
  // Opening a missing environment would create it (lmdb-js makes the directory): look first.
  if (!existsSync(layout.data)) throw storageError(`no database at ${sourcePath} (${layout.data} does not exist)`, { path: sourcePath });
  if (existsSync(destFile)) throw storageError(`cannot copy ${sourcePath} to ${destFile}: it exists`);
  let root: RootDatabase;
  try {
    root = open({ path: sourcePath, readOnly: true, noSubdir: layout.kind === 'file' });
  } catch (err) {
    throw storageError(`cannot open ${sourcePath} read-only: ${err instanceof Error ? err.message : String(err)}`, { path: sourcePath }, err);
  }
  try {
    if (layout.kind === 'file') {
      await copyOpenEnv(root, sourcePath, destFile);
    } else {
      const tmp = `${destFile}.tmp-dir`;
      const data = await copyOpenEnv(root, sourcePath, tmp);
      renameSync(data, destFile);
      rmSync(tmp, { recursive: true, force: true });
    }
  } finally {
    await root.close();
  }
}

/** What a copy holds: its `meta` (kind, schema_version) and the number of records in some sub-databases. */
export interface EnvCopyInfo {
  /** `meta.kind`: `maker`, `worker`, `chain-journal`, … (undefined: no meta table). */
  readonly kind: string | undefined;
  readonly schema_version: number | undefined;
  /** Records per sub-database asked for (0 when the sub-database does not exist). */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Opens the single-file copy `file` read-only and reads its meta and record counts; removes the lock file the
 * open leaves beside it. Throws `xbr.error.storage` when it is not a readable LMDB file.
 * @example const { schema_version, counts } = await inspectEnvCopy('/backup/xbrmm1/maker1.maker.mdb', ['payment_channels']);
 */
export async function inspectEnvCopy(file: string, countSubDbs: readonly string[] = []): Promise<EnvCopyInfo> {
  let root: RootDatabase;
  try {
    root = open({ path: file, readOnly: true, noSubdir: true, maxDbs: countSubDbs.length + 4 });
  } catch (err) {
    throw storageError(`${file} is not a readable LMDB database: ${err instanceof Error ? err.message : String(err)}`, { path: file }, err);
  }
  try {
    const names = new Set([...root.getKeys()].map(String));
    let kind: string | undefined;
    let version: number | undefined;
    if (names.has('meta')) {
      const meta = root.openDB<unknown, string>('meta', { useBigIntExtension: true } as DatabaseOptions);
      const k = meta.get('kind');
      const v = meta.get('schema_version');
      kind = typeof k === 'string' ? k : undefined;
      version = typeof v === 'number' ? v : undefined;
    }
    const counts: Record<string, number> = {};
    for (const name of countSubDbs) counts[name] = names.has(name) ? root.openDB(name, { keyEncoding: 'binary', encoding: 'binary' }).getKeysCount() : 0;
    return { kind, schema_version: version, counts };
  } finally {
    await root.close();
    rmSync(`${file}-lock`, { force: true });
  }
}
