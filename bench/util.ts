/**
 * Shared pieces of the benchmarks: output of figures, child processes that are always cleaned up,
 * ports, CPU accounting from /proc, statistics.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';

/** What every bench part gets: options and the two output channels. */
export interface BenchContext {
  quick: boolean;
  /** A result line on stdout: a figure (`name value unit`), a `# ` comment or an `# ERROR` line. */
  out(line: string): void;
  /** Progress on stderr (kept off stdout so the figures stay easy to parse). */
  log(line: string): void;
}

export type BenchPart = (ctx: BenchContext) => Promise<boolean>;

/** Prints `name value unit`; `null` prints `n/a` (the figure could not be measured). */
export function figure(ctx: BenchContext, name: string, value: number | null, unit: string, digits = 0): void {
  ctx.out(`${name} ${value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits)} ${unit}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..1) of an ascending array. */
export function percentile(sortedAsc: Float64Array | readonly number[], p: number): number {
  if (sortedAsc.length === 0) return Number.NaN;
  const rank = Math.min(sortedAsc.length, Math.max(1, Math.ceil(p * sortedAsc.length)));
  return sortedAsc[rank - 1] as number;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

function tryConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = netConnect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(false);
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      // Connecting to a free port in the ephemeral range can connect the socket to itself (TCP
      // simultaneous open, when the kernel picks the same source port); that is not a listener.
      const self = sock.localPort === sock.remotePort && sock.localAddress === sock.remoteAddress;
      sock.destroy();
      resolve(!self);
    });
    sock.once('error', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(false);
    });
  });
}

/** Waits until `host:port` accepts TCP connections; fails early if `proc` exits, or after `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs: number, proc: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitInfo !== null) {
      await sleep(200); // let the last output arrive
      throw new Error(`${proc.label} exited (${proc.exitInfo}) before ${host}:${port} accepted connections${proc.tailText()}`);
    }
    if (await tryConnect(host, port, 500)) return;
    if (Date.now() >= deadline) {
      throw new Error(`${host}:${port} did not accept connections within ${Math.round(timeoutMs / 1000)} s${proc.tailText()}`);
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes. Each runs in its own process group (detached), so the whole tree (e.g. our
// controller and the router worker it forks) can be stopped; whatever is still alive when the bench
// exits, for any reason, is SIGKILLed.

const live = new Set<ManagedProcess>();

let clkTck = 0;
function clockTicks(): number {
  if (clkTck === 0) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
  startTime: string;
}

function readProcStat(pid: number): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    // f[0] = state (field 3), f[1] = ppid, f[2] = pgrp, f[11] = utime (field 14), f[12] = stime, f[19] = starttime (field 22)
    return {
      pid,
      ppid: Number(f[1]),
      pgrp: Number(f[2]),
      cpuTicks: Number(f[11]) + Number(f[12]),
      startTime: f[19] ?? '',
    };
  } catch {
    return null;
  }
}

function allProcStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const st = readProcStat(Number(name));
    if (st !== null) out.push(st);
  }
  return out;
}

