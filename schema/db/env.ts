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
 */
import { existsSync } from 'node:fs';
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
 */
export const SCHEMA_VERSIONS: Readonly<Record<DbKind, readonly number[]>> = { maker: [1, 2, 3], worker: [1] };

/** The version written into a fresh DB of `kind`. */
export function currentSchemaVersion(kind: DbKind): number {
  const versions = SCHEMA_VERSIONS[kind];
  return versions[versions.length - 1] as number;
}

/** Default map size (1 GiB) and the accepted bounds (128 KiB … 128 GiB, as the original). */
const DEFAULT_MAXSIZE = 1024 * 2 ** 20;
const MIN_MAXSIZE = 128 * 2 ** 10;
const MAX_MAXSIZE = 128 * 2 ** 30;

/** How a sub-database stores values. */
export type SubDbEncoding = 'msgpack' | 'binary';

export interface DbEnvOptions {
  /** Directory of the LMDB environment (created if missing). */
  path: string;
  kind: DbKind;
  /** Map size in bytes; default {@link DEFAULT_MAXSIZE}. */
  maxsize?: number;
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
  /** Runs `fn` in one synchronous write transaction; durable when this returns. Nested calls join the outer one. */
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
  /** Resolves when every write so far is on disk. */
  flushed(): Promise<void>;
  /** Closes the environment (pending batched writes are committed first). */
  close(): Promise<void>;
}

function guard<T>(fn: () => T, depth: { n: number; writes: number }): () => T {
  return () => {
    depth.n++;
    depth.writes++;
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
  };
}

function wrap(err: unknown, what: string): WampError {
  if (err instanceof WampError) return err;
  return storageError(`${what}: ${err instanceof Error ? err.message : String(err)}`, {}, err);
}

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
    // A queued write runs as a child transaction of the group's commit (nested transactionSync).
    const commits = groupCommitter(root, (fn) => root.transactionSync(guard(fn, depth)), (err) => wrap(err, 'write transaction failed'));
    return {
      path: options.path,
      kind: options.kind,
      meta,
      migrated,
      ...(copy === undefined ? {} : { copyBeforeMigration: copy }),
      sub,
      writeSync(fn) {
        try {
          return root.transactionSync(guard(fn, depth));
        } catch (err) {
          throw wrap(err, 'write transaction failed');
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
