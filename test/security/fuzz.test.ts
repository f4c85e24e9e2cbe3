/**
 * A fixed-seed fuzz run of every `xbr.marketmaker.*` procedure, the router's authenticator included, through
 * the real controller, router and maker (test/security/fuzz/): anonymous, member and operator callers send
 * positional and keyword arguments of wrong types and lengths, extra and duplicated arguments, `__proto__`
 * and friends as keys, 100 kB values and 50-deep nesting, mixed with real ids and correctly signed calls.
 * Each answer must be a result the caller may have or a specific error — never `wamp.error.runtime_error`,
 * never a hang or a dropped session — and the ledger, the offers and the maker must be as before.
 *
 * The budget fits CI (about a minute with the edge start on 2 cores); longer campaigns with any seed:
 * `npm run fuzz -- --calls 10000 [--seed N]`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROCEDURES } from './fuzz/procedures.js';
import { formatSummary, runFuzz } from './fuzz/run.js';

/** Fixed, so a CI failure replays exactly: `npm run fuzz -- --seed 20261206 --start <index> --calls 1`. */
const SEED = 20261206;
const CALLS = 6000;

test(`fuzz: ${CALLS} hostile calls of every maker procedure get specific errors and change nothing (seed ${SEED})`, { timeout: 240_000 }, async () => {
  const summary = await runFuzz({ seed: SEED, calls: CALLS, checkEvery: 250 });
  console.log(formatSummary(summary, true));
  for (const p of PROCEDURES) assert.ok((summary.byProcedure[p.uri] ?? 0) >= 20, `${p.uri} was called ${summary.byProcedure[p.uri] ?? 0} times: the run covers every procedure`);
  for (const kind of ['anonymous', 'operator', 'router']) assert.ok((summary.byCaller[kind] ?? 0) > 0, `no ${kind} caller`);
  assert.ok((summary.byOutcome['RESULT'] ?? 0) > 0, 'some calls succeed (the fuzzer is not refused wholesale)');
  assert.ok((summary.byOutcome['HELLO→CHALLENGE'] ?? 0) > 0, 'some cryptosign HELLOs pass the authenticator');
});
