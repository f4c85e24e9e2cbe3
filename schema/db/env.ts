/**
 * Opens an LMDB environment for a maker or worker DB: named sub-databases (binary keys, msgpack values
 * with bigint support), a `meta` table holding `schema_version` and `kind` (a DB of an older version is
 * migrated up at open, see `migrations.ts`), and the two write paths the ledger uses (docs/protocol.md#ledger-rules):
 *
 * - {@link DbEnv.writeSync}: one synchronous write transaction, durable (fsynced) when it returns.
 * - {@link DbEnv.write}: the callback runs synchronously as a nested (abortable) transaction inside the
 *   group commit of the current event-loop turn (`group-commit.ts`); the promise resolves once that
 *   commit is fsynced. A callback that throws is rolled back alone; the others in the group commit.
 *
 * `overlappingSync` is forced off (lmdb-js turns it on by default on Linux), so "committed" means
 * "durable" for both paths; `noSync` is never used.
 *
 * A full disk is kept from LMDB: every commit first checks that the DB's file system has at least
 * `minFreeBytes` free, and is refused otherwise. LMDB itself would fail such a commit (no writemap: it writes
 * its pages with pwrite at commit, ENOSPC or a short write reported as EIO), but lmdb-js 3.5's error paths there
 * are not safe to take: its message of a failed page write is formatted into a 100-byte buffer it can overflow
 * (seen: `free(): invalid size`, SIGABRT of the worker), and a failed page spill can end in an assertion. A
 * refused commit — by that check or by LMDB — is `xbr.error.storage` naming the DB, the cause and the free
 * space, commits nothing, and is told to the {@link DbEnv.onWriteFailure} listeners: the owner of the DB
 * decides to stop serving (the maker fails closed, worker/host/storage-fence.ts), and
 * {@link DbEnv.probeWrite} tells it when the DB can be written again.
 */
