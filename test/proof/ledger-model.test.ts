/**
 * The ledger against its model (ledger-model.ts) on a fixed budget for CI; `npm run proof -- ledger --runs N`
 * runs it longer. A seed from the environment (`XBR_PROOF_SEED`) replays a failure fast-check reported.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { ledgerProperty } from './ledger-model.js';

test('random sequences of purchases, resolves, refunds at start, closes, chain events and restarts keep the LMDB ledger equal to its model', { timeout: 300_000 }, async () => {
  const seed = process.env['XBR_PROOF_SEED'];
  await fc.assert(ledgerProperty(), { numRuns: 500, ...(seed === undefined ? {} : { seed: Number(seed) }) });
});
