/**
 * `npm run bench [-- --only router,pubsub] [-- --quick]`: runs the benchmark parts and prints one line per
 * figure (`name value unit`) on stdout, plus ratios where a peer exists. Lines starting with `#` are
 * the header, notes and errors (`# ERROR ...`); progress goes to stderr. Exit code 1 if a part failed.
 */
import os from 'node:os';
import { devchainBudgetMs, runDevchainBench } from './devchain.js';
import { gasBudgetMs, runGasBench } from './gas.js';
import { marketBudgetMs, runMarketBench } from './market/index.js';
import { offersBudgetMs, runOffersBench } from './offers.js';
import { primitivesBudgetMs, runPrimitivesBench } from './primitives/index.js';
import { pubsubBudgetMs, runPubsubBench } from './pubsub.js';
import { runStartupBench, startupBudgetMs } from './startup.js';
import { routerBudgetMs, runRouterBench } from './router.js';
import { runScaleoutBench, scaleoutBudgetMs } from './market/scaleout.js';
import { describe, killAllSync, type BenchContext, type BenchPart } from './util.js';

interface PartEntry {
  run: BenchPart;
  /** Upper bound of the part's run time, for the watchdog. */
  budgetMs: (quick: boolean) => number;
}

const PARTS: Record<string, PartEntry> = {
  router: { run: runRouterBench, budgetMs: routerBudgetMs },
  pubsub: { run: runPubsubBench, budgetMs: pubsubBudgetMs },
  primitives: { run: runPrimitivesBench, budgetMs: primitivesBudgetMs },
  market: { run: runMarketBench, budgetMs: marketBudgetMs },
  scaleout: { run: runScaleoutBench, budgetMs: scaleoutBudgetMs },
  offers: { run: runOffersBench, budgetMs: offersBudgetMs },
  devchain: { run: runDevchainBench, budgetMs: devchainBudgetMs },
  gas: { run: runGasBench, budgetMs: gasBudgetMs },
  startup: { run: runStartupBench, budgetMs: startupBudgetMs },
};

function usage(): string {
  return [
    'usage: npm run bench -- [--only <part>[,<part>...]] [--quick]',
    `  parts: ${Object.keys(PARTS).join(', ')}`,
    '  --quick   short durations (smoke run)',
    '  env BENCH_ROUTER_WINDOW=<n>  outstanding calls in the router calls/s runs (default 1024)',
    '  env BENCH_PUBSUB_WINDOW=<n>  outstanding publications in the pubsub fan-out runs (default 512)',
    '  env BENCH_OUR_CLI=<path>     entry point of our router (default router/controller/cli.ts)',
    '  env BENCH_MARKET_BUYERS=<n>, BENCH_MARKET_SELLERS=<m>  market lanes (default 16 buyers, 8 sellers)',
    '  env BENCH_SCALEOUT_BUYERS=<n>, BENCH_SCALEOUT_SELLERS=<m>  scaleout lanes per market (default 8 buyers, 4 sellers)',
    '  env BENCH_OFFERS=<n>         live offers of the offers part, as many expired beside them (default 1000000)',
    '  env BENCH_OFFERS_BATCH=<n>   offers per write when the offers part places them (default 10000)',
    '  env BENCH_DEVCHAIN_TXS=<n>   transactions journaled and replayed by the devchain part (default 10000)',
    '  env BENCH_STARTUP_ROUNDS=<n> starts of the node from the sources and from dist/ each (default 2)',
  ].join('\n');
}

function parseArgs(argv: string[]): { parts: string[]; quick: boolean } {
  let quick = false;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (value === undefined || value === '') throw new Error('--only needs a part name');
      only.push(...value.split(',').filter((p) => p !== ''));
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  for (const p of only) if (!(p in PARTS)) throw new Error(`unknown part '${p}' (parts: ${Object.keys(PARTS).join(', ')})`);
  return { parts: only.length ? [...new Set(only)] : Object.keys(PARTS), quick };
}

function machineLine(): string {
  const cpus = os.cpus();
  const model = (cpus[0]?.model ?? 'unknown cpu').replace(/\s+/g, ' ').trim();
  const mem = (os.totalmem() / 2 ** 30).toFixed(1);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `# machine: ${os.platform()} ${os.arch()}, ${cpus.length} cores (${model}), ${mem} GiB RAM, load ${load}; node ${process.version}`;
}

async function main(): Promise<number> {
  let args: { parts: string[]; quick: boolean };
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${describe(err)}\n${usage()}`);
    return 2;
  }
  const ctx: BenchContext = {
    quick: args.quick,
    out: (line) => process.stdout.write(`${line}\n`),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      ctx.out(`# ERROR bench: interrupted by ${signal}`);
      killAllSync();
      process.exit(130);
    });
  }

  ctx.out(`# xbr-edge bench ${new Date().toISOString()}, parts: ${args.parts.join(', ')}, mode: ${args.quick ? 'quick' : 'full'}`);
  ctx.out(machineLine());

  let failed = false;
  for (const name of args.parts) {
    const part = PARTS[name] as PartEntry;
    const budget = part.budgetMs(args.quick);
    const watchdog = setTimeout(() => {
      ctx.out(`# ERROR ${name}: watchdog: the part did not finish within ${Math.round(budget / 1000)} s; stopping`);
      killAllSync();
      process.exit(1);
    }, budget);
    watchdog.unref();
    const t0 = Date.now();
    try {
      if (!(await part.run(ctx))) failed = true;
    } catch (err) {
      ctx.out(`# ERROR ${name}: ${describe(err)}`);
      failed = true;
    } finally {
      clearTimeout(watchdog);
    }
    ctx.log(`# ${name}: done in ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  return failed ? 1 : 0;
}

const code = await main();
killAllSync();
process.exitCode = code;
// Leftover sockets or timers must not keep the bench alive.
setTimeout(() => process.exit(code), 2000).unref();
