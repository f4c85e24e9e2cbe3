/**
 * Group commit on the JS thread: every `enqueue(fn)` made during one event-loop turn runs, in call order,
 * as a nested (abortable) transaction of ONE synchronous LMDB commit at the end of that turn
 * (`setImmediate`), and its promise settles once that commit is durable.
 *
 * Why not lmdb-js' own batched `childTransaction`: its batch is driven from the writer thread, which has
 * to call back into the event loop to run the callbacks and again to report the commit — two event-loop
 * hops per batch, plus a third wait when a batch is already in flight. Under the market bench those hops
 * cost ~4 ms per purchase inside the purchase locks and ~200 µs of CPU (thread wake-ups, instruction
 * buffers). Here the commit runs on the event loop instead.
 *
 * Why MDB_NOMETASYNC: a plain LMDB commit flushes twice while it blocks the event loop — fdatasync of the
 * data pages, then the meta page written through LMDB's O_DSYNC descriptor — and every purchase in the
 * process waits behind both (the market bench's xbrmm worker spent a third of its time there). With
 * MDB_NOMETASYNC the commit still fdatasyncs its data pages before it writes the meta page (LMDB's order,
 * so a crash at any point leaves this commit or the one before, never a torn one) but leaves the meta page
 * in the page cache. That page becomes durable by whichever comes first:
 * - the next group commit: its own data fdatasync runs after this meta page was written, on the same file.
 *   Every commit writes a mark (`markCommit`), so none is empty and skips its fdatasync;
 * - `root.sync`, an fdatasync on a libuv thread, asked for after each commit (one at a time: a commit made
 *   while one runs gets the next).
 * Nothing resolves before one of them has run after its commit.
 *
 * Guarantees: callbacks run synchronously and in enqueue order, each in its own child transaction (one that
 * throws is rolled back alone and only its promise rejects, at once: nothing of it was written); nothing
 * resolves before the commit holding it is durable; a failed commit, or a failed sync before a later commit
 * made the writes durable, rejects them. A commit is visible to reads as soon as it is made, before it is
 * durable: whatever a later write derives from it is committed after it, so it is durable no earlier.
 */
import type { RootDatabase } from 'lmdb';

interface QueuedWrite {
  readonly fn: () => unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** A committed write waiting for its commit's meta page to be flushed. */
interface Unflushed {
  readonly write: QueuedWrite;
  readonly result: unknown;
  /** The number of the group commit that holds it. */
  readonly commit: number;
}

/** lmdb-js' default flags of a top-level `transactionSync` (abortable, committed before it returns) … */
const TXN_SYNC_COMMIT = 3;
/** … plus LMDB's MDB_NOMETASYNC for this transaction (lmdb-js hands the bits 0xf0000 to `mdb_txn_begin`). */
const MDB_NOMETASYNC = 0x40000;

/** The root as lmdb-js has it: `sync(cb)` fdatasyncs the environment on a libuv thread (not in its typings). */
type SyncableRoot = RootDatabase & { sync(callback: (err?: unknown) => void): void };

export interface GroupCommitter {
  /** Queues `fn` into this turn's commit; resolves with its result once that commit is durable. */
  enqueue<T>(fn: () => T): Promise<T>;
  /** Resolves once every write queued so far has been committed and flushed (or failed). */
  idle(): Promise<void>;
  /** Commits the queued writes now (used before closing the environment; `idle()` then waits for their flush). */
  flushNow(): void;
}

/**
 * @param runChild runs one queued callback inside the open write transaction (as a child transaction)
 * @param wrapError turns a failed callback's, commit's or sync's error into the error its promise rejects with
 * @param markCommit writes something small in every group commit, before its callbacks (see above: a commit
 *   that writes nothing would not flush the meta page of the one before)
 * @param beforeCommit runs before each commit; when it throws, no callback runs and every write of the group
 *   rejects with `wrapError` of what it threw (the DB's check that there is room to commit)
 */
export function groupCommitter(
  root: RootDatabase,
  runChild: (fn: () => unknown) => unknown,
  wrapError: (err: unknown) => unknown,
  markCommit: () => void,
  beforeCommit?: () => void,
): GroupCommitter {
  let queue: QueuedWrite[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let idleWaiters: (() => void)[] = [];
  /** In commit order. */
  let unflushed: Unflushed[] = [];
  let commits = 0;
  let syncing = false;
  let syncAgain = false;

  const wakeIfIdle = (): void => {
    if (scheduled !== undefined || syncing || unflushed.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  /** Settles every write of commits up to `commit`: resolved, or rejected with `err`. */
  const flushedThrough = (commit: number, err?: unknown): void => {
    let n = 0;
    while (n < unflushed.length && (unflushed[n] as Unflushed).commit <= commit) n++;
    if (n === 0) return;
    const done = unflushed.slice(0, n);
    unflushed = unflushed.slice(n);
    const e = err === undefined ? undefined : wrapError(err);
    for (const u of done) {
      if (e === undefined) u.write.resolve(u.result);
      else u.write.reject(e);
    }
  };

  const sync = (): void => {
    if (syncing) {
      syncAgain = true;
      return;
    }
    syncing = true;
    syncAgain = false;
    const through = commits;
    (root as SyncableRoot).sync((err?: unknown) => {
      syncing = false;
      flushedThrough(through, err ?? undefined);
      if (syncAgain && unflushed.length > 0) sync();
      else wakeIfIdle();
    });
  };

  const flushNow = (): void => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    const group = queue;
    queue = [];
    if (group.length > 0) commit(group);
    wakeIfIdle();
  };

  const commit = (group: QueuedWrite[]): void => {
    const results: unknown[] = new Array(group.length);
    const failed: boolean[] = new Array(group.length).fill(false);
    try {
      beforeCommit?.();
      root.transactionSync(() => {
        markCommit();
        for (let i = 0; i < group.length; i++) {
          try {
            results[i] = runChild((group[i] as QueuedWrite).fn);
          } catch (err) {
            failed[i] = true;
            results[i] = err;
          }
        }
      }, TXN_SYNC_COMMIT | MDB_NOMETASYNC);
    } catch (err) {
      const e = wrapError(err);
      for (const w of group) w.reject(e);
      return;
    }
    const n = ++commits;
    // This commit's data fdatasync ran after every earlier commit had written its meta page.
    flushedThrough(n - 1);
    for (let i = 0; i < group.length; i++) {
      const w = group[i] as QueuedWrite;
      if (failed[i] === true) w.reject(wrapError(results[i]));
      else unflushed.push({ write: w, result: results[i], commit: n });
    }
    if (unflushed.length > 0) sync();
  };

  return {
    enqueue<T>(fn: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
        scheduled ??= setImmediate(flushNow);
      });
    },
    idle(): Promise<void> {
      if (scheduled === undefined && !syncing && unflushed.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    flushNow,
  };
}
