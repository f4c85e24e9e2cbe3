import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WampError } from '../../../schema/errors.js';
import { openDbEnv } from '../../../schema/db/env.js';
import { address, bytes, key, prefixRange, readU64, stringKey, u32, u64, u8, uuid } from '../../../schema/db/keys.js';
import { Table } from '../../../schema/db/table.js';
import { addressOf, hex, tempDir, uuidOf } from './helpers.js';

const tmp = tempDir();
after(() => tmp.cleanup());

test('key: fixed widths, big-endian fields, exact beyond 2^53', () => {
  const a = addressOf(0x00);
  const ts = 2n ** 60n + 1n;
  const k = key(address(a), u64(ts));
  assert.equal(k.length, 28);
  assert.equal(hex(k.subarray(0, 20)), hex(a));
  assert.equal(k.subarray(20).toString('hex'), '1000000000000001');
  assert.equal(readU64(k, 20), ts);
  assert.equal(key(u32(1), u8(255)).toString('hex'), '00000001ff');
  assert.equal(key(uuid(uuidOf()), address(a), u8(3)).length, 37);
});

test('key: wrong sizes and out-of-range numbers throw xbr.error.storage', () => {
  const bad = [
    () => key(address(new Uint8Array(19))),
    () => key(uuid(new Uint8Array(20))),
    () => key(bytes(new Uint8Array(3), 4)),
    () => key(u64(-1n)),
    () => key(u64(2n ** 64n)),
    () => key(u64(5 as unknown as bigint)),
    () => key(u32(2 ** 32)),
    () => key(u8(256)),
    () => stringKey(''),
  ];
  for (const f of bad) assert.throws(f, (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage');
});

test('prefixRange: increments the last non-0xff byte; all-0xff runs to the end', () => {
  const r = prefixRange(Buffer.from([0x00, 0x12, 0xff]));
  assert.equal(r.start.toString('hex'), '0012ff');
  assert.equal(r.end?.toString('hex'), '0013');
  assert.equal(prefixRange(Buffer.from([0xff, 0xff])).end, undefined);
});

test('composite keys sort by (address, ns) in LMDB, incl. 0x00/0x01 addresses and ns > 2^53', async () => {
  const env = await openDbEnv({ path: tmp.dir, kind: 'maker', subDbs: { t: 'msgpack' } });
  try {
    const t = new Table<Buffer, { i: number }>({ env, name: 't', key: (k) => k });
    const addrs = [Buffer.alloc(20, 0x00), Buffer.from('01' + '00'.repeat(19), 'hex'), Buffer.alloc(20, 0x7f), Buffer.alloc(20, 0xff)];
    const times = [0n, 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n + 5n, 2n ** 64n - 1n];
    const expected: string[] = [];
    for (const a of addrs) for (const ts of times) expected.push(key(address(a), u64(ts)).toString('hex'));
    // insert in a scrambled order
    const scrambled = [...expected].sort((x, y) => (x.slice(-6) < y.slice(-6) ? -1 : 1)).reverse();
    env.writeSync(() =>
      scrambled.forEach((k, i) => {
        t.put(Buffer.from(k, 'hex'), { i });
      }),
    );
    const got = t.range().map((e) => e.key.toString('hex'));
    assert.deepEqual(got, expected, 'full range is in (address, ns) order and includes 0x00-prefixed keys');
    assert.equal(t.count(), expected.length);
    // a prefix scan of the all-zero address returns its records in ns order
    const zero = t.range({ prefix: addrs[0] as Buffer }).map((e) => readU64(e.key, 20));
    assert.deepEqual(zero, times);
    const rev = t.range({ prefix: addrs[3] as Buffer, reverse: true }).map((e) => readU64(e.key, 20));
    assert.deepEqual(rev, [...times].reverse());
    const mid = t.range({ start: key(address(addrs[1] as Buffer), u64(2n ** 53n)), end: key(address(addrs[1] as Buffer), u64(2n ** 63n + 5n)) });
    assert.deepEqual(mid.map((e) => readU64(e.key, 20)), [2n ** 53n, 2n ** 53n + 1n]);
    const midRev = t.range({ start: key(address(addrs[1] as Buffer), u64(2n ** 53n)), end: key(address(addrs[1] as Buffer), u64(2n ** 63n + 5n)), reverse: true });
    assert.deepEqual(midRev.map((e) => readU64(e.key, 20)), [2n ** 53n + 1n, 2n ** 53n]);
    assert.equal(t.range({ limit: 2 }).length, 2);
  } finally {
    await env.close();
  }
});
