import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchLedger } from '../../../bench/primitives/ledger.js';

test('benchLedger (quick) prints its four figures and leaves a consistent ledger', async () => {
  const lines: [string, number, string][] = [];
  const prev = process.env['BENCH_LEDGER_LANES'];
  process.env['BENCH_LEDGER_LANES'] = '8';
  try {
    await benchLedger((name, value, unit) => lines.push([name, value, unit]), true);
  } finally {
    if (prev === undefined) delete process.env['BENCH_LEDGER_LANES'];
    else process.env['BENCH_LEDGER_LANES'] = prev;
  }
  assert.deepEqual(lines.map((l) => l[0]), ['ledger_sync_pairs', 'ledger_batched_pairs_8lanes', 'ledger_batched_vs_sync', 'ledger_batched_vs_goal_5000']);
  for (const [, value] of lines) assert.ok(Number.isFinite(value) && value > 0);
});
