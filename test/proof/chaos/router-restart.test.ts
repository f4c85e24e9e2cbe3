/**
 * Chaos in CI: the router worker SIGKILLed twice under the shipped `xbr-edge seller` and `xbr-edge buyer`
 * (router-restart.ts): both rejoin by themselves, buy and decrypt again, exit 0 on Ctrl-C, and every key the
 * buyer bought is one SUCCESS purchase of the ledger; the audit is clean.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routerRestart } from './router-restart.js';
import { formatScenario } from './scenario.js';

describe('chaos: the router worker restarted under the shipped delegates', { timeout: 600_000 }, () => {
  it('the maker, the seller and the buyer rejoin by themselves; nothing is paid twice', async () => {
    const r = await routerRestart({ kills: 2 });
    console.log(formatScenario(r));
    assert.deepEqual(r.problems, []);
    assert.equal(r.facts.length, 3, 'both kills recovered from and the ledger compared');
  });
});
