/**
 * The `startup` bench part: the shipped node (controller, dev chain and IPFS guests, router, xbrmm worker)
 * started from the TypeScript sources under tsx, as the tests run it, and compiled from `dist/`, as `npm start`
 * and a production install run it — alternately, `BENCH_STARTUP_ROUNDS` times each (default 2, `--quick` 1),
 * each on a new node directory:
 * - `startup.<entry>.ready`: from spawning the controller to its `node ready` log line (s, median of the rounds);
 * - `startup.<entry>.rss.<worker>`: resident memory of each process once the node is ready (MB, median), and
 *   `startup.<entry>.rss.total`, their sum.
 * `dist/` is built first when it is not up to date (`scripts/build.mjs`), outside the measured time.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logLines, startMarketEdge, type MarketEdge } from '../test/e2e/harness/market-edge.js';
import { describe, figure, median, positiveIntFromEnv, type BenchContext } from './util.js';

const ROOT = new URL('../', import.meta.url).pathname;
type Entry = 'sources' | 'dist';

/** Resident set size of `pid` in MB (VmRSS of /proc/<pid>/status). */
function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) / 1024;
}

interface Round {
  readyS: number;
  /** MB by process: `controller` and each worker id. */
  rss: Map<string, number>;
}

async function oneStart(entry: Entry): Promise<Round> {
  const spawnedAt = Date.now();
  let edge: MarketEdge | undefined;
  try {
    edge = await startMarketEdge({ entry });
    const ready = logLines(edge).find((l) => l.msg === 'node ready');
    if (ready === undefined) throw new Error(`${entry}: no 'node ready' line`);
    const readyS = (Date.parse(String(ready['time'])) - spawnedAt) / 1000;
    const rss = new Map<string, number>([['controller', rssMb(edge.spawned.pid!)]]);
    for (const w of ready['workers'] as { id: string; pid?: number }[]) if (w.pid !== undefined) rss.set(w.id, rssMb(w.pid));
    return { readyS, rss };
  } finally {
    await edge?.stop();
  }
}

export async function runStartupBench(ctx: BenchContext): Promise<boolean> {
  const rounds = positiveIntFromEnv('BENCH_STARTUP_ROUNDS', ctx.quick ? 1 : 2);
  try {
    ctx.log('startup: building dist/ if needed');
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const results: Record<Entry, Round[]> = { sources: [], dist: [] };
    for (let i = 0; i < rounds; i++) {
      for (const entry of ['sources', 'dist'] as const) {
        ctx.log(`startup: round ${i + 1}/${rounds}, ${entry}`);
        results[entry].push(await oneStart(entry));
      }
    }
    for (const entry of ['sources', 'dist'] as const) {
      const rs = results[entry];
      figure(ctx, `startup.${entry}.ready`, median(rs.map((r) => r.readyS)), 's', 1);
      const names = [...rs[0]!.rss.keys()];
      for (const name of names) figure(ctx, `startup.${entry}.rss.${name}`, median(rs.map((r) => r.rss.get(name) ?? Number.NaN)), 'MB');
      figure(ctx, `startup.${entry}.rss.total`, median(rs.map((r) => [...r.rss.values()].reduce((a, b) => a + b, 0))), 'MB');
    }
    return true;
  } catch (err) {
    ctx.out(`# ERROR startup: ${describe(err)}`);
    return false;
  }
}

/** Four starts and stops of the whole node: a few minutes. */
export function startupBudgetMs(quick: boolean): number {
  return quick ? 180_000 : 420_000;
}
