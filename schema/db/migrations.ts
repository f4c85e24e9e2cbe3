/**
 * Schema migrations: how a DB that an older build wrote becomes the current `schema_version` when it is
 * opened (`openDbEnv` runs them; see docs/storage-decisions.md "Schema versions and migrations").
 *
 * - Each kind of DB has an ordered list of steps `{from, to, describe, migrate}` (`to = from + 1`). A DB whose
 *   stored version is older than the build's is taken through the steps from its version up to the current one.
 * - **One step = one write transaction**, together with its `schema_version` update: a crash or an error in the
 *   middle of a step leaves the DB exactly as it was, at the old version; the next open runs the step again. A
 *   step therefore must be written so that it can run on any DB of its `from` version (it is, after all, run
 *   once per DB), synchronously, with no I/O but the handles it is given.
 * - Before the first step, a compact copy of the DB is taken beside it (`<path>.before-v<to>-<time>`): the build
 *   that wrote the old version refuses the migrated DB (it is newer than it knows), so going back to it after
 *   an upgrade needs that copy; and it undoes a step that committed something wrong.
 * - A version newer than the build's, or older with no steps leading from it, is refused as before
 *   (`xbr.error.storage_schema`): a build never opens a database it does not know.
 */
import type { Database } from 'lmdb';

/** What a step may touch: the sub-databases of the environment, bound to the step's write transaction. */
export interface MigrationTxn {
  /** The environment's path (for messages). */
  readonly path: string;
  /**
   * The sub-database `name` (declared in the environment's `subDbs`); reads and writes on it join the step's
   * write transaction. Valid only while `migrate` runs.
   */
  sub(name: string): Database;
}

/** One step of a kind's schema history. */
export interface Migration {
  readonly from: number;
  readonly to: number;
  /** What the step does, in a few words (logged). */
  readonly describe: string;
  /**
   * Changes a DB of version `from` into one of version `to`, synchronously, inside the step's write transaction
   * (throwing rolls the whole step back). May return counts for the log (e.g. `{ indexed: 12 }`).
   */
  migrate(txn: MigrationTxn): Record<string, number> | undefined;
}

/** A step that ran, as `DbEnv.migrated` and the log report it. */
export interface AppliedMigration {
  readonly from: number;
  readonly to: number;
  readonly describe: string;
  /** Counts the step returned. */
  readonly counts: Readonly<Record<string, number>>;
  /** Time the step's transaction took, ms. */
  readonly ms: number;
}

/**
 * The steps that take a DB from `stored` to `current`, in order; undefined when `migrations` has no such
 * chain (the DB is then refused). Empty when `stored === current`.
 * @example migrationSteps(MAKER_MIGRATIONS, 1, 2) // [{ from: 1, to: 2, … }]
 */
export function migrationSteps(migrations: readonly Migration[], stored: number, current: number): Migration[] | undefined {
  const steps: Migration[] = [];
  for (let v = stored; v < current; ) {
    const step = migrations.find((m) => m.from === v);
    if (step === undefined || step.to <= v || step.to > current) return undefined;
    steps.push(step);
    v = step.to;
  }
  return stored <= current ? steps : undefined;
}

/** The versions a build with `migrations` and `current` opens: the current one and every one a chain leads from. */
export function openableVersions(migrations: readonly Migration[], current: number): number[] {
  const from = migrations.map((m) => m.from).filter((v) => migrationSteps(migrations, v, current) !== undefined);
  return [...new Set([...from, current])].sort((a, b) => a - b);
}

/** `20261207T101112Z`: an ISO time usable in a file name. */
export function fileTimestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
