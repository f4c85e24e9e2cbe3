/**
 * Opt-in profiling of the market bench's measured run (off unless the environment asks for it):
 * - `BENCH_MARKET_CPU=1`: CPU time of every process of the edge (controller, router, xbrmm worker, dev
 *   chain; from /proc) and of this bench process (the buyer and seller clients) during each measured run
 *   (saturation, half load), printed as `#` lines in CPU µs per purchase and % of one core, with how long each
 *   process's main thread waited for a core while runnable (/proc schedstat), and this process's event-loop delay.
 * - `BENCH_MARKET_LOOP=1`: the event-loop delay (p50, p99, max) and the GC pauses of every xbrmm worker over
 *   each measured run, printed as `#` lines: a preload (`--import` in the worker's NODE_OPTIONS, see
 *   {@link addWorkerProbe}) keeps a `monitorEventLoopDelay` histogram and a GC observer and reports a
 *   window opened and closed by SIGUSR2, so no product code carries bench hooks.
 * - `BENCH_MARKET_PROFILE_DIR=<dir>`: additionally V8 CPU profiles of each measured run, written into `<dir>`:
 *   this process (`bench-<pid>-<run>.cpuprofile`) and, through the same preload, each xbrmm worker
 *   (`xbrmm-<pid>-<window>.cpuprofile`).
 * Linux only (/proc); elsewhere the CPU lines say n/a.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgeConfig } from '../../test/e2e/harness/market-edge.js';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
  /** System (kernel) part of `ticks`. */
  sysTicks: number;
  /** Main thread: time spent runnable but waiting for a core (ns), and how many times it was put on a core. */
  waitNs: number;
  slices: number;
  label: string;
}

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

function readProc(pid: number): Proc | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    const sched = mainThreadSched(pid);
    return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), sysTicks: Number(f[12]), ...sched, label: labelOf(cmd) };
  } catch {
    return null;
  }
}