import { existsSync, statfsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { open, type Database, type DatabaseOptions, type RootDatabase, type Transaction } from 'lmdb';
import { WampError } from '../errors.js';
import type { Logger } from '../log.js';
import { copyOpenEnv } from './env-copy.js';
import { storageError } from '../storage-errors.js';
import { XbrErrorUri } from '../error-uris.js';
import { groupCommitter } from './group-commit.js';
import { fileTimestamp, migrationSteps, openableVersions, type AppliedMigration, type Migration, type MigrationTxn } from './migrations.js';

/** Which process a DB belongs to; a DB of one kind refuses to open as the other. */
export type DbKind = 'maker' | 'worker';

/**
 * Schema versions this build can open, per kind. The last one is written into fresh DBs; older ones are
 * migrated up to it at open by the kind's steps (`MAKER_MIGRATIONS`, `WORKER_MIGRATIONS`).
 * - maker 2: `idx_transaction_by_payment_seq` holds every transaction; `idx_transaction_by_state` only INFLIGHT ones.
 * - maker 3: balance records count their channel's sales and refunds.
 * - maker 4: the offer book is indexed by (API, seller), (API, category), (API, two categories), (API, URI) and expiry.
 */
export const SCHEMA_VERSIONS: Readonly<Record<DbKind, readonly number[]>> = { maker: [1, 2, 3, 4], worker: [1] };

/** The version written into a fresh DB of `kind`. */
export function currentSchemaVersion(kind: DbKind): number {
  const versions = SCHEMA_VERSIONS[kind];
  return versions[versions.length - 1] as number;
}

/** Default map size (1 GiB) and the accepted bounds (128 KiB … 128 GiB, as the original). */
const DEFAULT_MAXSIZE = 1024 * 2 ** 20;
const MIN_MAXSIZE = 128 * 2 ** 10;
const MAX_MAXSIZE = 128 * 2 ** 30;
/**
 * Free space a commit needs on the DB's file system, by default: far more than one commit can add to the file
 * (a group commit of hundreds of purchases writes well under 1 MiB of pages), with room for whatever else
 * writes to that disk between the check and the commit.
 */
const DEFAULT_MIN_FREE_BYTES = 16 * 2 ** 20;

/** How a sub-database stores values. */
export type SubDbEncoding = 'msgpack' | 'binary';

export interface DbEnvOptions {
  /** Directory of the LMDB environment (created if missing). */
  path: string;
  kind: DbKind;
  /** Map size in bytes; default {@link DEFAULT_MAXSIZE}. */
  maxsize?: number;
  /**
   * Commits are refused while the DB's file system has less free space than this (bytes available to
   * unprivileged users); default {@link DEFAULT_MIN_FREE_BYTES}; 0 turns the check off.
   */
  minFreeBytes?: number;
  /** Names and value encodings of the sub-databases (besides `meta`). */
  subDbs: Readonly<Record<string, SubDbEncoding>>;
  /**
   * For tests of the version check only: write/expect this version instead of the current one (no
   * migration runs).
   */
  schemaVersion?: number;
  /** The kind's migration steps; a DB of an older version is refused without them. */
  migrations?: readonly Migration[];
  /** Receives one line per copy and migration step (`{path, from, to, …}`). */
  log?: Logger;
}

/** Contents of the `meta` table. */
export interface DbMeta {
  schema_version: number;
  kind: DbKind;
  /** Creation time, ns since the epoch. */
  created: bigint;
}

/**
 * A read snapshot of a whole environment (one LMDB read transaction): every read given it sees the DB as it was
 * when it was taken, across awaits, while writers go on. Release it with `done()`: until then LMDB cannot reuse
 * the pages it sees, so the file may grow under heavy writes.
 */
export interface ReadSnapshot {
  /** The lmdb-js read transaction (for `Table` reads: `get(k, snapshot)`, `range({snapshot})`, `byIndex(…, {snapshot})`). */
  readonly txn: Transaction;
  /** Ends the snapshot; later calls do nothing. */
  done(): void;
}

/** An open environment. */
export interface DbEnv {
  readonly path: string;
  readonly kind: DbKind;
  readonly meta: DbMeta;
  /** The migration steps this open ran (empty when the DB was current). */
  readonly migrated: readonly AppliedMigration[];
  /** The copy taken before migrating, when steps ran. */
  readonly copyBeforeMigration?: string;
  /** The sub-database `name` (must have been declared in `subDbs`). */
  sub(name: string): Database;
  /**
   * Runs `fn` in one synchronous write transaction; durable when this returns. A call inside another write runs as a
   * nested transaction of it: rolled back alone when `fn` throws, committed (and durable) with the outer one.
   */
  writeSync<T>(fn: () => T): T;
  /** Runs `fn` synchronously in this event-loop turn's group commit; resolves when that commit is durable. */
  write<T>(fn: () => T): Promise<T>;
  /** True while a `writeSync`/`write` callback of this env is running (tables then skip nesting). */
  inWriteTxn(): boolean;
  /**
   * How many write callbacks (`writeSync`/`write`) this process has run on the env: unchanged means nothing was
   * written since, so a value derived from the DB may be reused (rolled-back callbacks count too).
   */
  writes(): number;
  /** Takes a {@link ReadSnapshot} (one read transaction) for reads that must be consistent across awaits. */
  readSnapshot(): ReadSnapshot;
  /**
   * Calls `listener` with the error of every write the DB refused to commit (disk full, I/O error) — not of a
   * write callback that threw (a ledger refusal). Returns its remover. A listener must not throw.
   */
  onWriteFailure(listener: (err: WampError) => void): () => void;
  /**
   * Checks the free space as a commit does, then commits `bytes` of scratch data into `meta` and removes them
   * again (two durable commits). Throws the write failure (listeners are not told).
   */
  probeWrite(bytes: number): void;
  /** Resolves when every write so far is on disk. */
  flushed(): Promise<void>;
  /** Closes the environment (pending batched writes are committed first). */
  close(): Promise<void>;
}

/** Errors thrown by write callbacks themselves: anything else out of a write transaction is the DB refusing it. */
const callbackErrors = new WeakSet<object>();

function guard<T>(fn: () => T, depth: { n: number; writes: number }): () => T {
  return () => {
    depth.n++;
    depth.writes++;
    try {
      let result: T;
      try {
        result = fn();
      } finally {
        depth.n--;
      }
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        throw storageError('a write transaction callback must be synchronous (no await inside a read-check-write)');
      }
      return result;
    } catch (err) {
      if (err !== null && typeof err === 'object') callbackErrors.add(err);
      throw err;
    }
  };
}

