/**
 * The crash proof (crash.ts) on three seeds in CI, one edge: four buyers and two sellers buying while the xbrmm
 * worker is SIGKILLed at an instant each seed draws; nothing the ledger charged may be lost to its buyer, nothing
 * doubled, nothing left in flight, the maker's state equal to each buyer's, and the audit clean.
 * `npm run proof -- crash --seeds N` runs more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatSeed, runCrashSeed, startCrashEdge, type CrashEdge } from './crash.js';

describe('crash proof: SIGKILL of the xbrmm worker during purchases', { timeout: 600_000 }, () => {
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
      assert.ok(r.purchases > 0, 'the lanes bought');
    });
  }
});
