/**
 * Chaos in CI: the dev chain stalled (SIGSTOP) during a close and a consent, then SIGKILLed during another close
 * (chain-down.ts): purchases go on, each close settles on chain at its buyer's state with one transaction of the
 * maker, the monitor catches up, and the audit (which compares the chain) is clean.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainDown } from './chain-down.js';
import { formatScenario } from './scenario.js';

describe('chaos: the chain node down and back', { timeout: 600_000 }, () => {
  it('purchases go on, closes settle once, the monitor and the journal catch up', async () => {
    const r = await chainDown({ stallMs: 6000 });
    console.log(formatScenario(r));
    assert.deepEqual(r.problems, []);
    assert.ok(r.facts.some((f) => /the maker's account sent 2 transactions for 2 closes/.test(f)), 'the closes were counted');
  });
});
