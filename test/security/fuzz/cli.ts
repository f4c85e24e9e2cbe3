/**
 * `npm run fuzz -- [--calls N] [--seed S] [--start I] [--check-every K] [--timeout MS] [--trace]`: a fuzz
 * campaign against a fresh edge (run.ts). `--trace` prints every call and its outcome. Prints the summary; on the first violation prints it (seed, call index,
 * the call as sent, how to replay) and exits 1. Without `--seed` a seed is drawn and printed.
 */
import { parseArgs } from 'node:util';
import { formatSummary, FuzzViolation, runFuzz } from './run.js';

const USAGE = 'usage: npm run fuzz -- [--calls N] [--seed S] [--start I] [--check-every K] [--timeout MS] [--trace]';

function int(name: string, v: string | boolean | undefined, fallback: number, min: number): number {
  if (v === undefined || typeof v === 'boolean') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(v)}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: { calls: { type: 'string' }, seed: { type: 'string' }, start: { type: 'string' }, 'check-every': { type: 'string' }, timeout: { type: 'string' }, trace: { type: 'boolean' } },
      strict: true,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const seed = int('seed', values['seed'], Math.floor(Math.random() * 2 ** 31), 0);
  const options = {
    seed,
    calls: int('calls', values['calls'], 1000, 1),
    start: int('start', values['start'], 0, 0),
    checkEvery: int('check-every', values['check-every'], 250, 1),
    callTimeoutMs: int('timeout', values['timeout'], 10_000, 100),
    log: (line: string) => console.log(line),
    ...(values['trace'] === true ? { trace: (line: string) => console.log(line) } : {}),
  };
  console.log(`fuzz: seed ${seed} (replay with --seed ${seed})`);
  try {
    console.log(formatSummary(await runFuzz(options)));
    return 0;
  } catch (err) {
    console.error(err instanceof FuzzViolation ? err.message : err);
    return 1;
  }
}

// Exit explicitly: a call that hung leaves its reply timer behind.
process.exit(await main());