function wrap(err: unknown, what: string): WampError {
  if (err instanceof WampError) return err;
  return storageError(`${what}: ${err instanceof Error ? err.message : String(err)}`, {}, err);
}

/** The errno name of lmdb-js' error `code` (28 → `ENOSPC`), or undefined for LMDB's own codes and anything else. */
function errnoName(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'number' || code <= 0) return undefined;
  return Object.entries(osConstants.errno).find(([, n]) => n === code)?.[0];
}

/** Bytes available to unprivileged users on the file system of `path`. */
function freeBytes(path: string): number {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * A write LMDB did not commit: the DB, the cause as lmdb-js words it with its errno name, and the free space —
 * LMDB reports a full disk as ENOSPC or, for a short write, as EIO, so the free space says which it was.
 */
function writeFailure(path: string, err: unknown): WampError {
  if (err instanceof WampError) return err;
  const errno = errnoName(err);
  const text = err instanceof Error ? err.message : String(err);
  let free: number | undefined;
  let room: string;
  try {
    free = freeBytes(path);
    room = ` (its file system has ${mib(free)} free${free < 2 ** 20 ? ': no space left on device' : ''})`;
  } catch (statErr) {
    room = ` (the free space of its file system cannot be read: ${statErr instanceof Error ? statErr.message : String(statErr)})`;
  }
  return storageError(`database ${path} cannot be written${errno === undefined ? '' : ` (${errno})`}: ${text}${room}; nothing of this write was committed`, { path, ...(errno === undefined ? {} : { errno }), ...(free === undefined ? {} : { free_bytes: free }) }, err);
}

/** Throws the refusal of a commit while the file system of `path` has less than `minFree` bytes free. */
function checkRoom(path: string, minFree: number): void {
  if (minFree <= 0) return;
  let free: number;
  try {
    free = freeBytes(path);
  } catch (err) {
    throw storageError(`database ${path} cannot be written: the free space of its file system cannot be read (${err instanceof Error ? err.message : String(err)}); nothing was committed`, { path }, err);
  }
  if (free >= minFree) return;
  throw storageError(`database ${path} cannot be written: no space left on device (its file system has ${mib(free)} free, less than the ${mib(minFree)} kept free so that no commit runs out of space); nothing was committed`, { path, free_bytes: free, min_free_bytes: minFree });
}

/** Key of {@link DbEnv.probeWrite}'s scratch record in `meta` (removed by the same probe). */
const PROBE_KEY = 'write_probe';

function schemaError(path: string, message: string, kwargs: Record<string, unknown>): WampError {
  return new WampError(XbrErrorUri.storageSchema, `database ${path}: ${message}`, { kwargs: { path, ...kwargs } });
}

/**
 * Opens (or creates) the environment at `options.path` and checks its schema version and kind; a DB of an
 * older version that `options.migrations` lead from is copied (`<path>.before-v<to>-<time>`) and migrated,
 * each step in one write transaction with its `schema_version` update.
 * Throws `xbr.error.storage_schema` for an unknown/newer version or the wrong kind, `xbr.error.storage`
 * for any other failure (a failed step leaves the DB at the version it had); the environment is closed
 * again before throwing.
 * @example const env = await openDbEnv({ path: './mm1', kind: 'maker', subDbs: { offers: 'msgpack' } });
 */
export async function openDbEnv(options: DbEnvOptions): Promise<DbEnv> {
  const maxsize = options.maxsize ?? DEFAULT_MAXSIZE;
  if (!Number.isInteger(maxsize) || maxsize < MIN_MAXSIZE || maxsize > MAX_MAXSIZE) {
    throw storageError(`maxsize must be an integer between ${MIN_MAXSIZE} and ${MAX_MAXSIZE} bytes, got ${maxsize}`);
  }
  const names = Object.keys(options.subDbs);
  let root: RootDatabase;
  try {
    root = open({ path: options.path, mapSize: maxsize, maxDbs: names.length + 4, overlappingSync: false });
  } catch (err) {
    throw wrap(err, `cannot open database ${options.path}`);
  }
  try {
    const metaDb = root.openDB<unknown, string>('meta', { useBigIntExtension: true } as DatabaseOptions);
    const expected = options.schemaVersion ?? currentSchemaVersion(options.kind);
    const stored = readOrCreateMeta(root, metaDb, options, expected);
    const steps = migrationSteps(options.schemaVersion === undefined ? (options.migrations ?? []) : [], stored.schema_version, expected) ?? [];
    // The copy comes before anything else touches the old DB (opening the sub-databases creates new ones).
    const copy = steps.length === 0 ? undefined : freeName(`${options.path}.before-v${expected}-${fileTimestamp()}`);
    if (copy !== undefined) {
      await copyOpenEnv(root, options.path, copy);
      options.log?.info('copied the database before migrating it', { path: options.path, kind: options.kind, from: stored.schema_version, to: expected, copy });
    }
    const subs = new Map<string, Database>();
    const depth = { n: 0, writes: 0 };
    for (const name of names) {
      const encoding = options.subDbs[name] as SubDbEncoding;
      subs.set(
        name,
        encoding === 'binary'
          ? root.openDB(name, { keyEncoding: 'binary', encoding: 'binary' })
          : root.openDB(name, { keyEncoding: 'binary', encoding: 'msgpack', useBigIntExtension: true } as DatabaseOptions),
      );
    }
    const sub = (name: string): Database => {
      const db = subs.get(name);
      if (db === undefined) throw storageError(`no sub-database '${name}' in ${options.path}`);
      return db;
    };
    const migrated = steps.map((step) => runStep(root, metaDb, { path: options.path, sub }, step, options));
    const meta: DbMeta = { ...stored, schema_version: expected };
    const minFree = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
    const failureListeners = new Set<(err: WampError) => void>();
    const tell = (e: WampError): WampError => {
      for (const listener of failureListeners) listener(e);
      return e;
    };
    /** Before a commit: the refusal is told to the listeners here, so `failed` passes it on as it is. */
    const room = (): void => {
      try {
        checkRoom(options.path, minFree);
      } catch (err) {
        throw tell(err as WampError);
      }
    };
    const failed = (err: unknown): WampError => {
      if (err instanceof WampError || (err !== null && typeof err === 'object' && callbackErrors.has(err))) return wrap(err, 'write transaction failed');
      return tell(writeFailure(options.path, err));
    };
    // A queued write runs as a child transaction of the group's commit (nested transactionSync).
    const commits = groupCommitter(root, (fn) => root.transactionSync(guard(fn, depth)), failed, room);
    return {
      path: options.path,
      kind: options.kind,
      meta,
      migrated,
      ...(copy === undefined ? {} : { copyBeforeMigration: copy }),
      sub,
      writeSync(fn) {
        try {
          // A nested call joins the outer transaction, whose commit checks.
          if (depth.n === 0) room();
          return root.transactionSync(guard(fn, depth));
        } catch (err) {
          throw failed(err);
        }
      },
      write: (fn) => commits.enqueue(fn),
      inWriteTxn: () => depth.n > 0,
      writes: () => depth.writes,
      readSnapshot() {
        let txn: Transaction;
        try {
          txn = root.useReadTransaction();
        } catch (err) {
          throw wrap(err, 'cannot take a read snapshot');
        }
        let open = true;
        return {
          txn,
          done() {
            if (!open) return;
            open = false;
            txn.done();
          },
        };
      },
      onWriteFailure(listener) {
        failureListeners.add(listener);
        return () => void failureListeners.delete(listener);
      },
      probeWrite(bytes) {
        checkRoom(options.path, minFree);
        try {
          root.transactionSync(() => metaDb.putSync(PROBE_KEY, Buffer.alloc(bytes)));
          root.transactionSync(() => metaDb.removeSync(PROBE_KEY));
        } catch (err) {
          throw writeFailure(options.path, err);
        }
      },
      async flushed() {
        await commits.idle();
        await root.flushed;
      },
      async close() {
        commits.flushNow();
        await root.close();
      },
    };
  } catch (err) {
    await root.close().catch(() => undefined);
    throw wrap(err, `cannot open database ${options.path}`);
  }
}

/** `base`, or `base-1`, `base-2`, … if it exists (a start retried within the same second after a failed step). */
function freeName(base: string): string {
  let name = base;
  for (let i = 1; existsSync(name); i++) name = `${base}-${i}`;
  return name;
}

/** Runs one migration step and its `schema_version` update in one durable write transaction. */
function runStep(root: RootDatabase, metaDb: Database<unknown, string>, txn: MigrationTxn, step: Migration, options: DbEnvOptions): AppliedMigration {
  const t0 = performance.now();
  let counts: Record<string, number> = {};
  try {
    root.transactionSync(() => {
      counts = step.migrate(txn) ?? {};
      metaDb.putSync('schema_version', step.to);
    });
  } catch (err) {
    throw storageError(
      `database ${options.path}: migration ${step.from} → ${step.to} (${step.describe}) failed, the database is left at version ${step.from}: ${err instanceof Error ? err.message : String(err)}`,
      { path: options.path, from: step.from, to: step.to },
      err,
    );
  }
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  options.log?.info('migrated the database', { path: options.path, kind: options.kind, from: step.from, to: step.to, describe: step.describe, ms, ...counts });
  return { from: step.from, to: step.to, describe: step.describe, counts, ms };
}

function readOrCreateMeta(root: RootDatabase, metaDb: Database<unknown, string>, options: DbEnvOptions, expected: number): DbMeta {
  const version = metaDb.get('schema_version');
  const kind = metaDb.get('kind');
  if (version === undefined && kind === undefined) {
    const others = [...root.getKeys()].filter((k) => String(k) !== 'meta');
    if (others.length > 0) throw schemaError(options.path, 'has tables but no schema_version; not an xbr-edge database', {});
    const created = BigInt(Date.now()) * 1_000_000n;
    root.transactionSync(() => {
      metaDb.putSync('schema_version', expected);
      metaDb.putSync('kind', options.kind);
      metaDb.putSync('created', created);
    });
    return { schema_version: expected, kind: options.kind, created };
  }
  if (kind !== options.kind) {
    throw schemaError(options.path, `is a ${String(kind)} database, expected ${options.kind}`, { kind, expected_kind: options.kind });
  }
  const supported = options.schemaVersion === undefined ? openableVersions(options.migrations ?? [], expected) : [options.schemaVersion];
  if (typeof version !== 'number' || !supported.includes(version)) {
    const newer = typeof version === 'number' && version > expected;
    const older = supported.filter((v) => v < expected);
    throw schemaError(
      options.path,
      `has schema_version ${String(version)}, ${newer ? 'newer than' : 'unknown to'} this build (it writes ${expected}${older.length === 0 ? '' : ` and migrates ${older.join(', ')}`})`,
      { schema_version: version, supported },
    );
  }
  const created = metaDb.get('created');
  return { schema_version: version, kind: options.kind, created: typeof created === 'bigint' ? created : 0n };
}
