/**
 * A DB on a full disk: a commit is refused before LMDB runs out of space (the DB keeps `minFreeBytes` free on its
 * file system), with `xbr.error.storage` naming the DB, "no space left on device" and the free space; nothing is
 * committed, the refusal is told to the write-failure listeners (a write callback's own refusal is not), and
 * `probeWrite` fails until space is back; then the DB takes writes again with everything committed before
 * intact. The disk is a small tmpfs filled with a file (root only, skipped otherwise), or a reserve larger than
 * any disk. And MDB_MAP_FULL, the other "full": lmdb-js grows the map past `maxsize`, so it never reaches the
 * ledger.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WampError } from '../../../schema/errors.js';
import { openDbEnv, type DbEnv } from '../../../schema/db/env.js';
import { mountTmpfs } from '../../helpers/tmpfs.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());

const isNoSpace = (path: string, minFree: number) => (e: unknown): boolean =>
  e instanceof WampError &&
  e.uri === 'xbr.error.storage' &&
  e.message.startsWith(`database ${path} cannot be written: no space left on device (its file system has `) &&
  e.message.endsWith('kept free so that no commit runs out of space); nothing was committed') &&
  e.kwargs['path'] === path &&
  e.kwargs['min_free_bytes'] === minFree &&
  typeof e.kwargs['free_bytes'] === 'number';

function records(env: DbEnv): { put: (n: number) => void; count: () => number } {
  const a = env.sub('a');
  let next = 0;
  return {
    put: (n) => {
      for (let i = 0; i < n; i++) a.putSync(Buffer.from(`k${next++}`), { v: 'x'.repeat(300) });
    },
    count: () => [...a.getKeys()].length,
  };
}

test('less free space than the reserve: every commit refused with the cause and told to the listeners, nothing written; a refusal of the callback is not told', async () => {
  const path = join(tmp.dir, 'reserve');
  const minFree = Number.MAX_SAFE_INTEGER;
  const env = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack' }, minFreeBytes: minFree });
  const failures: WampError[] = [];
  const stop = env.onWriteFailure((e) => failures.push(e));
  const r = records(env);
  assert.throws(() => env.writeSync(() => r.put(10)), isNoSpace(path, minFree));
  await assert.rejects(env.write(() => r.put(10)), isNoSpace(path, minFree));
  await assert.rejects(Promise.all([env.write(() => r.put(1)), env.write(() => r.put(1))]), isNoSpace(path, minFree));
  assert.throws(() => env.probeWrite(4096), isNoSpace(path, minFree));
  assert.equal(failures.length, 3, 'one per refused commit (a group commit once), the probe not');
  assert.ok(failures.every(isNoSpace(path, minFree)));
  assert.equal(r.count(), 0);
  stop();
  assert.throws(() => env.writeSync(() => r.put(1)), isNoSpace(path, minFree));
  assert.equal(failures.length, 3, 'a removed listener is not told');
  await env.close();

  const ok = await openDbEnv({ path: join(tmp.dir, 'refusal'), kind: 'maker', subDbs: { a: 'msgpack' } });
  const told: WampError[] = [];
  ok.onWriteFailure((e) => told.push(e));
  const refusal = new WampError('xbr.error.insufficient_payment_balance', 'no');
  assert.throws(() => ok.writeSync(() => { throw refusal; }), (e) => e === refusal);
  await assert.rejects(ok.write(() => { throw refusal; }), (e) => e === refusal);
  assert.deepEqual(told, []);
  await ok.close();
});

test('a full disk: commits refused before LMDB runs out of space, writable again once space is back', async (t) => {
  const fs = mountTmpfs(24);
  if ('skipped' in fs) {
    t.skip(fs.skipped);
    return;
  }
  try {
    const path = join(fs.dir, 'db');
    const minFree = 16 * 2 ** 20;
    const env = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack' } });
    const failures: WampError[] = [];
    env.onWriteFailure((e) => failures.push(e));
    const r = records(env);
    env.writeSync(() => r.put(50));
    assert.ok(fs.fill() > 0);

    assert.throws(() => env.writeSync(() => r.put(200)), isNoSpace(path, minFree));
    await assert.rejects(env.write(() => r.put(200)), isNoSpace(path, minFree));
    assert.throws(() => env.probeWrite(64 * 1024), isNoSpace(path, minFree));
    assert.equal(failures.length, 2);
    assert.equal(failures[0]!.kwargs['free_bytes'], 0);
    assert.equal(r.count(), 50, 'nothing of the refused writes was committed');

    fs.free();
    env.probeWrite(64 * 1024);
    env.writeSync(() => r.put(200));
    await env.write(() => r.put(200));
    assert.equal(r.count(), 450);
    await env.close();
  } finally {
    fs.unmount();
  }
});

test('past maxsize lmdb-js grows the map: no MDB_MAP_FULL, the disk is the limit', async () => {
  const env = await openDbEnv({ path: join(tmp.dir, 'small'), kind: 'maker', subDbs: { a: 'msgpack' }, maxsize: 128 * 1024 });
  const a = env.sub('a');
  // ~2 MiB of records into a 128 KiB map.
  for (let t = 0; t < 20; t++) await env.write(() => {
    for (let i = 0; i < 100; i++) a.putSync(Buffer.from(`k${t}-${i}`), { v: 'x'.repeat(1000) });
  });
  assert.equal([...a.getKeys()].length, 2000);
  await env.close();
});
