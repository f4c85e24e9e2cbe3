/**
 * The fetcher across outages and restarts, against a real embedded IPFS node: a node that goes down and
 * comes back (retries resume and succeed); a worker restart in the middle of a backoff (the stored
 * `next_retry_at` is honoured by the new fetcher, and records replicated meanwhile are caught up); stop
 * aborts a hanging download without counting it as a failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cidV0Of, fixture, putCatalog, startTestNode, TTL, until, untilFile, utf8, type TestNode } from './helpers.js';

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
after(async () => {
  await node?.cleanup();
});

describe('IPFS fetcher across outages and restarts', () => {
  it('retries while the node is down and succeeds once it is back', async () => {
    const fx = await fixture(node);
    try {
      const hash = await node.add(utf8(TTL.catalog('Outage')));
      await node.stop();
      const fetcher = fx.fetcher({ timeout: 300, retry_initial: 100, retry_max: 300 });
      await fetcher.start();
      const c = putCatalog(fx.db, { meta: hash });
      fetcher.notify([{ kind: 'catalog', id: c.oid }]);
      const down = await untilFile(() => fx.db, hash, (f) => f.retries >= 3, 'three failed attempts while the node is down');
      assert.equal(down.status, 'pending');
      // Why it failed, not only Node's "fetch failed": the node refuses connections.
      assert.match(down.last_error!, /block\/get .* failed: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
      await node.restart();
      const done = await untilFile(() => fx.db, hash, (f) => f.status === 'downloaded', 'downloaded after the node came back');
      assert.equal(done.retries, 0);
      assert.equal(done.last_error, undefined);
      await until(() => fx.db.catalogs.get(c.oid)!, (x) => x.description?.title === 'Outage', 'description');
    } finally {
      await node.restart();
      await fx.cleanup();
    }
  });

  it('a restarted worker keeps the stored schedule and catches up on records replicated meanwhile', async () => {
    const fx = await fixture(node);
    try {
      const late = utf8(TTL.catalog(`Late ${Date.now()}`));
      const lateHash = await cidV0Of(late);
      // random = 1: the delay after the first failure is exactly retry_initial.
      const first = fx.fetcher({ timeout: 300, retry_initial: 2_500, retry_max: 2_500 }, { random: () => 1 });
      await first.start();
      const c1 = putCatalog(fx.db, { meta: lateHash });
      first.notify([{ kind: 'catalog', id: c1.oid }]);
      const failed = await untilFile(() => fx.db, lateHash, (f) => f.retries === 1, 'first failure');
      assert.equal(Number(failed.next_retry_at! - failed.errored_at!) / 1e6, 2_500);
      await first.stop();
      await fx.closeDb();

      // While no worker runs: the file appears on IPFS, and the monitor had replicated another catalog.
      await node.add(late);
      const otherHash = await node.add(utf8(TTL.catalog('Caught up')));
      await fx.reopen();
      const c2 = putCatalog(fx.db, { meta: otherHash });

      const second = fx.fetcher({ timeout: 300, retry_initial: 2_500, retry_max: 2_500 });
      await second.start();
      await untilFile(() => fx.db, otherHash, (f) => f.status === 'downloaded', 'catch-up download of the new catalog');
      await until(() => fx.db.catalogs.get(c2.oid)!, (x) => x.description?.title === 'Caught up', 'description of the caught-up catalog');
      const mid = fx.db.ipfsFiles.get(lateHash)!;
      if (BigInt(Date.now()) * 1_000_000n < failed.next_retry_at!) {
        assert.equal(mid.status, 'pending', 'not tried before its next_retry_at although the file is there');
        assert.equal(mid.retries, 1);
      }
      const done = await untilFile(() => fx.db, lateHash, (f) => f.status === 'downloaded', 'downloaded at its scheduled time', 15_000);
      assert.ok(done.downloaded_at! >= failed.next_retry_at!, 'the new fetcher honoured the stored next_retry_at');
    } finally {
      await fx.cleanup();
    }
  });

  it('stop aborts a hanging download and leaves its record as it was', async () => {
    const fx = await fixture(node);
    try {
      const hash = await cidV0Of(utf8(`never added ${Date.now()}`));
      const fetcher = fx.fetcher({ timeout: 60_000 });
      await fetcher.start();
      const c = putCatalog(fx.db, { meta: hash });
      fetcher.notify([{ kind: 'catalog', id: c.oid }]);
      await until(() => fetcher.status().active, (n) => n === 1, 'download running');
      const before = fx.db.ipfsFiles.get(hash)!;
      const t0 = Date.now();
      await fetcher.stop();
      assert.ok(Date.now() - t0 < 10_000, 'stop did not wait for the 60 s block timeout');
      assert.deepEqual(fx.db.ipfsFiles.get(hash), before, 'an aborted attempt is not a failure');
      assert.equal(await fetcher.retryNow(), 0, 'a stopped fetcher schedules nothing');
    } finally {
      await fx.cleanup();
    }
  });
});
