/**
 * The disk-full chaos scenario (disk-full.ts) in CI: the maker DB's tmpfs fills up during purchases and is
 * freed again; the maker must fail closed with a clear error, stay up, serve again by itself, and lose or
 * double nothing. Needs root (it mounts a tmpfs): skipped with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diskFull } from './disk-full.js';
import { formatScenario } from './scenario.js';

test('chaos: the disk of the maker DB full during purchases, then space back', { timeout: 600_000 }, async (t) => {
  const r = await diskFull();
  console.log(formatScenario(r));
  if (r.skipped !== undefined) {
    t.skip(r.skipped);
    return;
  }
  assert.ok(r.ok, formatScenario(r));
});
