/**
 * The soak proof (soak.ts) for 45 s in CI: purchases on every lane, offer churn, payment channels opened and
 * closed, pub/sub and status reads all at once on one edge; no load error, every event received, no fd or LMDB
 * free-page growth, nothing in flight and the audit clean. Memory slopes are only reported at this length (they
 * are bounded from 5 min on: `npm run proof -- soak --minutes 30`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSoak, runSoak } from './soak.js';

test('soak proof: 45 s of mixed load on one edge', { timeout: 600_000 }, async () => {
  const r = await runSoak({ minutes: 0.75, buyers: 2, sellers: 2 });
  const report = formatSoak(r).join('\n');
  console.log(report);
  assert.ok(r.ok, report);
  for (const [kind, n] of Object.entries(r.counts)) assert.ok(n > 0, `no ${kind} in the soak:\n${report}`);
  assert.equal(r.counts.eventsReceived, r.counts.eventsPublished, report);
});
