/**
 * BlockHead: one request shared by concurrent callers, cached for its TTL; a failed request is not cached, and
 * with `onStale` a failure answers the last head known (a node down for a moment costs no purchase).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockHead } from '../../schema/block-head.js';

test('concurrent callers share one request; the value is cached for the TTL', async () => {
  let asked = 0;
  const head = new BlockHead(async () => BigInt(++asked), 60_000);
  assert.deepEqual(await Promise.all([head.current(), head.current(), head.current()]), [1n, 1n, 1n]);
  assert.equal(await head.current(), 1n);
  assert.equal(await head.fresh(), 2n);
  assert.equal(asked, 2);
});

test('without onStale a failure is thrown and not cached', async () => {
  let fail = true;
  const head = new BlockHead(async () => {
    if (fail) throw new Error('connect ECONNREFUSED');
    return 7n;
  }, 0);
  await assert.rejects(head.current(), /ECONNREFUSED/);
  fail = false;
  assert.equal(await head.current(), 7n);
});

test('with onStale a failure answers the last head known and says why; with none known it is thrown', async () => {
  const stale: [string, bigint][] = [];
  let next: bigint | Error = new Error('read ECONNRESET');
  const head = new BlockHead(
    async () => {
      if (next instanceof Error) throw next;
      return next;
    },
    0,
    (err, last) => stale.push([(err as Error).message, last]),
  );
  await assert.rejects(head.current(), /ECONNRESET/, 'nothing known yet');
  next = 40n;
  assert.equal(await head.current(), 40n);
  next = new Error('read ECONNRESET');
  assert.equal(await head.fresh(), 40n, 'fresh() falls back too');
  assert.deepEqual(stale, [['read ECONNRESET', 40n]]);
  next = 41n;
  assert.equal(await head.current(), 41n, 'a node back is asked again');
});
