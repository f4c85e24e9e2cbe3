/** Retry backoff: doubling from retry_initial, capped at retry_max, equal jitter within [d/2, d]. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryDelayMs } from '../../../worker/ipfs/index.js';
import { backoffDelay } from '../../../process/index.js';

const policy = { initialMs: 5_000, maxMs: 60_000 };

describe('backoff', () => {
  it('doubles per failure up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(policy.initialMs, policy.maxMs, n)), [5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    assert.equal(backoffDelay(policy.initialMs, policy.maxMs, 0), 5_000);
  });

  it('jitters within [d/2, d]', () => {
    assert.equal(retryDelayMs(policy, 3, () => 0), 10_000);
    assert.equal(retryDelayMs(policy, 3, () => 0.5), 15_000);
    assert.equal(retryDelayMs(policy, 3, () => 0.999999), 20_000);
    for (let i = 0; i < 200; i++) {
      const d = retryDelayMs(policy, 2);
      assert.ok(d >= 5_000 && d <= 10_000, String(d));
    }
  });
});
