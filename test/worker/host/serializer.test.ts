import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from 'cbor-x';
import { makeSerializer, wideIntsAsBigint } from '../../../worker/host/index.js';

test('wideIntsAsBigint turns integers of 32 bits or more into bigint at any depth, and leaves a payload without any as it is', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const plain = [70, 1, {}, [{ seq: 5, price: bytes, ok: true, none: null, neg: -(2 ** 31) }]];
  assert.equal(wideIntsAsBigint(plain), plain);

  const wide = [70, 1, {}, [{ seq: 5, gas: 2 ** 40, nested: { at: [-(2 ** 32), 1.5, 2 ** 32 - 1] }, price: bytes }]];
  const out = wideIntsAsBigint(wide) as unknown[];
  assert.notEqual(out, wide);
  assert.deepEqual(out, [70, 1, {}, [{ seq: 5, gas: 2n ** 40n, nested: { at: [-(2n ** 32n), 1.5, 2 ** 32 - 1] }, price: bytes }]]);
  // the caller's payload is not changed
  assert.equal((wide[3] as { gas: number }[])[0]!.gas, 2 ** 40);
});

test('the cbor serializer sends a wide integer as an integer, not a float', () => {
  const wire = makeSerializer('cbor');
  const decoded = new Decoder({ mapsAsObjects: true } as never).decode(wire.encode([50, 7, {}, [2 ** 40, 3]]) as Uint8Array) as unknown[];
  assert.deepEqual(decoded, [50, 7, {}, [2n ** 40n, 3]]);
});
