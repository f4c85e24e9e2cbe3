/** NonceAllocator: consecutive nonces under concurrency, released on failure, resync from chain. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NonceAllocator } from '../../../worker/chain/index.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * 3));

test('concurrent callers get consecutive nonces; a failing one releases its nonce to the next', async () => {
  let fetches = 0;
  const nonces = new NonceAllocator(async () => {
    fetches++;
    return 7;
  });
  const used: number[] = [];
  const runs = Array.from({ length: 30 }, (_, i) =>
    nonces.withNonce(async (n) => {
      await tick();
      if (i % 4 === 1) throw new Error(`fail ${i}`);
      used.push(n);
      return n;
    }),
  );
  const settled = await Promise.allSettled(runs);
  assert.equal(settled.filter((s) => s.status === 'rejected').length, 8);
  assert.deepEqual(used, Array.from({ length: 22 }, (_, i) => 7 + i), 'in order, no gap, no reuse');
  assert.equal(fetches, 1);
  assert.equal(nonces.peek(), 29);
});

test('resync reads the chain count again', async () => {
  let count = 3;
  const nonces = new NonceAllocator(async () => count);
  assert.equal(await nonces.withNonce(async (n) => n), 3);
  assert.equal(await nonces.withNonce(async (n) => n), 4);
  count = 10;
  nonces.resync();
  assert.equal(await nonces.withNonce(async (n) => n), 10);
});

test('a failing chain lookup fails that caller only', async () => {
  let fail = true;
  const nonces = new NonceAllocator(async () => {
    if (fail) throw new Error('rpc down');
    return 0;
  });
  await assert.rejects(nonces.withNonce(async (n) => n), /rpc down/);
  fail = false;
  assert.equal(await nonces.withNonce(async (n) => n), 0);
});
