import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import nacl from 'tweetnacl';
import { decode as cborDecode } from 'cbor-x';
import { KeySeries, MemoryKeyStore, type KeySeriesOptions, type OnRotate } from '../../../plugins/seller/index.js';
import { WampError } from '../../../schema/errors.js';
import { createLogger } from '../../../schema/log.js';
import { gate, hex, ManualScheduler, settle } from './helpers.js';

const quiet = createLogger({}, 'error');
const apiId = new Uint8Array(randomBytes(16));

function series(over: Partial<KeySeriesOptions> = {}): { s: KeySeries; clock: ManualScheduler; rotated: string[] } {
  const clock = new ManualScheduler();
  const rotated: string[] = [];
  const record: OnRotate = (_s, keyId) => void rotated.push(hex(keyId));
  const s = new KeySeries({ apiId, price: 5n, scheduler: clock, now: clock.now, logger: quiet, onRotate: record, ...over });
  return { s, clock, rotated };
}

const isUri = (uri: string) => (e: unknown): boolean => e instanceof WampError && e.uri === uri;

/** Runs of equal key ids, e.g. [a,a,b] → [2,1]. */
function runs(ids: string[]): { id: string; n: number }[] {
  const out: { id: string; n: number }[] = [];
  for (const id of ids) {
    const last = out[out.length - 1];
    if (last !== undefined && last.id === id) last.n++;
    else out.push({ id, n: 1 });
  }
  return out;
}

test('count rotation: every key, the first included, encrypts exactly `count` payloads; hooks in key order', async () => {
  const { s, rotated } = series({ count: 3 });
  await s.start();
  assert.equal(rotated.length, 1, 'the first key (and its hook) exists right after start');
  assert.equal(hex(s.currentKeyId!), rotated[0]);
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(hex((await s.encrypt({ i })).keyId));
  const r = runs(ids);
  assert.deepEqual(r.map((x) => x.n), [3, 3, 3, 1]);
  assert.deepEqual(r.map((x) => x.id), rotated.slice(0, 4), 'onRotate saw every key before it was used, in order');
  assert.equal(new Set(ids).size, 4);
  await s.stop();
});

test('count rotation under concurrency: parallel encrypts never exceed `count` and hooks never overlap', async () => {
  let active = 0;
  let maxActive = 0;
  const order: string[] = [];
  const onRotate: OnRotate = async (_s, keyId) => {
    active++;
    maxActive = Math.max(maxActive, active);
    await settle(); // a real round trip: other encrypts pile up meanwhile
    order.push(hex(keyId));
    active--;
  };
  const { s } = series({ count: 4, onRotate });
  await s.start();
  const out = await Promise.all(Array.from({ length: 30 }, (_, i) => s.encrypt({ i })));
  const counts = new Map<string, number>();
  for (const o of out) counts.set(hex(o.keyId), (counts.get(hex(o.keyId)) ?? 0) + 1);
  assert.ok([...counts.values()].every((n) => n <= 4), `per-key counts ${[...counts.values()]}`);
  assert.equal([...counts.values()].filter((n) => n < 4).length, 1, 'only the last key is partly used');
  assert.equal(maxActive, 1);
  for (const id of counts.keys()) assert.ok(order.indexOf(id) >= 0, 'every used key had its hook completed');
  await s.stop();
});

test('interval rotation: first key at start, a new key per interval; the old key serves while the new hook runs', async () => {
  let hook = gate();
  const calls: string[] = [];
  const onRotate: OnRotate = async (_s, keyId) => {
    calls.push(hex(keyId));
    if (calls.length > 1) await hook.promise;
  };
  const { s, clock } = series({ interval: 60, onRotate });
  await s.start();
  const k1 = hex((await s.encrypt('a')).keyId);
  assert.equal(k1, calls[0]);
  clock.advance(59_999);
  assert.equal(calls.length, 1, 'no rotation before the interval');
  clock.advance(1);
  assert.equal(calls.length, 2, 'rotation at the interval');
  assert.equal(hex((await s.encrypt('b')).keyId), k1, 'the predecessor serves while the successor is offered');
  hook.open();
  await settle();
  const k2 = hex((await s.encrypt('c')).keyId);
  assert.equal(k2, calls[1]);
  hook = gate();
  hook.open();
  clock.advance(60_000);
  await settle();
  assert.equal(calls.length, 3);
  assert.equal(hex((await s.encrypt('d')).keyId), calls[2]);
  await s.stop();
  assert.equal(clock.pending, 0, 'stop leaves no timer armed');
  clock.advance(10 * 60_000);
  assert.equal(calls.length, 3, 'no rotation after stop');
});

