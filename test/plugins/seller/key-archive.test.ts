import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { open } from 'lmdb';
import nacl from 'tweetnacl';
import { decode as cborDecode } from 'cbor-x';
import { KeyArchive, KeySeries, type ArchivedKey } from '../../../plugins/seller/index.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { WampError } from '../../../schema/errors.js';
import { createLogger } from '../../../schema/log.js';
import { hex, ManualScheduler, tempDir } from './helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
const fresh = (): string => join(tmp.dir, `archive${n++}`);
const delegateKey = new Uint8Array(randomBytes(32));
const id = (): Uuid => new Uint8Array(randomBytes(16)) as Uuid;
const isUri = (uri: string) => (e: unknown): boolean => e instanceof WampError && e.uri === uri;

function entry(apiId: Uuid, created: bigint): ArchivedKey {
  return { keyId: id(), apiId, key: new Uint8Array(randomBytes(32)), created };
}

test('keys survive close and reopen with the same delegate key, and are not stored in the clear', async () => {
  const path = fresh();
  const api = id();
  const entries = [entry(api, 1n), entry(api, 2n), entry(id(), 3n)];
  let archive = await KeyArchive.open({ path, delegateKey });
  for (const e of entries) archive.put(e);
  await archive.close();
  const file = readFileSync(join(path, 'data.mdb'));
  for (const e of entries) assert.equal(file.indexOf(Buffer.from(e.key)), -1, 'a data key is on disk in the clear');

  archive = await KeyArchive.open({ path, delegateKey: new Uint8Array(delegateKey) });
  for (const e of entries) assert.deepEqual(archive.get(e.keyId), e);
  assert.deepEqual(archive.keyIds(api).map(hex), entries.slice(0, 2).map((e) => hex(e.keyId)));
  assert.equal(archive.get(id()), undefined);
  assert.equal(archive.delete(entries[0]!.keyId), true);
  assert.equal(archive.delete(entries[0]!.keyId), false);
  assert.equal(archive.size, 2);
  assert.throws(() => archive.put(entries[1]!), isUri('wamp.error.invalid_argument'), 'a duplicate key id is refused');
  await archive.close();
  assert.throws(() => archive.get(entries[1]!.keyId), isUri('xbr.error.storage'), 'closed');
});

test('a series on an archive: payloads published before a restart can still be decrypted (sold) after it', async () => {
  const path = fresh();
  const clock = new ManualScheduler();
  const apiId = id();
  let archive = await KeyArchive.open({ path, delegateKey });
  const s = new KeySeries({ apiId, price: 1n, count: 2, store: archive, scheduler: clock, now: clock.now, logger: createLogger({}, 'error') });
  await s.start();
  const published = [await s.encrypt({ i: 1 }), await s.encrypt({ i: 2 }), await s.encrypt({ i: 3 })];
  await s.stop();
  await archive.close();

  archive = await KeyArchive.open({ path, delegateKey });
  published.forEach((p, i) => {
    const k = archive.get(p.keyId)!;
    assert.equal(hex(k.apiId), hex(apiId));
    const plain = nacl.secretbox.open(p.ciphertext.subarray(24), p.ciphertext.subarray(0, 24), k.key);
    assert.ok(plain !== null);
    assert.deepEqual(cborDecode(plain), { i: i + 1 });
  });
  await archive.close();
});

test('a wrong delegate key is refused loudly, also on an empty archive, and does not damage it', async () => {
  const path = fresh();
  const e = entry(id(), 1n);
  let archive = await KeyArchive.open({ path, delegateKey });
  archive.put(e);
  await archive.close();
  const wrong = new Uint8Array(randomBytes(32));
  await assert.rejects(
    KeyArchive.open({ path, delegateKey: wrong }),
    (err: unknown) => isUri('xbr.error.key_archive_wrong_secret')(err) && /different delegate key/.test((err as Error).message),
  );
  archive = await KeyArchive.open({ path, delegateKey });
  assert.deepEqual(archive.get(e.keyId), e);
  await archive.close();

  const empty = fresh();
  await (await KeyArchive.open({ path: empty, delegateKey })).close();
  await assert.rejects(KeyArchive.open({ path: empty, delegateKey: wrong }), isUri('xbr.error.key_archive_wrong_secret'));
  await assert.rejects(KeyArchive.open({ path: fresh(), delegateKey: new Uint8Array(31) }), isUri('wamp.error.invalid_argument'));
});

