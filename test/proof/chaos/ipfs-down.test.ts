/**
 * The IPFS-down chaos scenario (ipfs-down.ts) in CI: the IPFS node frozen, then killed and restarted by the
 * controller, while buyers buy and a new catalog is published on chain; purchases must not notice, the maker
 * must record and retry the failed downloads and complete them by itself once the node is back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipfsDown } from './ipfs-down.js';
import { formatScenario } from './scenario.js';

test('chaos: the IPFS node down (frozen, then killed) during purchases and a catalog publication', { timeout: 600_000 }, async () => {
  const r = await ipfsDown();
  console.log(formatScenario(r));
  assert.ok(r.ok, formatScenario(r));
});