export class ManagedProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** `null` while running, else e.g. `code 1` or `signal SIGKILL`. */
  exitInfo: string | null = null;
  readonly exited: Promise<void>;
  private readonly tail: string[] = [];
  private partial = '';
  private treePids: number[] = [];

  constructor(label: string, command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; stdinPipe?: boolean }) {
    this.label = label;
    this.child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: [opts.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) {
      // spawn failed synchronously (e.g. ENOENT); the 'error' event carries the reason.
      this.pid = -1;
    } else {
      this.pid = this.child.pid;
      live.add(this);
    }
    this.child.stdin?.on('error', () => undefined);
    this.child.stdout?.on('data', (chunk: Buffer) => this.collect(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.collect(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        if (this.exitInfo === null) this.exitInfo = `spawn error: ${err.message}`;
        live.delete(this);
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.exitInfo = signal !== null ? `signal ${signal}` : `code ${String(code)}`;
        resolve();
      });
    });
  }

  /** Output lines kept for error messages (the last 30). */
  lines(): string[] {
    return this.partial ? [...this.tail, this.partial] : [...this.tail];
  }

  /** `: <last lines>` for appending to an error message, or '' if the process printed nothing. */
  tailText(maxLines = 8): string {
    const lines = this.lines().filter((l) => l.trim() !== '').slice(-maxLines);
    return lines.length ? `; last output: ${lines.join(' | ')}` : '';
  }

  /** The process and all its descendants and process-group members, as now visible in /proc. */
  tree(): ProcStat[] {
    if (this.pid <= 0) return [];
    const stats = allProcStats();
    const children = new Map<number, ProcStat[]>();
    for (const st of stats) {
      const list = children.get(st.ppid);
      if (list) list.push(st);
      else children.set(st.ppid, [st]);
    }
    const seen = new Map<number, ProcStat>();
    for (const st of stats) if (st.pgrp === this.pid || st.pid === this.pid) seen.set(st.pid, st);
    const queue = [...seen.keys()];
    while (queue.length) {
      const pid = queue.pop() as number;
      for (const c of children.get(pid) ?? []) {
        if (!seen.has(c.pid)) {
          seen.set(c.pid, c);
          queue.push(c.pid);
        }
      }
    }
    return [...seen.values()];
  }

  /** Remembers the current process tree for `cpuSeconds()` (so a measurement does not rescan /proc). */
  snapshotTree(): number {
    this.treePids = this.tree().map((st) => st.pid);
    return this.treePids.length;
  }

  /** CPU seconds (user + system) used so far by the snapshotted process tree (Linux /proc; NaN elsewhere). */
  cpuSeconds(): number {
    if (this.treePids.length === 0) this.snapshotTree();
    let ticks = 0;
    let found = 0;
    for (const pid of this.treePids) {
      const st = readProcStat(pid);
      if (st === null) continue;
      ticks += st.cpuTicks;
      found++;
    }
    return found === 0 ? Number.NaN : ticks / clockTicks();
  }

  /**
   * SIGTERM to the main process (it stops its own children, as a controller does), up to `graceMs` for
   * it to exit, then SIGKILL to whatever is left of its process group and of the tree seen before.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.pid <= 0) return;
    const snapshot = this.tree();
    if (this.exitInfo === null) {
      try {
        process.kill(this.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([this.exited, sleep(graceMs)]);
    }
    // Give the rest of the group a moment after the main process is gone, then make sure.
    await sleep(100);
    try {
      this.child.stdin?.end(); // a guarded process (bench/guard.cjs) SIGKILLs its tree when stdin closes
    } catch {
      // ignore
    }
    signalGroup(this.pid, 'SIGKILL');
    for (const st of snapshot) {
      const now = readProcStat(st.pid);
      if (now !== null && now.startTime === st.startTime) {
        try {
          process.kill(st.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await Promise.race([this.exited, sleep(2000)]);
    live.delete(this);
  }

  killSync(): void {
    if (this.pid <= 0) return;
    signalGroup(this.pid, 'SIGKILL');
    live.delete(this);
  }

  private collect(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > 4000) this.partial = this.partial.slice(-4000);
    for (const line of parts) {
      this.tail.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (this.tail.length > 30) this.tail.shift();
    }
  }
}

/** CPU seconds all cores spent busy (everything but idle and iowait) since boot, from /proc/stat; NaN elsewhere. */
export function systemBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0);
    return busy / clockTicks();
  } catch {
    return Number.NaN;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/** SIGKILLs every child process group still alive. Safe to call from an 'exit' handler. */
export function killAllSync(): void {
  for (const p of [...live]) p.killSync();
}

process.on('exit', killAllSync);

/** Runs a command to completion with a time limit (the child's tree is killed on timeout). */
export async function runCommand(
  label: string,
  command: string,
  args: string[],
  opts: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<{ ok: boolean; info: string; output: ManagedProcess }> {
  const proc = new ManagedProcess(label, command, args, opts.env ? { cwd: opts.cwd, env: opts.env } : { cwd: opts.cwd });
  const finished = await Promise.race([proc.exited.then(() => true), sleep(opts.timeoutMs).then(() => false)]);
  if (!finished) {
    await proc.stop(2000);
    return { ok: false, info: `timed out after ${Math.round(opts.timeoutMs / 1000)} s`, output: proc };
  }
  live.delete(proc);
  return { ok: proc.exitInfo === 'code 0', info: proc.exitInfo ?? 'unknown', output: proc };
}

// ---------------------------------------------------------------------------------------------
// CPU accounting of a throughput run

/** Percent of one core used during a measured interval, by the router's process tree, this bench process and everything else. */
export interface CpuShares {
  router: number;
  client: number;
  /** Busy CPU of the whole machine minus router and client: other processes (and some kernel time). */
  other: number;
}

/** A warning is printed when the bench client used this much of a core: the figure is then client-bound. */
const CLIENT_BOUND_PCT = 90;
/** A warning is printed when other processes used this much CPU during the throughput runs. */
export const OTHER_LOAD_PCT = 25;

/**
 * Starts measuring CPU (router tree from /proc, this process from process.cpuUsage(), the machine
 * from /proc/stat); the returned function ends the interval, given its length in seconds.
 */
export function startCpuWindow(router: ManagedProcess): (secs: number) => CpuShares {
  const r0 = router.cpuSeconds();
  const b0 = systemBusySeconds();
  const u0 = process.cpuUsage();
  return (secs) => {
    const u1 = process.cpuUsage(u0);
    const b1 = systemBusySeconds();
    const r1 = router.cpuSeconds();
    const routerPct = ((r1 - r0) / secs) * 100;
    const clientPct = ((u1.user + u1.system) / 1e6 / secs) * 100;
    const otherPct = Math.max(0, ((b1 - b0) / secs) * 100 - routerPct - clientPct);
    return { router: routerPct, client: clientPct, other: otherPct };
  };
}

/** `# WARNING` lines when the median client CPU says client-bound or other load says the machine was not quiet. */
export function loadWarnings(ctx: BenchContext, key: string, clientCpu: readonly number[], otherCpu: readonly number[]): void {
  if (median(clientCpu) >= CLIENT_BOUND_PCT) {
    ctx.out(`# WARNING ${key}: the bench client used ${Math.round(median(clientCpu))} % of a core: client-bound, the router may do more than this figure`);
  }
  if (median(otherCpu) >= OTHER_LOAD_PCT) {
    ctx.out(
      `# WARNING ${key}: other processes used ${Math.round(median(otherCpu))} % CPU during the runs: the machine was not quiet, the figures are unreliable`,
    );
  }
}

/** a / b, or null when either is missing or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined || !(b > 0) ? null : a / b;
}

/** A positive integer from the environment (e.g. a bench window), or `fallback` when unset. */
export function positiveIntFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${String(raw)}`);
  return value;
}
