import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { open, type RootDatabase } from 'lmdb';
import { groupCommitter } from '../../../schema/db/group-commit.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;

/** A real LMDB root whose top-level commits are counted (nested calls are the per-write child transactions). */
function countingRoot(): { root: RootDatabase; commits: () => number; close: () => Promise<void> } {
  const root = open({ path: join(tmp.dir, `gc${n++}`), overlappingSync: false });
  let depth = 0;
  let commits = 0;
  const real = root.transactionSync.bind(root);
  const counting = ((fn: () => unknown, flags?: number) => {
    if (depth === 0) commits++;
    depth++;
    try {
      return real(fn, flags);
    } finally {
      depth--;
    }
  }) as RootDatabase['transactionSync'];
  const proxy = new Proxy(root, { get: (target, prop) => (prop === 'transactionSync' ? counting : Reflect.get(target, prop)) });
  return { root: proxy, commits: () => commits, close: () => root.close() };
}

const wrapError = (err: unknown): unknown => err;
const asChild = (root: RootDatabase) => (fn: () => unknown) => root.transactionSync(fn);
/** The mark every group commit writes, as env.ts writes its own into `meta`. */
const markOf = (root: RootDatabase) => {
  let marks = 0;
  return (): void => void root.putSync('mark', ++marks);
};

test('writes queued in one turn run in order in ONE commit, after the turn; each promise settles after it', async () => {
  const { root, commits, close } = countingRoot();
  try {
    const c = groupCommitter(root, asChild(root), wrapError, markOf(root));
    const order: number[] = [];
    const promises = [1, 2, 3].map((i) =>
      c.enqueue(() => {
        order.push(i);
        root.putSync(`k${i}`, i);
        return root.get(`k${i - 1}`) ?? null; // read-your-writes of the earlier ones in the group
      }),
    );
    assert.deepEqual(order, [], 'nothing runs before the end of the turn');
    assert.equal(root.get('k1'), undefined);
    assert.deepEqual(await Promise.all(promises), [null, 1, 2]);
    assert.deepEqual(order, [1, 2, 3]);
    assert.equal(commits(), 1);
    await c.enqueue(() => root.putSync('k4', 4));
    assert.equal(commits(), 2, 'a later turn is a new commit');
  } finally {
    await close();
  }
});

