import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WampError } from '../../../schema/errors.js';
import { openDbEnv, type DbEnv } from '../../../schema/db/env.js';
import { address, key, u64, uuid } from '../../../schema/db/keys.js';
import { Table, type IndexDef } from '../../../schema/db/table.js';
import type { Address, Uuid } from '../../../schema/codec/types.js';
import { addressOf, hex, tempDir, uuidOf } from './helpers.js';

interface Rec {
  id: Uuid;
  owner: Address;
  ts: bigint;
  code: Uuid;
  amount: bigint;
}

const byOwner: IndexDef<Rec> = { name: 'by_owner', key: (r) => key(address(r.owner), u64(r.ts)) };
const byCode: IndexDef<Rec> = { name: 'by_code', unique: true, key: (r) => key(uuid(r.code)) };

const tmp = tempDir();
let env: DbEnv;
let t: Table<Uuid, Rec>;
before(async () => {
  env = await openDbEnv({ path: tmp.dir, kind: 'maker', subDbs: { recs: 'msgpack', by_owner: 'binary', by_code: 'binary' } });
  t = new Table<Uuid, Rec>({
    env,
    name: 'recs',
    key: (id) => key(uuid(id)),
    indexes: [byOwner, byCode],
  });
});
after(async () => {
  await env.close();
  tmp.cleanup();
});

const rec = (over: Partial<Rec> = {}): Rec => ({ id: uuidOf(), owner: addressOf(), ts: 1n, code: uuidOf(), amount: 2n ** 255n, ...over });
const snapshot = (): string =>
  JSON.stringify({
    recs: t.range().map((e) => [hex(e.key), e.value.amount.toString()]),
    owner: t.indexEntries('by_owner').map((e) => [hex(e.key), hex(e.primaryKey)]),
    code: t.indexEntries('by_code').map((e) => [hex(e.key), hex(e.primaryKey)]),
  });

test('put/get/has/count/range/delete round-trip records with bigint and bytes', () => {
  const r = rec({ id: uuidOf(0x00) });
  t.put(r.id, r);
  const got = t.get(r.id);
  assert.ok(got);
  assert.equal(got.amount, 2n ** 255n);
  assert.equal(hex(got.owner), hex(r.owner));
  assert.ok(t.has(r.id));
  assert.equal(t.count(), 1);
  assert.equal(hex(t.range()[0]?.key ?? Buffer.alloc(0)), hex(r.id), '0x00-prefixed key is in the default range');
  assert.equal(t.delete(r.id), true);
  assert.equal(t.delete(r.id), false);
  assert.equal(t.get(r.id), undefined);
  assert.equal(t.count(), 0);
  assert.equal(t.indexEntries('by_owner').length, 0);
  assert.equal(t.indexEntries('by_code').length, 0);
});

test('indexes follow updates: changed index key moves the entry, byIndex returns (owner, ts) order', () => {
  const owner = addressOf(0x00);
  const a = rec({ owner, ts: 2n ** 60n });
  const b = rec({ owner, ts: 5n });
  const c = rec({ owner, ts: 5n }); // same (owner, ts) as b: both kept (non-unique index)
  const other = rec({ owner: addressOf(0x01), ts: 1n });
  env.writeSync(() => {
    for (const r of [a, b, c, other]) t.put(r.id, r);
  });
  const mine = t.byIndex('by_owner', { prefix: owner });
  assert.equal(mine.length, 3);
  assert.deepEqual(mine.map((e) => e.value.ts), [5n, 5n, 2n ** 60n]);
  // move a to another owner
  t.put(a.id, { ...a, owner: other.owner });
  assert.deepEqual(t.byIndex('by_owner', { prefix: owner }).map((e) => e.value.ts), [5n, 5n]);
  assert.equal(t.byIndex('by_owner', { prefix: other.owner }).length, 2);
  assert.equal(hex(t.getUnique('by_code', a.code)?.key ?? Buffer.alloc(0)), hex(a.id));
  assert.equal(t.indexEntries('by_owner').length, t.count());
  for (const r of [a, b, c, other]) t.delete(r.id);
  assert.equal(t.count(), 0);
});

test('a transaction that throws leaves table AND indexes unchanged (sync and batched)', async () => {
  const r = rec();
  t.put(r.id, r);
  const before = snapshot();
  assert.throws(() =>
    env.writeSync(() => {
      t.put(r.id, { ...r, owner: addressOf(), code: uuidOf(), amount: 1n });
      const n = rec();
      t.put(n.id, n);
      throw new Error('abort');
    }),
  );
  assert.equal(snapshot(), before);
  await assert.rejects(
    env.write(() => {
      t.delete(r.id);
      const n = rec();
      t.put(n.id, n);
      throw new Error('abort');
    }),
  );
  assert.equal(snapshot(), before);
  t.delete(r.id);
});