test('interval and count together: whichever comes first rotates; the interval restarts with each key', async () => {
  const { s, clock, rotated } = series({ interval: 10, count: 2 });
  await s.start();
  await s.encrypt(1);
  clock.advance(10_000);
  await settle();
  assert.equal(rotated.length, 2, 'interval before count');
  await s.encrypt(2);
  await s.encrypt(3);
  await settle();
  assert.equal(rotated.length, 3, 'count before interval');
  clock.advance(9_999);
  assert.equal(rotated.length, 3, 'the third key got a full interval of its own');
  await s.stop();
});

test('encrypt output opens with plain tweetnacl + cbor-x, in the wire form nonce ‖ mac ‖ ciphertext', async () => {
  const keys = new Map<string, Uint8Array>();
  const { s } = series({ count: 100, onRotate: (_s, keyId, key) => void keys.set(hex(keyId), key) });
  await s.start();
  const payload = { data: 'py-seller', counter: 1 };
  const out = await s.encrypt(payload);
  assert.equal(out.serializer, 'cbor');
  assert.equal(out.keyId.length, 16);
  const key = keys.get(hex(out.keyId))!;
  assert.deepEqual(s.getKey(out.keyId), key);
  assert.equal(out.ciphertext.length, 24 + 16 + 25);
  const plain = nacl.secretbox.open(out.ciphertext.subarray(24), out.ciphertext.subarray(0, 24), key);
  assert.ok(plain !== null);
  assert.equal(hex(plain), 'a264646174616970792d73656c6c657267636f756e74657201', 'CBOR as Python cbor2 emits it (docs/protocol.md#test-vectors)');
  assert.deepEqual(cborDecode(plain), payload);
  const bin = await s.encrypt({ b: new Uint8Array([1, 2, 3]), n: -7, list: ['x', 2.5] });
  const opened = nacl.secretbox.open(bin.ciphertext.subarray(24), bin.ciphertext.subarray(0, 24), key)!;
  assert.deepEqual(cborDecode(opened), { b: new Uint8Array([1, 2, 3]), n: -7, list: ['x', 2.5] });
  const again = await s.encrypt(payload);
  assert.notEqual(hex(again.ciphertext.subarray(0, 24)), hex(out.ciphertext.subarray(0, 24)), 'fresh nonce per payload');
  await s.stop();
});

test('a failing hook: its key encrypts nothing, waiting encrypts reject, the next encrypt uses a fresh key', async () => {
  const store = new MemoryKeyStore();
  let failNext = false;
  const hooked: string[] = [];
  const onRotate: OnRotate = async (_s, keyId) => {
    hooked.push(hex(keyId));
    await settle();
    if (failNext) {
      failNext = false;
      throw new Error('place_offer: market maker unreachable');
    }
  };
  const { s } = series({ count: 2, onRotate, store });
  await s.start();
  const ok1 = await s.encrypt(1);
  failNext = true;
  const ok2 = await s.encrypt(2); // uses up key 1; its successor's hook will fail
  const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => s.encrypt(10 + i)));
  const failedKey = hooked[1]!;
  assert.ok(results.every((r) => r.status === 'rejected' && isUri('xbr.error.key_rotation_failed')(r.reason)), 'every waiter rejects');
  const reason = (results[0] as PromiseRejectedResult).reason as WampError;
  assert.match(reason.message, /market maker unreachable/);
  assert.equal(s.getKey(Buffer.from(failedKey, 'hex')), undefined, 'the failed key was deleted from the store');
  assert.equal(store.size, 1);
  const ok3 = await s.encrypt(3);
  assert.equal(hex(ok1.keyId), hooked[0]);
  assert.equal(hex(ok2.keyId), hooked[0]);
  assert.equal(hex(ok3.keyId), hooked[2]);
  assert.notEqual(hooked[2], failedKey);
  await s.stop();
});

