/**
 * The clock-skew chaos scenario (clock-skew.ts) in CI: sellers whose clocks are ±2 min and ±1 day off the
 * maker's. Small skews sell; offers whose times a large skew makes unacceptable are refused with an error
 * naming the times and nothing is stored; no amount depends on a clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockSkew } from './clock-skew.js';
import { formatScenario } from './scenario.js';

test('chaos: sellers with clocks ±2 min and ±1 day off the maker\'s', { timeout: 600_000 }, async () => {
  const r = await clockSkew();
  console.log(formatScenario(r));
  assert.ok(r.ok, formatScenario(r));
});