test('a unique index refuses a second record with xbr.error.storage_duplicate and writes nothing', () => {
  const r = rec();
  t.put(r.id, r);
  const before = snapshot();
  const dup = rec({ code: r.code });
  assert.throws(() => t.put(dup.id, dup), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage_duplicate');
  assert.equal(snapshot(), before);
  assert.equal(t.get(dup.id), undefined);
  const fine = rec();
  assert.throws(() =>
    env.writeSync(() => {
      t.put(fine.id, fine);
      t.put(dup.id, dup);
    }),
  );
  assert.equal(t.get(fine.id), undefined, 'the whole transaction was rolled back');
  assert.equal(snapshot(), before);
  t.put(r.id, { ...r, amount: 7n }); // re-putting the same record is fine
  assert.equal(t.get(r.id)?.amount, 7n);
  t.delete(r.id);
});

test('update() is a read-modify-write in one transaction; hooks run inside and can abort', () => {
  const r = rec({ amount: 10n });
  t.put(r.id, r);
  assert.equal(t.update(r.id, (cur) => ({ ...(cur as Rec), amount: (cur as Rec).amount + 1n })).amount, 11n);
  const seen: bigint[] = [];
  t.addAfterWrite((_k, before, after) => {
    if (after !== undefined && after.amount > 100n) throw new Error('too much');
    if (after !== undefined) seen.push(before?.amount ?? -1n);
  });
  assert.throws(() => t.update(r.id, (cur) => ({ ...(cur as Rec), amount: 1000n })), /too much/);
  assert.equal(t.get(r.id)?.amount, 11n);
  t.update(r.id, (cur) => ({ ...(cur as Rec), amount: 12n }));
  assert.deepEqual(seen, [11n]);
});

test('putMany writes what put after put would, index by index, and nothing when a unique key is taken', async () => {
  // A table of its own: the one above has a write hook by now, and putMany is put after put with hooks.
  const dir = tempDir();
  const env = await openDbEnv({ path: dir.dir, kind: 'maker', subDbs: { recs: 'msgpack', by_owner: 'binary', by_code: 'binary' } });
  const t = new Table<Uuid, Rec>({ env, name: 'recs', key: (id) => key(uuid(id)), indexes: [byOwner, byCode] });
  const snapshot = (): string =>
    JSON.stringify({
      recs: t.range().map((e) => [hex(e.key), e.value.amount.toString()]),
      owner: t.indexEntries('by_owner').map((e) => [hex(e.key), hex(e.primaryKey)]),
      code: t.indexEntries('by_code').map((e) => [hex(e.key), hex(e.primaryKey)]),
    });
  const owner = addressOf(0x02);
  const old = rec({ owner, ts: 3n });
  t.put(old.id, old);
  const batch = [rec({ owner, ts: 9n }), rec({ owner, ts: 1n }), { ...old, ts: 5n, amount: 3n }, rec({ owner: addressOf(0x03) })];
  t.putMany(batch.map((r) => [r.id, r] as const));
  assert.deepEqual(t.byIndex('by_owner', { prefix: owner }).map((e) => e.value.ts), [1n, 5n, 9n]);
  assert.equal(t.get(old.id)?.amount, 3n);
  for (const r of batch) assert.equal(hex(t.getUnique('by_code', r.code)?.key ?? Buffer.alloc(0)), hex(r.id));
  assert.equal(t.indexEntries('by_owner').length, t.count());

  const before = snapshot();
  const taken = rec({ code: old.code });
  assert.throws(() => t.putMany([rec(), taken].map((r) => [r.id, r] as const)), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage_duplicate');
  const twice = rec();
  assert.throws(() => t.putMany([twice, rec({ code: twice.code })].map((r) => [r.id, r] as const)), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage_duplicate');
  // Caught inside the caller's transaction: the batch is still gone, the caller's own write stays.
  const mine = rec();
  env.writeSync(() => {
    t.put(mine.id, mine);
    assert.throws(() => t.putMany([rec(), taken].map((r) => [r.id, r] as const)));
  });
  assert.ok(t.get(mine.id));
  t.delete(mine.id);
  assert.equal(snapshot(), before);

  // A unique key handed on within the batch, in batch order (as put after put): freed first, then taken.
  const moved = rec({ code: old.code });
  assert.throws(() => t.putMany([[moved.id, moved], [old.id, { ...old, code: uuidOf() }]]), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage_duplicate');
  t.putMany([[old.id, { ...old, code: uuidOf() }], [moved.id, moved]]);
  assert.equal(hex(t.getUnique('by_code', old.code)?.key ?? Buffer.alloc(0)), hex(moved.id));
  for (const { key } of t.range()) t.delete(key as unknown as Uuid);
  assert.equal(t.indexEntries('by_code').length, 0);
  await env.close();
  dir.cleanup();
});
