/**
 * Group commit on the JS thread: every `enqueue(fn)` made during one event-loop turn runs, in call order,
 * as a nested (abortable) transaction of ONE synchronous LMDB commit at the end of that turn
 * (`setImmediate`), and its promise settles once that commit is fsynced.
 *
 * Why not lmdb-js' own batched `childTransaction`: its batch is driven from the writer thread, which has
 * to call back into the event loop to run the callbacks and again to report the commit — two event-loop
 * hops per batch, plus a third wait when a batch is already in flight. Under the market bench those hops
 * cost ~4 ms per purchase inside the purchase locks and ~200 µs of CPU (thread wake-ups, instruction
 * buffers), more than the fsync itself. Here the commit blocks the event loop for its pwrites and
 * fsync instead (a fraction of a millisecond on an SSD, shared by every write of the turn).
 *
 * Guarantees, as before: callbacks run synchronously and in enqueue order, each in its own child
 * transaction (one that throws is rolled back alone and only its promise rejects); nothing resolves
 * before the commit holding it is durable; a failed commit rejects every write of the group.
 */
import type { RootDatabase } from 'lmdb';

interface QueuedWrite {
  readonly fn: () => unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export interface GroupCommitter {
  /** Queues `fn` into this turn's commit; resolves with its result once that commit is durable. */
  enqueue<T>(fn: () => T): Promise<T>;
  /** Resolves once every write queued so far has been committed (or failed). */
  idle(): Promise<void>;
  /** Commits the queued writes now (used before closing the environment). */
  flushNow(): void;
}

/**
 * @param runChild runs one queued callback inside the open write transaction (as a child transaction)
 * @param wrapError turns a failed callback's or commit's error into the error its promise rejects with
 * @param beforeCommit runs before each commit; when it throws, no callback runs and every write of the group
 *   rejects with `wrapError` of what it threw (the DB's check that there is room to commit)
 */
export function groupCommitter(
  root: RootDatabase,
  runChild: (fn: () => unknown) => unknown,
  wrapError: (err: unknown) => unknown,
  beforeCommit?: () => void,
): GroupCommitter {
  let queue: QueuedWrite[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let idleWaiters: (() => void)[] = [];

  const flushNow = (): void => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    const group = queue;
    const waiters = idleWaiters;
    queue = [];
    idleWaiters = [];
    if (group.length > 0) commit(group);
    for (const wake of waiters) wake();
  };

  const commit = (group: QueuedWrite[]): void => {
    const results: unknown[] = new Array(group.length);
    const failed: boolean[] = new Array(group.length).fill(false);
    try {
      beforeCommit?.();
      root.transactionSync(() => {
        for (let i = 0; i < group.length; i++) {
          try {
            results[i] = runChild((group[i] as QueuedWrite).fn);
          } catch (err) {
            failed[i] = true;
            results[i] = err;
          }
        }
      });
    } catch (err) {
      const e = wrapError(err);
      for (const w of group) w.reject(e);
      return;
    }
    for (let i = 0; i < group.length; i++) {
      const w = group[i] as QueuedWrite;
      if (failed[i] === true) w.reject(wrapError(results[i]));
      else w.resolve(results[i]);
    }
  };

  return {
    enqueue<T>(fn: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
        scheduled ??= setImmediate(flushNow);
      });
    },
    idle(): Promise<void> {
      if (scheduled === undefined) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    flushNow,
  };
}