test('a failing interval successor retires the expired key; the next encrypt rotates on demand', async () => {
  let n = 0;
  const onRotate: OnRotate = async () => {
    n++;
    await settle();
    if (n === 2) throw new Error('offer refused');
  };
  const { s, clock } = series({ interval: 5, onRotate });
  await s.start();
  const k1 = s.currentKeyId!;
  clock.advance(5_000);
  await settle();
  await settle();
  assert.equal(n, 2);
  assert.equal(s.currentKeyId, undefined, 'the expired key is not used beyond its interval when no successor exists');
  const out = await s.encrypt('x');
  assert.equal(n, 3);
  assert.notEqual(hex(out.keyId), hex(k1));
  assert.equal(clock.pending, 1, 'the on-demand key armed its interval');
  await s.stop();
});

test('start fails when the first hook fails, leaves the series stopped, and can be retried', async () => {
  let fail = true;
  const { s, clock } = series({
    interval: 1,
    onRotate: () => {
      if (fail) throw new Error('no market maker');
    },
  });
  await assert.rejects(s.start(), isUri('xbr.error.key_rotation_failed'));
  assert.equal(s.state, 'stopped');
  assert.equal(clock.pending, 0);
  await assert.rejects(s.encrypt(1), isUri('xbr.error.key_series_not_running'));
  fail = false;
  await s.start();
  assert.equal(s.state, 'running');
  await s.encrypt(1);
  await s.stop();
});

test('stop waits for a running hook, does not use its key, rejects waiting and later encrypts; restart works', async () => {
  const hook = gate();
  let calls = 0;
  const { s, clock } = series({
    count: 1,
    interval: 30,
    onRotate: async () => {
      if (++calls === 2) await hook.promise;
    },
  });
  await s.start();
  await s.encrypt(0); // uses up key 1; key 2's hook hangs
  const waiting = s.encrypt(1);
  let stopped = false;
  const stopping = s.stop().then(() => {
    stopped = true;
  });
  await settle();
  assert.equal(stopped, false, 'stop waits for the hook in progress');
  hook.open();
  await stopping;
  await assert.rejects(waiting, isUri('xbr.error.key_series_not_running'));
  await assert.rejects(s.encrypt(2), isUri('xbr.error.key_series_not_running'));
  assert.equal(s.currentKeyId, undefined);
  assert.equal(clock.pending, 0);
  await s.stop(); // idempotent
  await s.start();
  assert.equal((await s.encrypt(3)).keyId.length, 16);
  await s.stop();
});

test('bad options and payloads are refused with invalid_argument naming the argument', async () => {
  const bad = (over: Partial<KeySeriesOptions>, name: RegExp): void =>
    assert.throws(() => new KeySeries({ apiId, price: 1n, count: 1, ...over } as KeySeriesOptions), (e: unknown) => isUri('wamp.error.invalid_argument')(e) && name.test((e as Error).message));
  bad({ apiId: new Uint8Array(15) }, /^apiId/);
  bad({ price: -1n }, /^price/);
  bad({ price: 1 as unknown as bigint }, /^price/);
  bad({ count: 0 }, /^count/);
  bad({ count: 1.5 }, /^count/);
  bad({ count: undefined, interval: 0 }, /^interval/);
  bad({ count: undefined, interval: undefined }, /^interval: expected interval and\/or count/);
  const { s } = series({ count: 2 });
  await s.start();
  await assert.rejects(s.encrypt(() => 1), isUri('wamp.error.invalid_argument'));
  // the refused payload did not use up a slot: two more payloads still share the first key
  const a = await s.encrypt(1);
  const b = await s.encrypt(2);
  assert.equal(hex(a.keyId), hex(b.keyId));
  await assert.rejects(s.start(), isUri('xbr.error.key_series_not_running'));
  await s.stop();
});
