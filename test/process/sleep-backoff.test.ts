import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, sleep } from '../../process/index.js';

test('backoffDelay doubles from the initial delay per failure and stops at the cap', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(5_000, 60_000, n)), [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  assert.equal(backoffDelay(5_000, 60_000, 0), 5_000, 'less than one failure counts as one');
  assert.equal(backoffDelay(1, Number.MAX_SAFE_INTEGER, 1_000), 2 ** 40, 'the exponent is capped, the result stays exact');
  assert.equal(backoffDelay(10, 5, 1), 5, 'the cap applies from the first failure');
});

test('sleep resolves after its delay, at once on an abort (also one that came before), and never rejects', async () => {
  let t0 = performance.now();
  await sleep(30);
  assert.ok(performance.now() - t0 >= 25, 'waited');

  const early = new AbortController();
  early.abort();
  t0 = performance.now();
  await sleep(10_000, early.signal);
  assert.ok(performance.now() - t0 < 1_000, 'an aborted signal ends it at once');

  const later = new AbortController();
  t0 = performance.now();
  const pending = sleep(10_000, later.signal);
  setTimeout(() => later.abort(), 20);
  await pending;
  assert.ok(performance.now() - t0 < 1_000, 'an abort while sleeping ends it');
});
