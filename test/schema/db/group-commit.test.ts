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

test('writes queued in one turn run in order in ONE commit, after the turn; each promise settles after it', async () => {
  const { root, commits, close } = countingRoot();
  try {
    const c = groupCommitter(root, asChild(root), wrapError);
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
    const c = groupCommitter(root, asChild(root), (err) => new Error(`wrapped: ${(err as Error).message}`));
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
  const c = groupCommitter(failing, (fn) => fn(), (err) => err);
  const results = await Promise.allSettled([c.enqueue(() => 1), c.enqueue(() => 2)]);
  assert.deepEqual(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')), ['disk full', 'disk full']);
});

test('a check before the commit that throws: no callback runs, nothing is committed, every write of the group rejects', async () => {
  const { root, commits, close } = countingRoot();
  try {
    let room = false;
    const c = groupCommitter(root, asChild(root), (err) => new Error(`wrapped: ${(err as Error).message}`), () => {
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
    const c = groupCommitter(root, asChild(root), wrapError);
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