test('a throwing write is rolled back alone and rejects with the wrapped error; the others commit', async () => {
  const { root, close } = countingRoot();
  try {
    const c = groupCommitter(root, asChild(root), (err) => new Error(`wrapped: ${(err as Error).message}`), markOf(root));
    const results = await Promise.allSettled([
      c.enqueue(() => root.putSync('a', 1)),
      c.enqueue(() => {
        root.putSync('b', 2);
        throw new Error('boom');
      }),
      c.enqueue(() => root.putSync('c', 3)),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(((results[1] as PromiseRejectedResult).reason as Error).message, 'wrapped: boom');
    assert.equal(root.get('a'), 1);
    assert.equal(root.get('b'), undefined, 'the failed write left nothing behind');
    assert.equal(root.get('c'), 3);
  } finally {
    await close();
  }
});

test('a commit that fails rejects every write of its group', async () => {
  const failing = { transactionSync: () => { throw new Error('disk full'); } } as unknown as RootDatabase;
  const c = groupCommitter(failing, (fn) => fn(), (err) => err, () => undefined);
  const results = await Promise.allSettled([c.enqueue(() => 1), c.enqueue(() => 2)]);
  assert.deepEqual(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')), ['disk full', 'disk full']);
});

test('a check before the commit that throws: no callback runs, nothing is committed, every write of the group rejects', async () => {
  const { root, commits, close } = countingRoot();
  try {
    let room = false;
    const c = groupCommitter(root, asChild(root), (err) => new Error(`wrapped: ${(err as Error).message}`), markOf(root), () => {
      if (!room) throw new Error('no space left on device');
    });
    let ran = 0;
    const results = await Promise.allSettled([c.enqueue(() => root.putSync('a', ++ran)), c.enqueue(() => root.putSync('b', ++ran))]);
    assert.deepEqual(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')), ['wrapped: no space left on device', 'wrapped: no space left on device']);
    assert.equal(ran, 0);
    assert.equal(commits(), 0);
    assert.equal(root.get('a'), undefined);
    room = true;
    await c.enqueue(() => root.putSync('a', 1));
    assert.equal(root.get('a'), 1);
  } finally {
    await close();
  }
});

test('flushNow commits at once and wakes idle(); a write queued inside a write goes to the next commit', async () => {
  const { root, commits, close } = countingRoot();
  try {
    const c = groupCommitter(root, asChild(root), wrapError, markOf(root));
    let inner: Promise<unknown> | undefined;
    const outer = c.enqueue(() => {
      root.putSync('x', 1);
      inner = c.enqueue(() => root.get('x'));
    });
    const idle = c.idle();
    c.flushNow();
    assert.equal(root.get('x'), 1, 'committed synchronously');
    assert.equal(commits(), 1);
    await Promise.all([outer, idle]);
    assert.equal(await inner, 1, 'the nested write ran in a later commit and saw the first');
    assert.equal(commits(), 2);
    await c.idle();
  } finally {
    await close();
  }
});

/** A real root whose `sync` (the meta page's flush) is held until the test releases it. */
function heldSyncRoot(): { root: RootDatabase; pending: () => number; release: (err?: Error) => void; close: () => Promise<void> } {
  const root = open({ path: join(tmp.dir, `gc${n++}`), overlappingSync: false });
  const held: ((err?: unknown) => void)[] = [];
  const sync = (cb: (err?: unknown) => void): void => void held.push(cb);
  const proxy = new Proxy(root, { get: (target, prop) => (prop === 'sync' ? sync : Reflect.get(target, prop)) });
  return {
    root: proxy,
    pending: () => held.length,
    // The real flush runs first, so a released write is on disk as it would be.
    release: (err) => {
      const cb = held.shift() as (err?: unknown) => void;
      if (err !== undefined) cb(err);
      else (root as unknown as { sync(cb: (err?: unknown) => void): void }).sync(cb);
    },
    close: () => root.close(),
  };
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

test('a write resolves only once the sync after its commit has run; it is visible from the commit on', async () => {
  const { root, pending, release, close } = heldSyncRoot();
  try {
    const c = groupCommitter(root, asChild(root), wrapError, markOf(root));
    const w = c.enqueue(() => root.putSync('a', 1));
    const idle = c.idle();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(root.get('a'), 1, 'committed at the end of the turn');
    assert.equal(pending(), 1, 'one sync asked for');
    assert.equal(await settled(w), false, 'not resolved before the sync');
    assert.equal(await settled(idle), false, 'idle() waits for the sync too');
    release();
    assert.equal(await w, true);
    await idle;
  } finally {
    await close();
  }
});

test('the next commit makes the one before durable (its data flush follows that meta page); a sync covers the rest', async () => {
  const { root, pending, release, close } = heldSyncRoot();
  try {
    const c = groupCommitter(root, asChild(root), wrapError, markOf(root));
    const first = c.enqueue(() => root.putSync('a', 1));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await settled(first), false);
    const second = c.enqueue(() => root.putSync('b', 2));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await settled(first), true, 'resolved by the second commit, its sync still held');
    assert.equal(await settled(second), false);
    const third = c.enqueue(() => root.putSync('c', 3));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await settled(second), true);
    assert.equal(await settled(third), false);
    assert.equal(pending(), 1, 'one sync at a time');
    release();
    while (pending() === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    assert.equal(await settled(third), false, 'the sync released started before the third commit');
    assert.equal(pending(), 1, 'the next one covers it');
    release();
    await third;
    assert.equal(pending(), 0);
    await c.idle();
  } finally {
    await close();
  }
});

test('a commit whose callbacks all throw still writes the mark, so it too flushes the meta page of the one before', async () => {
  const { root, close } = heldSyncRoot();
  try {
    const c = groupCommitter(root, asChild(root), wrapError, markOf(root));
    const first = c.enqueue(() => root.putSync('a', 1));
    await new Promise((resolve) => setImmediate(resolve));
    const refused = c.enqueue(() => {
      throw new Error('refused');
    });
    await assert.rejects(refused);
    assert.equal(root.get('mark'), 2, 'both commits wrote their mark');
    assert.equal(await settled(first), true);
  } finally {
    await close();
  }
});

test('a sync that fails rejects every write it was for; a refused write rejects without waiting for it', async () => {
  const { root, release, close } = heldSyncRoot();
  try {
    const c = groupCommitter(root, asChild(root), (err) => new Error(`wrapped: ${(err as Error).message}`), markOf(root));
    const ok = c.enqueue(() => root.putSync('a', 1));
    const refused = c.enqueue(() => {
      throw new Error('refused');
    });
    await assert.rejects(refused, /wrapped: refused/);
    release(new Error('EIO'));
    await assert.rejects(ok, /wrapped: EIO/);
    await c.idle();
  } finally {
    await close();
  }
});