/** The main thread's run-queue wait and time slices so far (/proc schedstat; zeros where the kernel has none). */
function mainThreadSched(pid: number): { waitNs: number; slices: number } {
  try {
    const [, wait, slices] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ');
    return { waitNs: Number(wait), slices: Number(slices) };
  } catch {
    return { waitNs: 0, slices: 0 };
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

/**
 * The worker preload (plain ESM: it runs before the worker's own tsx loader). The first SIGUSR2 opens a window
 * (histogram and GC totals reset, the CPU profiler started when asked for), the second closes it and writes
 * `loop-<pid>-<window>.json` (and the profile) into BENCH_LOOP_DIR.
 */
const PROBE_SOURCE = `
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
const dir = process.env.BENCH_LOOP_DIR;
const profile = process.env.BENCH_LOOP_PROFILE === '1';
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
let gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { gc.count++; gc.totalMs += e.duration; gc.maxMs = Math.max(gc.maxMs, e.duration); }
}).observe({ entryTypes: ['gc'] });
let open = false, windows = 0, t0 = 0, session;
process.on('SIGUSR2', () => {
  if (!open) {
    open = true; h.reset(); gc = { count: 0, totalMs: 0, maxMs: 0 }; t0 = performance.now();
    if (profile) { session = new Session(); session.connect(); session.post('Profiler.enable'); session.post('Profiler.setSamplingInterval', { interval: 200 }); session.post('Profiler.start'); }
    return;
  }
  open = false; windows++;
  const ms = (ns) => ns / 1e6;
  const out = { pid: process.pid, ms: performance.now() - t0, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), p999: ms(h.percentile(99.9)), max: ms(h.max), gc };
  const name = dir + '/loop-' + process.pid + '-' + windows;
  const done = () => writeFileSync(name + '.json', JSON.stringify(out));
  if (session === undefined) return done();
  const s = session; session = undefined;
  s.post('Profiler.stop', (err, r) => { s.disconnect(); if (!err) writeFileSync(dir + '/xbrmm-' + process.pid + '-' + windows + '.cpuprofile', JSON.stringify(r.profile)); done(); });
});
`;

/** Where the worker probe writes, when the environment asks for it (set by {@link addWorkerProbe}). */
let probeDir: string | undefined;

/**
 * Adds the probe to every xbrmm worker of `config` when the environment asks for it (`BENCH_MARKET_LOOP=1` or
 * `BENCH_MARKET_PROFILE_DIR`): the preload is written into the output directory and imported through the
 * worker's NODE_OPTIONS.
 */
export function addWorkerProbe(config: EdgeConfig): void {
  const profileDir = process.env['BENCH_MARKET_PROFILE_DIR'];
  const profiling = profileDir !== undefined && profileDir !== '';
  if (process.env['BENCH_MARKET_LOOP'] !== '1' && !profiling) return;
  if (probeDir === undefined) {
    probeDir = profiling ? profileDir : mkdtempSync(join(tmpdir(), 'xbr-bench-loop-'));
    mkdirSync(probeDir, { recursive: true });
    writeFileSync(join(probeDir, 'loop-probe.mjs'), PROBE_SOURCE);
  }
  for (const w of config.workers) {
    if (w.type !== 'xbrmm') continue;
    const env = (w.options.env ?? { inherit: true }) as { inherit?: unknown; vars?: Record<string, string> };
    env.vars = { ...env.vars, NODE_OPTIONS: `--import=${join(probeDir, 'loop-probe.mjs')}`, BENCH_LOOP_DIR: probeDir, BENCH_LOOP_PROFILE: profiling ? '1' : '0' };
    w.options.env = env;
  }
}

/** The probe's report of one window of worker `pid` (undefined if none came within 5 s). */
async function probeReport(pid: number, window: number): Promise<{ ms: number; p50: number; p99: number; p999: number; max: number; gc: { count: number; totalMs: number; maxMs: number } } | undefined> {
  const file = join(probeDir as string, `loop-${pid}-${window}.json`);
  for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Windows the probe of each worker has closed so far. */
const probeWindows = new Map<number, number>();

/** CPU one process spent during a window. */
export interface ProcessCpu {
  /** `bench` (this process), `router`, `xbrmm`, `devchain`, `controller`, `ipfs`, … or `total`. */
  label: string;
  pid: number;
  /** Per purchase of the window. */
  cpuUsPerPurchase: number;
  /** Share of one core over the window, in %. */
  corePct: number;
}

export interface MarketProfile {
  /** Ends the window; prints the per-process lines for `purchases` purchases and returns them. */
  stop(purchases: number, out: (line: string) => void): Promise<ProcessCpu[]>;
}

/**
 * Starts a profiling window named `label` if the environment asks for one (or `always`: the CPU lines only,
 * plus whatever the environment asks for); undefined otherwise.
 */
export async function startMarketProfile(label: string, options: { always?: boolean } = {}): Promise<MarketProfile | undefined> {
  const dir = process.env['BENCH_MARKET_PROFILE_DIR'];
  if (options.always !== true && process.env['BENCH_MARKET_CPU'] !== '1' && probeDir === undefined && (dir === undefined || dir === '')) return undefined;
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
  const workers = probeDir === undefined ? [] : before.filter((p) => p.label === 'xbrmm').map((p) => p.pid);
  for (const pid of workers) process.kill(pid, 'SIGUSR2');
  // This process's own loop: the buyers and sellers share it, so its stalls are in every latency measured here.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const ownSched = mainThreadSched(process.pid);
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    async stop(purchases, out) {
      loop.disable();
      for (const pid of workers) process.kill(pid, 'SIGUSR2');
      const u = process.cpuUsage(u0);
      const secs = (performance.now() - t0) / 1000;
      const after = new Map(descendants().map((p) => [p.pid, p]));
      const cpu: ProcessCpu[] = [];
      // How long each main thread, once runnable, waited for a core: on a busy machine every hop of a purchase
      // from one process to the next can wait there.
      const waited = (b: { waitNs: number; slices: number }, a: { waitNs: number; slices: number }): string => {
        const slices = a.slices - b.slices;
        if (slices <= 0) return '';
        return `; main thread waited for a core ${((a.waitNs - b.waitNs) / 1e6 / secs).toFixed(0)} ms/s, ${((a.waitNs - b.waitNs) / slices / 1e3).toFixed(0)} µs per time slice`;
      };
      const line = (name: string, pid: number, cpuUs: number, sysUs: number, wait = ''): void => {
        cpu.push({ label: name, pid, cpuUsPerPurchase: cpuUs / purchases, corePct: (cpuUs / 1e6 / secs) * 100 });
        out(
          `# cpu ${label}: ${name.padEnd(10)} ${(cpuUs / purchases).toFixed(0).padStart(6)} µs/purchase (${(sysUs / purchases).toFixed(0)} kernel) ${((cpuUs / 1e6 / secs) * 100).toFixed(0).padStart(4)} % of a core${wait}`,
        );
      };
      line('bench', process.pid, u.user + u.system, u.system, waited(ownSched, mainThreadSched(process.pid)));
      let total = u.user + u.system;
      let totalSys = u.system;
      for (const p of before) {
        const a = after.get(p.pid);
        if (a === undefined) continue;
        const us = (a.ticks - p.ticks) * TICK_US;
        const sysUs = (a.sysTicks - p.sysTicks) * TICK_US;
        total += us;
        totalSys += sysUs;
        line(p.label, p.pid, us, sysUs, waited(p, a));
      }
      line('total', 0, total, totalSys);
      const ms = (ns: number): string => (ns / 1e6).toFixed(1);
      out(`# loop ${label}: bench (buyers and sellers): event-loop delay p50 ${ms(loop.percentile(50))} p99 ${ms(loop.percentile(99))} max ${ms(loop.max)} ms`);
      for (const pid of workers) {
        const window = (probeWindows.get(pid) ?? 0) + 1;
        probeWindows.set(pid, window);
        const r = await probeReport(pid, window);
        if (r === undefined) out(`# loop ${label}: xbrmm ${pid}: no report`);
        else
          out(
            `# loop ${label}: xbrmm ${pid}: event-loop delay p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} p99.9 ${r.p999.toFixed(1)} max ${r.max.toFixed(1)} ms; gc ${r.gc.count} pauses, ${r.gc.totalMs.toFixed(0)} ms (${((r.gc.totalMs / r.ms) * 100).toFixed(1)} %), max ${r.gc.maxMs.toFixed(1)} ms`,
          );
      }
      if (session !== undefined && dir !== undefined) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(join(dir, `bench-${process.pid}-${label.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
      }
      return cpu;
    },
  };
}
