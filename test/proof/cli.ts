/**
 * `npm run proof -- <suite> [options]`: runs one proof suite and ends with the line `N passed, M failed`.
 * - `ledger [--runs N] [--seed S] [--max-commands M]`: the ledger against its model (ledger-model.ts); on a
 *   failure it prints the shrunk sequence and how to replay it.
 * - `crash [--seeds N] [--first-seed K] [--buyers B] [--sellers S] [--faults F,…]`: seeds K … K+N−1 of the
 *   crash proof (crash.ts) on one edge, a line per seed, then every channel closed cooperatively and checked on chain.
 * - `chaos [--only chain,ipfs,router,clock,disk]`: the chaos scenarios (chaos/), each on an edge of its own.
 * - `soak [--minutes M] [--buyers B] [--sellers S]`: mixed load on one edge, memory, fds and LMDB pages sampled (soak.ts).
 * Exit 0 when nothing failed, 1 when something did, 2 on a bad command line.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { closeAll, FAULTS, formatSeed, runCrashSeed, startCrashEdge, type Fault } from './crash.js';
import { formatScenario, SCENARIOS } from './chaos/index.js';
import { ledgerProperty, STEPS } from './ledger-model.js';
import { MAX_SELLERS } from '../e2e/market/lanes.js';
import { formatSoak, runSoak } from './soak.js';

const USAGE = 'usage: npm run proof -- ledger [--runs N] [--seed S] [--max-commands M]\n       npm run proof -- crash [--seeds N] [--first-seed K] [--buyers B] [--sellers S] [--faults xbrmm,router,seller,chain]\n       npm run proof -- chaos [--only chain,ipfs,router,clock,disk]\n       npm run proof -- soak [--minutes M] [--buyers B] [--sellers S]';

function int(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

async function ledger(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' }, seed: { type: 'string' }, 'max-commands': { type: 'string' } }, strict: true });
  const runs = int('runs', values.runs, 1000, 1);
  const seed = int('seed', values.seed, Math.floor(Math.random() * 2 ** 31), -(2 ** 31));
  const maxCommands = int('max-commands', values['max-commands'], 60, 1);
  console.log(`ledger: ${runs} runs of up to ${maxCommands} steps, seed ${seed}`);
  const t0 = performance.now();
  const details = await fc.check(ledgerProperty(maxCommands), { numRuns: runs, seed });
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  const failed = details.failed ? 1 : 0;
  console.log(`ledger: ${STEPS.n} steps checked, ${STEPS.bought} purchases reserved, in ${s} s`);
  if (details.failed) {
    console.log(`ledger: FAILED after ${details.numRuns} runs (shrunk ${details.numShrinks} times)`);
    console.log(`  sequence: ${fc.stringify(details.counterexample)}`);
    console.log(`  error: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
    console.log(`  replay: npm run proof -- ledger --seed ${details.seed} --runs ${runs}  (fast-check path ${details.counterexamplePath})`);
  }
  console.log(`${details.numRuns - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function crash(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { seeds: { type: 'string' }, 'first-seed': { type: 'string' }, buyers: { type: 'string' }, sellers: { type: 'string' }, faults: { type: 'string' } }, strict: true });
  const seeds = int('seeds', values.seeds, 10, 1);
  const first = int('first-seed', values['first-seed'], 1, 0);
  const buyers = int('buyers', values.buyers, 8, 1);
  const sellers = int('sellers', values.sellers, 4, 1);
  const faults = (values.faults ?? FAULTS.join(',')).split(',');
  const unknown = faults.filter((f) => !(FAULTS as readonly string[]).includes(f));
  if (unknown.length > 0 || faults.length === 0) throw new RangeError(`--faults: expected some of ${FAULTS.join(',')}, got ${JSON.stringify(values.faults)}`);
  console.log(`crash: ${buyers} buyers × ${sellers} seller processes; per seed one SIGKILL of each of ${faults.join(', ')}; seeds ${first}..${first + seeds - 1}`);
  const c = await startCrashEdge({ buyers, sellers });
  let passed = 0;
  let failed = 0;
  let purchases = 0;
  let kills = 0;
  try {
    for (let seed = first; seed < first + seeds; seed++) {
      const r = await runCrashSeed(c, seed, faults as Fault[]);
      console.log(formatSeed(r));
      purchases += r.purchases;
      kills += r.faults.length;
      if (r.ok) passed++;
      else failed++;
    }
    const closed = await closeAll(c);
    console.log(closed.ok ? `closes: ${closed.closed} channels closed cooperatively, each on chain at the ledger's state: ok` : `closes: FAILED\n  ${closed.problems.join('\n  ')}`);
    if (closed.ok) passed++;
    else failed++;
  } finally {
    await c.stop();
  }
  console.log(`crash: ${purchases} purchases, ${kills} kills`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function chaos(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string' } }, strict: true });
  const names = values.only === undefined ? Object.keys(SCENARIOS) : values.only.split(',');
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length > 0 || names.length === 0) throw new RangeError(`--only: expected some of ${Object.keys(SCENARIOS).join(',')}, got ${JSON.stringify(values.only)}`);
  let passed = 0;
  let failed = 0;
  for (const name of names) {
    const t0 = performance.now();
    const r = await SCENARIOS[name]!();
    console.log(`${formatScenario(r)}\n  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    // A scenario that could not run here (e.g. the disk scenario without root) is not a pass.
    if (r.ok) passed++;
    else failed++;
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function soak(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { minutes: { type: 'string' }, buyers: { type: 'string' }, sellers: { type: 'string' } }, strict: true });
  const minutes = values.minutes === undefined ? 30 : Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes < 0.5) throw new RangeError(`--minutes: expected a number ≥ 0.5, got ${JSON.stringify(values.minutes)}`);
  const buyers = int('buyers', values.buyers, 4, 1);
  const sellers = int('sellers', values.sellers, 2, 1);
  // Checked before the edge starts, so that a bad command line starts nothing.
  if (sellers > MAX_SELLERS) throw new RangeError(`--sellers: at most ${MAX_SELLERS}, got ${sellers}`);
  const r = await runSoak({ minutes, buyers, sellers, log: (line) => console.log(line) });
  for (const line of formatSoak(r)) console.log(line);
  console.log(`${r.ok ? 1 : 0} passed, ${r.ok ? 0 : 1} failed`);
  return r.ok ? 0 : 1;
}

async function main(): Promise<number> {
  const [suite, ...rest] = process.argv.slice(2);
  try {
    if (suite === 'ledger') return await ledger(rest);
    if (suite === 'crash') return await crash(rest);
    if (suite === 'chaos') return await chaos(rest);
    if (suite === 'soak') return await soak(rest);
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  console.error(`unknown suite ${JSON.stringify(suite ?? '')}\n${USAGE}`);
  return 2;
}

process.exitCode = await main();
