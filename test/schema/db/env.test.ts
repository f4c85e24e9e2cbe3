import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { open } from 'lmdb';
import { WampError } from '../../../schema/errors.js';
import { currentSchemaVersion, openDbEnv, type DbEnv } from '../../../schema/db/env.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
const fresh = (): string => join(tmp.dir, `env${n++}`);

const isSchemaError = (pattern: RegExp) => (e: unknown): boolean => e instanceof WampError && e.uri === 'xbr.error.storage_schema' && pattern.test(e.message);

test('a fresh DB gets the current schema version and kind; reopening keeps them', async () => {
  const path = fresh();
  let env = await openDbEnv({ path, kind: 'worker', subDbs: { a: 'msgpack' } });
  assert.equal(env.meta.schema_version, currentSchemaVersion('worker'));
  assert.equal(env.meta.kind, 'worker');
  assert.equal(typeof env.meta.created, 'bigint');
  const created = env.meta.created;
  await env.close();
  env = await openDbEnv({ path, kind: 'worker', subDbs: { a: 'msgpack' } });
  assert.equal(env.meta.created, created);
  await env.close();
});

test('opening with the wrong kind fails with xbr.error.storage_schema', async () => {
  const path = fresh();
  await (await openDbEnv({ path, kind: 'maker', subDbs: {} })).close();
  await assert.rejects(openDbEnv({ path, kind: 'worker', subDbs: {} }), isSchemaError(/is a maker database, expected worker/));
  // still usable as what it is
  await (await openDbEnv({ path, kind: 'maker', subDbs: {} })).close();
});

test('a newer or unknown schema version fails with a clear message', async () => {
  const newer = fresh();
  await (await openDbEnv({ path: newer, kind: 'maker', subDbs: {}, schemaVersion: 99 })).close();
  await assert.rejects(openDbEnv({ path: newer, kind: 'maker', subDbs: {} }), isSchemaError(/schema_version 99, newer than this build \(it writes 4\)/));
  const older = fresh();
  await (await openDbEnv({ path: older, kind: 'maker', subDbs: {}, schemaVersion: 0 })).close();
  await assert.rejects(openDbEnv({ path: older, kind: 'maker', subDbs: {} }), isSchemaError(/schema_version 0, unknown to this build/));
});

test('maxsize outside 128 KiB … 128 GiB is refused', async () => {
  await assert.rejects(openDbEnv({ path: fresh(), kind: 'maker', maxsize: 1000, subDbs: {} }), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage');
});

test('durability: data written, env closed, reopened is still there', async () => {
  const path = fresh();
  let env: DbEnv = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack', b: 'binary' } });
  env.writeSync(() => {
    env.sub('a').putSync(Buffer.from([0]), { amount: 2n ** 200n, n: 3, bytes: new Uint8Array([1, 2]) });
    env.sub('b').putSync(Buffer.from([1]), Buffer.from([9, 9]));
  });
  await env.write(() => env.sub('a').putSync(Buffer.from([1]), { amount: 5n }));
  await env.close();
  env = await openDbEnv({ path, kind: 'maker', subDbs: { a: 'msgpack', b: 'binary' } });
  const v = env.sub('a').get(Buffer.from([0])) as { amount: bigint; n: number; bytes: Uint8Array };
  assert.equal(v.amount, 2n ** 200n);
  assert.equal(v.n, 3);
  assert.deepEqual([...v.bytes], [1, 2]);
  assert.deepEqual(env.sub('a').get(Buffer.from([1])), { amount: 5n });
  assert.deepEqual([...(env.sub('b').get(Buffer.from([1])) as Buffer)], [9, 9]);
  await env.close();
});

test('batched write(): callbacks share one commit; a throwing one is rolled back alone', async () => {
  const env = await openDbEnv({ path: fresh(), kind: 'maker', subDbs: { a: 'msgpack' } });
  try {
    const a = env.sub('a');
    const results = await Promise.allSettled([
      env.write(() => {
        a.putSync(Buffer.from([1]), 1);
        return 'one';
      }),
      env.write(() => {
        a.putSync(Buffer.from([2]), 2);
        throw new Error('boom');
      }),
      env.write(() => {
        a.putSync(Buffer.from([3]), 3);
        return a.get(Buffer.from([1]));
      }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal((results[2] as PromiseFulfilledResult<unknown>).value, 1, 'read-your-writes across the batch');
    assert.equal(a.get(Buffer.from([2])), undefined, 'the throwing callback left nothing behind');
    assert.equal(a.get(Buffer.from([3])), 3);
  } finally {
    await env.close();
  }
});

test('writeSync(): a throw rolls back every sub-DB; async callbacks are refused', async () => {
  const env = await openDbEnv({ path: fresh(), kind: 'maker', subDbs: { a: 'msgpack', b: 'msgpack' } });
  try {
    assert.throws(() =>
      env.writeSync(() => {
        env.sub('a').putSync(Buffer.from([1]), 1);
        env.sub('b').putSync(Buffer.from([1]), 1);
        throw new Error('boom');
      }),
    );
    assert.equal(env.sub('a').get(Buffer.from([1])), undefined);
    assert.equal(env.sub('b').get(Buffer.from([1])), undefined);
    assert.throws(
      () =>
        env.writeSync(() => {
          env.sub('a').putSync(Buffer.from([2]), 2);
          return Promise.resolve(1);
        }),
      (e: unknown) => e instanceof WampError && /must be synchronous/.test(e.message),
    );
    assert.equal(env.sub('a').get(Buffer.from([2])), undefined);
    await assert.rejects(env.write(async () => 1), (e: unknown) => e instanceof WampError && /must be synchronous/.test(e.message));
  } finally {
    await env.close();
  }
});

test('an LMDB env with tables but no meta is not taken for a fresh DB', async () => {
  const path = fresh();
  const foreign = open({ path, maxDbs: 4 });
  const x = foreign.openDB('x', {});
  await x.put('a', 1);
  await foreign.close();
  await assert.rejects(openDbEnv({ path, kind: 'maker', subDbs: {} }), isSchemaError(/no schema_version; not an xbr-edge database/));
});
