/**
 * `xbr-edge backup --to DIR`: a consistent copy of a node's durable state, taken while the node runs or not.
 *
 * Per xbrmm worker (the paths come from `workerDataFiles`, the same list the controller keeps owner-only):
 * the worker DB, its chain identity file, and per maker its DB, its broadcast journal and its key; plus the
 * config file and `manifest.json` (backup-manifest.ts), written last.
 *
 * - **Databases and journals** (LMDB) are copied by LMDB itself (`snapshotEnv`: opened read-only, compact
 *   `mdb_env_copy` inside one read transaction): each copy is the state of one committed transaction of that
 *   environment, whatever the node writes meanwhile, and the node's writes and group commits go on while it
 *   runs. Each environment is copied at its own instant: the copies of two DBs are not one snapshot of both.
 *   Nothing needs them to be: the maker's ledger is self-contained (channels, balances and purchases in one
 *   DB, written in one transaction each), the worker DB is a replica the chain monitor catches up from its
 *   last block, and the journal's open entries are settled against the chain at start.
 * - **Keys, the config and the chain identity** are plain files the node writes once (atomically, by rename),
 *   so a plain copy is consistent.
 * - The directory must not exist or be empty. Everything is created owner-only (0700/0600) and flushed; a
 *   failed backup removes what it wrote.
 * - **An embedded dev chain's journal** (a guest with `--state DIR`), copied last and by whole lines (it only
 *   grows by appended lines): a chain at least as new as the ledgers, so that a node whose `.xbr-edge` is
 *   lost entirely comes back with its chain, channels and balances.
 * - Not copied: the IPFS fetcher's files (fetched again from IPFS), sockets, the node lock, an external chain.
 */
import { copyFileSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, renameSync, chmodSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { JOURNAL_FILE, JOURNAL_KIND } from '../../contracts/index.js';
import { fsyncPath, inspectEnvCopy, snapshotEnv } from '../../schema/db/index.js';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { GuestWorkerConfig, NodeConfig } from '../../config/index.js';
import { MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, MANIFEST_NAME, sha256File, type BackupFile, type BackupManifest, type BackupRole } from './backup-manifest.js';
import { workerDataFiles } from './private-files.js';

/**
 * The journal of the dev chain a guest keeps (its `--state DIR` argument, resolved against the guest's workdir
 * as the guest itself does: `DIR/journal`, the rule of contracts/devchain-journal.ts), or undefined for a guest
 * that keeps no chain state.
 */
export function guestChainJournal(guest: GuestWorkerConfig): string | undefined {
  const i = guest.arguments.indexOf('--state');
  const dir = i < 0 ? undefined : guest.arguments[i + 1];
  return dir === undefined ? undefined : join(resolve(guest.options.workdir, dir), JOURNAL_FILE);
}

export interface BackupNodeOptions {
  /** The controller running in the node directory, if any (recorded in the manifest). */
  running?: { pid: number; started: string } | null;
  /** Called once per file copied (for the command's output). */
  onFile?: (file: BackupFile) => void;
}

const failed = (message: string): WampError => new WampError(WampErrorUri.runtimeError, message);

/** A config id as a file name (ids are validated, but a backup must never write outside its directory). */
const safeName = (id: string): string => id.replace(/[^A-Za-z0-9._-]/g, '_');

/** One thing to copy: where it is, where its copy goes, what it is. */
interface Planned {
  readonly role: BackupRole;
  readonly worker?: string;
  readonly maker?: string;
  readonly path: string;
  readonly file: string;
  /** Absent at the source: skipped instead of failing (the chain identity before a first start). */
  readonly optional?: boolean;
}

function plan(config: NodeConfig, configPath: string): Planned[] {
  const out: Planned[] = [{ role: 'config', path: configPath, file: `config/${basename(configPath)}` }];
  for (const w of config.workers) {
    if (w.type !== 'xbrmm') continue;
    const files = workerDataFiles(w);
    const dir = safeName(w.id);
    out.push({ role: 'worker-db', worker: w.id, path: files.database, file: `${dir}/worker.mdb` });
    out.push({ role: 'chain-identity', worker: w.id, path: files.chainIdentity, file: `${dir}/worker.chain.json`, optional: true });
    for (const m of files.makers) {
      const name = safeName(m.id);
      out.push({ role: 'maker-db', worker: w.id, maker: m.id, path: m.database, file: `${dir}/${name}.maker.mdb` });
      out.push({ role: 'journal', worker: w.id, maker: m.id, path: m.journal, file: `${dir}/${name}.journal.mdb` });
      out.push({ role: 'key', worker: w.id, maker: m.id, path: m.key, file: `${dir}/${name}.key` });
    }
  }
  // Last: a chain copied after the ledgers is at least as new as they are; a maker behind its chain catches
  // up from it, a maker ahead of its chain would hold channels the chain does not know.
  for (const w of config.workers) {
    const journal = w.type === 'guest' ? guestChainJournal(w) : undefined;
    if (journal !== undefined) out.push({ role: 'devchain-journal', worker: w.id, path: journal, file: `${safeName(w.id)}/devchain-journal`, optional: true });
  }
  return out;
}

/**
 * Copies the complete lines of a dev chain journal the running chain may be appending to: a line is
 * appended with one write and made durable before its request is answered, so the bytes up to the last
 * newline are whole entries; a line still being written is a request nobody got an answer to yet.
 */
function copyJournalLines(path: string, dest: string): void {
  const text = readFileSync(path);
  const end = text.lastIndexOf(0x0a) + 1;
  const firstLine = text.subarray(0, text.indexOf(0x0a)).toString('utf8');
  if (end === 0 || !firstLine.includes(JOURNAL_KIND)) throw failed(`${path} is not a dev chain journal (its first line: ${firstLine.slice(0, 80)})`);
  writeFileSync(dest, text.subarray(0, end), { flag: 'wx', mode: 0o600 });
  fsyncPath(dest);
}

/** Makes `dir` an empty owner-only directory; true when this call created it. */
function prepareDirectory(dir: string): boolean {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw failed(`${dir} exists and is not a directory`);
    if (readdirSync(dir).length > 0) throw failed(`${dir} is not empty: back up into a new or empty directory`);
    chmodSync(dir, 0o700);
    return false;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return true;
}

const KIND_OF_ROLE: Partial<Record<BackupRole, string>> = { 'worker-db': 'worker', 'maker-db': 'maker', journal: 'chain-journal' };

async function copyOne(p: Planned, dir: string): Promise<BackupFile | undefined> {
  const dest = join(dir, p.file);
  mkdirSync(join(dest, '..'), { recursive: true, mode: 0o700 });
  const kind = KIND_OF_ROLE[p.role];
  let extra: Partial<BackupFile> = {};
  if (kind !== undefined) {
    await snapshotEnv(p.path, dest);
    const isMaker = p.role === 'maker-db';
    const info = await inspectEnvCopy(dest, isMaker ? ['payment_channels', 'paying_channels', 'transactions'] : []);
    if (info.kind !== kind) throw failed(`${p.path} holds a ${String(info.kind)} database, expected ${kind}`);
    extra = {
      ...(info.schema_version === undefined ? {} : { schema_version: info.schema_version }),
      ...(isMaker ? { channels: { payment: info.counts['payment_channels'] ?? 0, paying: info.counts['paying_channels'] ?? 0 }, transactions: info.counts['transactions'] ?? 0 } : {}),
    };
  } else {
    if (!existsSync(p.path)) {
      if (p.optional === true) return undefined;
      throw failed(`${p.path} (the ${p.role}${p.maker === undefined ? '' : ` of maker ${p.maker}`}) does not exist: has the node ever started?`);
    }
    if (p.role === 'devchain-journal') copyJournalLines(p.path, dest);
    else {
      copyFileSync(p.path, dest, constants.COPYFILE_EXCL);
      chmodSync(dest, 0o600);
      fsyncPath(dest);
    }
  }
  return {
    role: p.role,
    ...(p.worker === undefined ? {} : { worker: p.worker }),
    ...(p.maker === undefined ? {} : { maker: p.maker }),
    path: p.path,
    file: p.file,
    bytes: statSync(dest).size,
    sha256: sha256File(dest),
    ...extra,
  };
}

/**
 * Copies the node's durable state into `dir` (see the module doc) and returns the manifest written there.
 * @throws WampError `wamp.error.runtime_error` (`dir` not empty, a file missing), `xbr.error.storage` (a DB
 *   cannot be read); what was written is removed again
 * @example const manifest = await backupNode(node.config, node.paths, '/backup/xbr-edge-2026-12-07', { running: liveNodeLock(cbdir) ?? null });
 */
export async function backupNode(config: NodeConfig, paths: { cbdir: string; config: string }, dir: string, options: BackupNodeOptions = {}): Promise<BackupManifest> {
  const created = new Date().toISOString();
  const madeDir = prepareDirectory(dir);
  try {
    const files: BackupFile[] = [];
    for (const p of plan(config, paths.config)) {
      const file = await copyOne(p, dir);
      if (file === undefined) continue;
      files.push(file);
      options.onFile?.(file);
    }
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      format_version: MANIFEST_FORMAT_VERSION,
      created,
      node: config.controller.id,
      cbdir: paths.cbdir,
      config: paths.config,
      running: options.running ?? null,
      files,
    };
    const tmp = join(dir, `${MANIFEST_NAME}.tmp`);
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    fsyncPath(tmp);
    renameSync(tmp, join(dir, MANIFEST_NAME));
    for (const d of new Set([dir, ...files.map((f) => join(dir, f.file, '..'))])) fsyncPath(d);
    return manifest;
  } catch (err) {
    if (madeDir) rmSync(dir, { recursive: true, force: true });
    else for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
    throw err;
  }
}