test('a record moved to another key id does not verify (storage error, never the wrong key)', async () => {
  const path = fresh();
  const api = id();
  const [a, b] = [entry(api, 1n), entry(api, 2n)];
  let archive = await KeyArchive.open({ path, delegateKey });
  archive.put(a);
  archive.put(b);
  await archive.close();
  const raw = open({ path, maxDbs: 4 });
  const keys = raw.openDB<Buffer, Buffer>('keys', { keyEncoding: 'binary', encoding: 'binary' });
  const va = Buffer.from(keys.get(Buffer.from(a.keyId))!);
  await keys.put(Buffer.from(b.keyId), va);
  await raw.close();
  archive = await KeyArchive.open({ path, delegateKey });
  assert.deepEqual(archive.get(a.keyId), a);
  assert.throws(() => archive.get(b.keyId), (err: unknown) => isUri('xbr.error.storage')(err) && /does not verify/.test((err as Error).message));
  await archive.close();
});

test('retention by count keeps the newest keys per API, oldest pruned first; other APIs untouched', async () => {
  const path = fresh();
  const [api1, api2] = [id(), id()];
  const archive = await KeyArchive.open({ path, delegateKey, retention: { maxKeys: 3 } });
  const first = Array.from({ length: 5 }, (_, i) => entry(api1, BigInt(i)));
  const other = entry(api2, 0n);
  archive.put(other);
  for (const e of first) archive.put(e);
  assert.deepEqual(archive.keyIds(api1).map(hex), first.slice(2).map((e) => hex(e.keyId)));
  assert.equal(archive.get(first[0]!.keyId), undefined);
  assert.equal(archive.get(first[1]!.keyId), undefined);
  assert.deepEqual(archive.get(other.keyId), other);
  assert.equal(archive.size, 4);
  await archive.close();
});

test('retention by age prunes old keys on put and on reopen', async () => {
  const path = fresh();
  const clock = new ManualScheduler();
  const api = id();
  let archive = await KeyArchive.open({ path, delegateKey, retention: { maxAgeSeconds: 60 }, now: clock.now });
  const old = entry(api, clock.now());
  archive.put(old);
  clock.advance(30_000);
  const mid = entry(api, clock.now());
  archive.put(mid);
  clock.advance(30_001);
  const fresh1 = entry(api, clock.now());
  archive.put(fresh1);
  assert.deepEqual(archive.keyIds(api).map(hex), [mid, fresh1].map((e) => hex(e.keyId)), 'the key older than 60 s went');
  await archive.close();
  clock.advance(30_000);
  archive = await KeyArchive.open({ path, delegateKey, retention: { maxAgeSeconds: 60 }, now: clock.now });
  assert.deepEqual(archive.keyIds(api).map(hex), [hex(fresh1.keyId)], 'pruned on open');
  await archive.close();
  await assert.rejects(KeyArchive.open({ path, delegateKey, retention: { maxKeys: 0 } }), (e: unknown) => isUri('wamp.error.invalid_argument')(e) && /retention.maxKeys/.test((e as Error).message));
});

test('a directory holding another LMDB database is not taken over', async () => {
  const { openMakerDb } = await import('../../../schema/db/index.js');
  const path = fresh();
  const db = await openMakerDb({ path });
  await db.close();
  await assert.rejects(KeyArchive.open({ path, delegateKey }), (e: unknown) => isUri('xbr.error.storage_schema')(e) && /not a key archive/.test((e as Error).message));
});
