/**
 * Opt-in profiling of the market bench's measured run (off unless the environment asks for it):
 * - `BENCH_MARKET_CPU=1`: CPU time of every process of the edge (controller, router, xbrmm worker, dev
 *   chain; from /proc) and of this bench process (the buyer and seller clients) during the measured run,
 *   printed as `#` lines in CPU µs per purchase and % of one core.
 * - `BENCH_MARKET_PROFILE_DIR=<dir>`: additionally a V8 CPU profile of this process over the measured run
 *   (`bench-<pid>.cpuprofile`), written into `<dir>`. (The workers can be profiled the same way with a
 *   `node:inspector` Profiler session started and stopped on a signal in their entry; not shipped.)
 * Linux only (/proc); elsewhere the CPU lines say n/a.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
  /** System (kernel) part of `ticks`. */
  sysTicks: number;
  label: string;
}

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

function readProc(pid: number): Proc | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), sysTicks: Number(f[12]), label: labelOf(cmd) };
  } catch {
    return null;
  }
}

function labelOf(cmd: string): string {
  if (cmd.includes('controller/cli')) return 'controller';
  if (cmd.includes('router/worker/main')) return 'router';
  if (cmd.includes('ipfs/node/main')) return 'ipfs';
  if (cmd.includes('worker/main')) return 'xbrmm';
  if (cmd.includes('devchain') || cmd.includes('hardhat')) return 'devchain';
  if (cmd.includes('esbuild')) return 'esbuild';
  return cmd.slice(0, 40);
}

/** Every descendant of this process, as now visible in /proc. */
function descendants(): Proc[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const all = new Map<number, Proc>();
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const p = readProc(Number(n));
    if (p !== null) all.set(p.pid, p);
  }
  const out: Proc[] = [];
  const want = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all.values()) {
      if (!want.has(p.pid) && want.has(p.ppid)) {
        want.add(p.pid);
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}

export interface MarketProfile {
  /** Ends the window; prints the per-process lines for `purchases` purchases. */
  stop(purchases: number, out: (line: string) => void): Promise<void>;
}

/** Starts a profiling window if the environment asks for one; undefined otherwise. */
export async function startMarketProfile(): Promise<MarketProfile | undefined> {
  const dir = process.env['BENCH_MARKET_PROFILE_DIR'];
  if (process.env['BENCH_MARKET_CPU'] !== '1' && (dir === undefined || dir === '')) return undefined;
  let session: Session | undefined;
  if (dir !== undefined && dir !== '') {
    mkdirSync(dir, { recursive: true });
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const before = descendants();
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    async stop(purchases, out) {
      const u = process.cpuUsage(u0);
      const secs = (performance.now() - t0) / 1000;
      const after = new Map(descendants().map((p) => [p.pid, p]));
      const line = (label: string, cpuUs: number, sysUs: number): void =>
        out(
          `# cpu ${label.padEnd(10)} ${(cpuUs / purchases).toFixed(0).padStart(6)} µs/purchase (${(sysUs / purchases).toFixed(0)} kernel) ${((cpuUs / 1e6 / secs) * 100).toFixed(0).padStart(4)} % of a core`,
        );
      line('bench', u.user + u.system, u.system);
      let total = u.user + u.system;
      let totalSys = u.system;
      for (const p of before) {
        const a = after.get(p.pid);
        if (a === undefined) continue;
        const us = (a.ticks - p.ticks) * TICK_US;
        const sysUs = (a.sysTicks - p.sysTicks) * TICK_US;
        total += us;
        totalSys += sysUs;
        line(p.label, us, sysUs);
      }
      line('total', total, totalSys);
      if (session !== undefined && dir !== undefined) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(join(dir, `bench-${process.pid}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
      }
    },
  };
}
