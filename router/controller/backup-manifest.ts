/**
 * The manifest of an `xbr-edge backup` directory (`manifest.json`): when and from which node it was taken, and
 * every file in it — what it is (role, worker, maker), where the node keeps it, its SHA-256, and for each
 * database its `schema_version` (and for a maker its channel and transaction counts). Written last, so a
 * directory without one is an unfinished backup; `restore` checks every hash before it touches anything.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WampError, WampErrorUri } from '../../schema/index.js';

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_FORMAT = 'xbr-edge-backup';
export const MANIFEST_FORMAT_VERSION = 1;

/**
 * What a file of a backup is. LMDB environments are stored as one compact data file each. `devchain-journal`
 * is the journal of an embedded dev chain (a guest with `--state DIR`: `DIR/journal`), its `worker` the guest.
 */
export type BackupRole = 'config' | 'worker-db' | 'chain-identity' | 'maker-db' | 'journal' | 'key' | 'devchain-journal';

/** The LMDB roles: copied with `mdb_env_copy`, restored with their lock files moved aside. */
export const LMDB_ROLES: ReadonlySet<BackupRole> = new Set(['worker-db', 'maker-db', 'journal']);

export interface BackupFile {
  readonly role: BackupRole;
  /** The xbrmm worker it belongs to (all but `config`); for `devchain-journal` the guest worker. */
  readonly worker?: string;
  /** The maker it belongs to (`maker-db`, `journal`, `key`). */
  readonly maker?: string;
  /** Where the node kept it (absolute), at backup time. */
  readonly path: string;
  /** The copy, relative to the backup directory. */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Databases: `meta.schema_version` of the copy. */
  readonly schema_version?: number;
  /** Maker DBs: channels in the copy. */
  readonly channels?: { readonly payment: number; readonly paying: number };
  /** Maker DBs: purchase transactions in the copy. */
  readonly transactions?: number;
}

export interface BackupManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly format_version: typeof MANIFEST_FORMAT_VERSION;
  /** ISO time the backup began. */
  readonly created: string;
  /** `controller.id` of the node. */
  readonly node: string;
  readonly cbdir: string;
  /** The config file backed up (absolute path at backup time). */
  readonly config: string;
  /** The controller that was running while the copies were taken (an online backup), or null. */
  readonly running: { readonly pid: number; readonly started: string } | null;
  readonly files: readonly BackupFile[];
}

const fail = (message: string): never => {
  throw new WampError(WampErrorUri.runtimeError, message);
};

/** SHA-256 (hex) of a file's contents. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Reads and checks the shape of `dir/manifest.json`.
 * @throws WampError `wamp.error.runtime_error` when it is missing or not a manifest of this format
 * @example const manifest = readManifest('/backup/xbr-edge-2026-12-07');
 */
export function readManifest(dir: string): BackupManifest {
  const path = join(dir, MANIFEST_NAME);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return fail(`${path}: no backup manifest (${err instanceof Error ? err.message : String(err)}); is ${dir} a complete xbr-edge backup?`);
  }
  const m = raw as Partial<BackupManifest>;
  if (m.format !== MANIFEST_FORMAT) fail(`${path}: not an xbr-edge backup manifest`);
  if (m.format_version !== MANIFEST_FORMAT_VERSION) fail(`${path}: backup format version ${String(m.format_version)}, this build reads ${MANIFEST_FORMAT_VERSION}`);
  if (!Array.isArray(m.files)) fail(`${path}: no file list`);
  for (const f of m.files as unknown[]) {
    const file = f as Partial<BackupFile>;
    const ok = typeof file.file === 'string' && typeof file.path === 'string' && typeof file.sha256 === 'string' && typeof file.role === 'string';
    // A file name that leaves the backup directory is not one this command wrote.
    if (!ok || file.file!.split(/[\\/]/).includes('..') || file.file!.startsWith('/')) fail(`${path}: malformed file entry ${JSON.stringify(f)}`);
  }
  return m as BackupManifest;
}

/**
 * The files of `manifest` whose copy in `dir` is missing or differs from its recorded SHA-256 (empty: intact).
 * @example const bad = verifyBackup(dir, manifest); if (bad.length > 0) throw …
 */
export function verifyBackup(dir: string, manifest: BackupManifest): string[] {
  const bad: string[] = [];
  for (const f of manifest.files) {
    let actual: string;
    try {
      actual = sha256File(join(dir, f.file));
    } catch {
      bad.push(`${f.file}: missing`);
      continue;
    }
    if (actual !== f.sha256) bad.push(`${f.file}: sha256 ${actual}, the manifest says ${f.sha256}`);
  }
  return bad;
}
