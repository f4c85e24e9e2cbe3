/**
 * The crash proof (crash.ts) on three seeds in CI, one edge: four buyers and two seller processes buying while,
 * per seed, the xbrmm worker, the router worker, a seller process and the dev chain are each SIGKILLed once, in
 * an order and at instants the seed draws; every kill must be recovered from by itself (every lane buys again),
 * nothing the ledger charged may be lost to its buyer, nothing doubled, nothing left in flight, the maker's state
 * equal to each buyer's and each seller's, and the audit clean. Then every channel is closed cooperatively and
 * the chain must close each at the ledger's state. `npm run proof -- crash --seeds N` runs more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeAll, formatSeed, runCrashSeed, startCrashEdge, type CrashEdge } from './crash.js';

describe('crash proof: SIGKILL of the maker, the router, a seller and the dev chain during purchases', { timeout: 900_000 }, () => {
  let c: CrashEdge;
  before(async () => {
    c = await startCrashEdge({ buyers: 4, sellers: 2 });
  });
  after(async () => {
    await c?.stop();
  });

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}`, async () => {
      const r = await runCrashSeed(c, seed);
      console.log(formatSeed(r));
      assert.ok(r.ok, formatSeed(r));
      assert.equal(r.faults.length, 4, 'every fault was injected and recovered from');
      assert.ok(r.purchases > 0, 'the lanes bought');
    });
  }

  it('cooperative closes of every channel settle on chain as the ledger says', async () => {
    const r = await closeAll(c);
    assert.deepEqual(r.problems, []);
    assert.equal(r.closed, 6, 'four payment and two paying channels closed');
  });
});
