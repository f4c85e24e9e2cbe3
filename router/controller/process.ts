/**
 * Worker processes of the controller: spawning a node.js worker (forked with an IPC channel that
 * speaks `ipc.ts`) or a guest worker (a plain executable), tracking its exit, and the small process
 * helpers the controller's supervision and shutdown use.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { logLevelOf, type Logger } from '../../schema/index.js';
import type { GuestWorkerConfig, WorkerCommonOptions, WorkerConfig } from '../../config/index.js';
import { isWorkerToController, type ControllerToWorker, type WorkerReport } from '../../process/index.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

/** One spawned process of a worker. */
export interface Run {
  proc: ChildProcess;
  pid: number | undefined;
  done: boolean;
  exited: Promise<ExitInfo>;
  spawned: Promise<boolean>;
  /** Set while the controller waits for a node.js worker's readiness. */
  onReady?: (details: Record<string, unknown>) => void;
  onFailed?: (error: { uri: string; message: string }) => void;
  /** `report` requests sent to a node.js worker and not answered yet, by request id. */
  reports: Map<number, (report: WorkerReport) => void>;
}

/** Entry modules of the node.js workers. */
export interface WorkerEntries {
  router: string;
  xbrmm: string;
}

export interface SpawnContext {
  nodeId: string;
  /** Node directory; node.js workers run in it and receive it in their start message. */
  cbdir: string;
  entries: WorkerEntries;
  log: Logger;
  /** Worker processes alive: the new process is added at once and removed when it exits. */
  live: Set<ChildProcess>;
  /** Called once when the run has exited (or could not be spawned). */
  onExit: (run: Run, e: ExitInfo) => void;
}

export function describeExit(e: ExitInfo): string {
  if (e.error !== undefined) return `could not be spawned: ${e.error.message}`;
  if (e.signal !== null) return `killed by ${e.signal}`;
  return `exit code ${e.code ?? 'unknown'}`;
}

/** Resolves true when the run has exited by `until` (epoch ms), false otherwise. */
export function waitExit(run: Run, until: number): Promise<boolean> {
  if (run.done) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(run.done), Math.max(0, until - Date.now()));
    void run.exited.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Resolves once the IPC channel of `proc` is closed, or after `ms`. */
export function channelClosed(proc: ChildProcess, ms: number): Promise<void> {
  if (!proc.connected) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    proc.once('disconnect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Sends `signal` to the run's process unless it has exited. */
export function signalRun(run: Run, signal: NodeJS.Signals): void {
  if (run.done) return;
  try {
    run.proc.kill(signal);
  } catch {
    // already gone
  }
}

/** The environment a worker gets from its `options.env`. */
export function workerEnv(env: WorkerCommonOptions['env'], base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  if (env.inherit === true) Object.assign(out, base);
  else if (Array.isArray(env.inherit)) for (const name of env.inherit) if (base[name] !== undefined) out[name] = base[name];
  return Object.assign(out, env.vars);
}

/** The `--import` specifier that makes a forked node.js worker run TypeScript. */
function tsxImport(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/**
 * The loader a node.js worker's entry needs: none for compiled JavaScript (`dist/`, what `npm start` runs, so a
 * production install without dev dependencies works), tsx for a TypeScript entry (the sources, as tests run them).
 */
export function loaderArgs(entry: string): string[] {
  return /\.[cm]?ts$/.test(entry) ? ['--import', tsxImport()] : [];
}

function guestStdio(mode: GuestWorkerConfig['options']['stdout']): 'inherit' | 'pipe' | 'ignore' {
  return mode === 'log' ? 'inherit' : mode === 'drop' ? 'pipe' : 'ignore';
}

/**
 * `XBR_WORKER_CPU_PROFILE_DIR=<dir>`: every node.js worker writes a V8 CPU profile into `<dir>` when it exits
 * (node refuses `--cpu-prof` in NODE_OPTIONS, so the controller passes it). For benchmarks and diagnosis.
 */
function profileArgs(): string[] {
  const dir = process.env['XBR_WORKER_CPU_PROFILE_DIR'];
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** Spawns one process of worker `w`; a node.js worker is sent its start message. Throws when spawn() does. */
export function spawnWorker(w: WorkerConfig, ctx: SpawnContext): Run {
  const env = workerEnv(w.options.env);
  // The worker's `log_level` reaches it (and every logger it makes) as XBR_LOG_LEVEL; one its environment
  // already has (inherited from the controller's, or in `env.vars`) wins.
  if (w.options.log_level !== undefined) env['XBR_LOG_LEVEL'] = logLevelOf(w.options.log_level, env);
  let proc: ChildProcess;
  if (w.type === 'guest') {
    proc = spawn(w.executable, w.arguments, {
      cwd: w.options.workdir,
      env,
      stdio: ['ignore', guestStdio(w.options.stdout), guestStdio(w.options.stderr)],
      // Its own process group: a signal to the node's group (Ctrl-C, `kill -TERM -<pgid>`) must not stop the
      // dev chain or IPFS node before the market maker that uses them; the controller stops guests in turn.
      detached: true,
    });
    if (w.options.stdout === 'drop') proc.stdout?.resume();
    if (w.options.stderr === 'drop') proc.stderr?.resume();
  } else {
    const entry = w.type === 'router' ? ctx.entries.router : ctx.entries.xbrmm;
    proc = fork(entry, [], {
      execArgv: [...loaderArgs(entry), ...profileArgs()],
      serialization: 'advanced',
      cwd: ctx.cbdir,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: false,
    });
  }
  ctx.live.add(proc);
  const run: Run = {
    proc,
    pid: proc.pid,
    done: false,
    reports: new Map(),
    exited: Promise.resolve({ code: null, signal: null }),
    spawned: Promise.resolve(false),
  };
  run.exited = new Promise<ExitInfo>((resolveExit) => {
    const finish = (e: ExitInfo): void => {
      if (run.done) return;
      run.done = true;
      ctx.live.delete(proc);
      resolveExit(e);
      ctx.onExit(run, e);
    };
    proc.once('exit', (code, signal) => finish({ code, signal }));
    proc.on('error', (error) => {
      if (proc.pid === undefined) finish({ code: null, signal: null, error });
      else ctx.log.warn('worker process error', { worker: w.id, pid: proc.pid, error });
    });
  });
  run.spawned = new Promise<boolean>((resolveSpawn) => {
    proc.once('spawn', () => resolveSpawn(true));
    void run.exited.then(() => resolveSpawn(false));
  });
  if (w.type !== 'guest') {
    proc.on('message', (msg: unknown) => onMessage(w.id, run, msg, ctx.log));
    const start: ControllerToWorker = { kind: 'start', nodeId: ctx.nodeId, cbdir: ctx.cbdir, worker: w };
    proc.send(start, (err) => {
      if (err) ctx.log.warn('could not send start message', { worker: w.id, pid: proc.pid, error: err });
    });
  }
  return run;
}

/** Handles an IPC message from node.js worker `worker`. */
function onMessage(worker: string, run: Run, msg: unknown, log: Logger): void {
  if (!isWorkerToController(msg)) {
    log.warn('unknown message from worker', { worker, pid: run.pid });
    return;
  }
  switch (msg.kind) {
    case 'ready':
      if (run.onReady) run.onReady(msg.details);
      else log.warn('unexpected ready message', { worker, pid: run.pid });
      break;
    case 'failed':
      if (run.onFailed) run.onFailed(msg.error);
      else log.error('worker reported a failure', { worker, pid: run.pid, error: msg.error });
      break;
    case 'status':
      log.info('worker status', { worker, pid: run.pid, status: msg.status, ...(msg.details ? { details: msg.details } : {}) });
      break;
    case 'report': {
      const answer = run.reports.get(msg.id);
      run.reports.delete(msg.id);
      answer?.(msg.report);
      break;
    }
  }
}
