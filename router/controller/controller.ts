/**
 * The controller: starts the node's workers in config order (each one ready before the next),
 * restarts a worker that dies (exponential backoff, bounded by `max_restarts` within `window`),
 * and stops everything in reverse order on shutdown, within `shutdown_timeout`.
 *
 * Node.js workers (router, xbrmm) are forked with an IPC channel and speak `ipc.ts`; guest workers
 * are plain executables whose readiness is `started` or a TCP port accepting connections.
 *
 * Exit codes that `run()` resolves with: 0 after a requested shutdown, 1 when the node cannot start
 * at all (a worker program is missing), 2 when a worker cannot be kept alive.
 *
 * @example
 * const controller = new Controller(config, { cbdir });
 * process.on('SIGTERM', () => void controller.shutdown('SIGTERM'));
 * process.exit(await controller.run());
 */
import type { ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import { createLogger, logLevelOf, type Logger } from '../../schema/index.js';
import type { ConfigError } from '../../config/index.js';
import type { NodeConfig, WorkerConfig } from '../../config/index.js';
import type { ControllerToWorker } from '../../process/index.js';
import { backoffDelay, sleep } from '../../process/index.js';
import { preflight, workerEntries } from './preflight.js';
import { tightenPrivateFiles } from './private-files.js';
import { describeExit, signalRun, spawnWorker, waitExit, type ExitInfo, type Run, type WorkerEntries } from './process.js';
import { waitReady, type ReadyOutcome } from './readiness.js';
import { startHttpListener, type HttpListener } from './observe/http-listener.js';
import { nodeReady, workerRestarts, workerUp } from './observe/node-metrics.js';
import { workerProblems, type NodeReport, type WorkerStatus } from './observe/node-report.js';
import { requestReport } from './observe/worker-report.js';

/** How long a scrape waits for a worker's report. */
const REPORT_TIMEOUT_MS = 2000;

/**
 * Seconds a node.js worker gets to stop at shutdown after its `stop` message; then it is killed. It is not
 * sent SIGTERM on the way: a worker with a controller leaves signals to it (they may come from a group kill).
 */
export const NODE_WORKER_STOP_TIMEOUT = 10;
/** How long a worker that reported `failed` may take to exit before it is killed. */
const FAILED_EXIT_GRACE_MS = 2000;

export interface ControllerRunOptions {
  /** Node directory; node.js workers run in it and receive it in their start message. */
  cbdir: string;
  logger?: Logger;
  /** Entry module of the router worker. Default: `router/worker/main` of the controller's own build, `.js` in dist/ or `.ts` under tsx (env override `XBR_EDGE_ROUTER_WORKER_ENTRY`). */
  routerWorkerEntry?: string;
  /** Entry module of the xbrmm worker. Default: `worker/main` of the controller's own build (env override `XBR_EDGE_XBRMM_WORKER_ENTRY`). */
  xbrmmWorkerEntry?: string;
}

type SlotState = 'idle' | 'starting' | 'ready' | 'crashed' | 'backoff' | 'stopping' | 'stopped';

interface Slot {
  config: WorkerConfig;
  state: SlotState;
  run?: Run;
  /** Times (ms) of crashes and failed starts, pruned to the restart window. */
  crashes: number[];
  attempts: number;
}

export class Controller {
  private readonly config: NodeConfig;
  private readonly cbdir: string;
  private readonly log: Logger;
  private readonly entries: WorkerEntries;
  private readonly slots: Slot[];
  private readonly live = new Set<ChildProcess>();
  private readonly abort = new AbortController();
  private stopping = false;
  private shutdownDone: Promise<number> | undefined;
  private resolveFinished!: (code: number) => void;
  private readonly finished = new Promise<number>((resolve) => (this.resolveFinished = resolve));
  private readonly killOnExit = (): void => this.killAll('SIGKILL');
  private http: HttpListener | undefined;

  constructor(config: NodeConfig, opts: ControllerRunOptions) {
    this.config = config;
    this.cbdir = resolve(opts.cbdir);
    this.log = opts.logger ?? createLogger({ component: 'controller', node: config.controller.id }, logLevelOf(config.controller.options.log_level));
    this.entries = workerEntries(opts);
    this.slots = config.workers.map((w) => ({ config: w, state: 'idle', crashes: [], attempts: 0 }));
    // Every starting or backing-off worker listens for the shutdown signal.
    setMaxListeners(0, this.abort.signal);
  }

  /**
   * Problems that keep the node from starting although its config is valid: a worker program that
   * is not part of this build, a guest workdir or executable that does not exist.
   */
  preflight(): ConfigError[] {
    return preflight(this.config.workers, this.entries);
  }

  /** Starts the node and resolves with the process exit code once it has stopped. */
  async run(): Promise<number> {
    process.on('exit', this.killOnExit);
    const problems = this.preflight();
    if (problems.length > 0) {
      for (const p of problems) this.log.error('cannot start node', { path: p.path, problem: p.message });
      return 1;
    }
    // Before any worker opens them: a node installed by an older version may have left them 0644/0755.
    tightenPrivateFiles(this.config, this.cbdir, this.log);
    const httpConfig = this.config.controller.options.http;
    if (httpConfig !== undefined) {
      try {
        this.http = await startHttpListener(httpConfig, this, this.log);
      } catch (err) {
        this.log.error('cannot start node', { path: '$.controller.options.http.endpoint', problem: `the HTTP listener cannot listen: ${err instanceof Error ? err.message : String(err)}` });
        return 1;
      }
    }
    this.log.info('node starting', { cbdir: this.cbdir, workers: this.slots.map((s) => s.config.id) });
    for (const slot of this.slots) {
      if (this.stopping) break;
      if (!(await this.keepUp(slot))) break;
    }
    if (!this.stopping) this.log.info('node ready', { workers: this.slots.map((s) => ({ id: s.config.id, pid: s.run?.pid })) });
    return this.finished;
  }

  /**
   * Stops all workers in reverse config order (idempotent) and resolves `run()` with `code`. Each
   * worker gets its stop timeout; whatever is alive shortly before `shutdown_timeout` is SIGKILLed.
   */
  shutdown(reason: string, code = 0): Promise<number> {
    if (this.shutdownDone !== undefined) {
      this.log.info('shutdown already in progress', { reason });
      return this.shutdownDone;
    }
    this.stopping = true;
    this.abort.abort();
    this.shutdownDone = this.stopAll(reason, code).then(async () => {
      await this.http?.close();
      this.log.info('node stopped', { exit_code: code });
      this.resolveFinished(code);
      return code;
    });
    return this.shutdownDone;
  }

  /** Kills every worker process at once (second Ctrl-C). */
  killNow(reason: string): void {
    this.stopping = true;
    this.abort.abort();
    this.log.warn('killing all workers now', { reason, pids: [...this.live].map((p) => p.pid) });
    this.killAll('SIGKILL');
  }

  private killAll(signal: NodeJS.Signals): void {
    for (const proc of this.live) {
      try {
        proc.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  /**
   * The node now: each worker's state, the node.js workers' own health and metrics (asked over IPC, at most
   * {@link REPORT_TIMEOUT_MS} each, all at once), and whether the node is ready.
   */
  async report(): Promise<NodeReport> {
    const problems: string[] = [];
    const metrics: NodeReport['metrics'] = [];
    const workers = await Promise.all(
      this.slots.map(async (slot): Promise<WorkerStatus> => {
        const w: WorkerStatus = { id: slot.config.id, type: slot.config.type, state: slot.state, restarts: Math.max(0, slot.attempts - 1), ...(slot.run?.pid === undefined ? {} : { pid: slot.run.pid }) };
        let reportError: string | undefined;
        if (slot.config.type !== 'guest' && slot.state === 'ready' && slot.run !== undefined) {
          const r = await requestReport(slot.run, REPORT_TIMEOUT_MS);
          if (r.ok) {
            w.health = r.report.health;
            metrics.push(r.report.metrics);
          } else {
            reportError = r.reason;
          }
        }
        const own = workerProblems(w, reportError);
        problems.push(...own);
        workerUp.set({ worker: w.id, type: w.type }, slot.state === 'ready' ? 1 : 0);
        return w;
      }),
    );
    if (this.stopping) problems.unshift('the node is stopping');
    const ready = problems.length === 0;
    nodeReady.set(ready ? 1 : 0);
    return { node: this.config.controller.id, ready, problems, workers, metrics };
  }

  // -------------------------------------------------------------------------------------------------
  // Supervision

  /** Starts `slot` until it is ready; false if the controller gave up or is stopping. */
  private async keepUp(slot: Slot): Promise<boolean> {
    while (!this.stopping) {
      const outcome = await this.startOnce(slot);
      if (outcome.ok) return true;
      if (this.stopping) return false;
      const delay = this.recordCrash(slot, outcome.reason);
      if (delay === undefined) return false;
      slot.state = 'backoff';
      await sleep(delay, this.abort.signal);
    }
    return false;
  }

  private async restartAfterCrash(slot: Slot, reason: string): Promise<void> {
    const delay = this.recordCrash(slot, reason);
    if (delay === undefined) return;
    slot.state = 'backoff';
    await sleep(delay, this.abort.signal);
    if (!this.stopping) await this.keepUp(slot);
  }

  /**
   * Counts a crash (or failed start) of `slot`. Returns the restart delay in ms, or undefined when
   * the worker crashed more than `max_restarts` times within `window` and the node gives up.
   */
  private recordCrash(slot: Slot, reason: string): number | undefined {
    const { max_restarts, window, initial_delay, max_delay } = this.config.controller.options.restart;
    const now = Date.now();
    slot.crashes = slot.crashes.filter((t) => t > now - window * 1000);
    slot.crashes.push(now);
    const n = slot.crashes.length;
    if (n > max_restarts) {
      this.log.error('worker cannot be kept alive; stopping the node', {
        worker: slot.config.id,
        reason,
        crashes: n,
        window_s: window,
        max_restarts,
      });
      void this.shutdown(`worker ${slot.config.id} cannot be kept alive`, 2);
      return undefined;
    }
    const delay = backoffDelay(initial_delay, max_delay, n);
    workerRestarts.inc({ worker: slot.config.id });
    this.log.warn('restarting worker', { worker: slot.config.id, reason, delay_s: delay, crashes: n, window_s: window, max_restarts });
    return delay * 1000;
  }

  private async startOnce(slot: Slot): Promise<ReadyOutcome> {
    slot.state = 'starting';
    slot.attempts++;
    let run: Run;
    try {
      run = spawnWorker(slot.config, {
        nodeId: this.config.controller.id,
        cbdir: this.cbdir,
        entries: this.entries,
        log: this.log,
        live: this.live,
        onExit: (r, e) => this.onExit(slot, r, e),
      });
    } catch (err) {
      const reason = `could not be spawned: ${err instanceof Error ? err.message : String(err)}`;
      this.log.error('worker failed to start', { worker: slot.config.id, reason });
      return { ok: false, reason, kill: false };
    }
    slot.run = run;
    this.log.info('worker starting', { worker: slot.config.id, type: slot.config.type, pid: run.pid, attempt: slot.attempts });
    const outcome = await waitReady(slot.config, run, this.config.controller.options.startup_timeout, this.abort.signal);
    if (outcome.ok) {
      slot.state = 'ready';
      this.log.info('worker ready', { worker: slot.config.id, pid: run.pid, ...(outcome.details ? { details: outcome.details } : {}) });
      return outcome;
    }
    if (outcome.aborted) return outcome;
    this.log.error('worker failed to start', { worker: slot.config.id, pid: run.pid, reason: outcome.reason });
    // The next attempt must not meet the old process (ports, sockets, files).
    if (!run.done) {
      if (!outcome.kill) await waitExit(run, Date.now() + FAILED_EXIT_GRACE_MS);
      if (!run.done) {
        this.log.warn('killing worker', { worker: slot.config.id, pid: run.pid, signal: 'SIGKILL' });
        run.proc.kill('SIGKILL');
        await waitExit(run, Date.now() + FAILED_EXIT_GRACE_MS);
      }
    }
    return outcome;
  }

  private onExit(slot: Slot, run: Run, e: ExitInfo): void {
    const fields = {
      worker: slot.config.id,
      pid: run.pid,
      code: e.code,
      signal: e.signal,
      ...(e.error === undefined ? {} : { error: e.error }),
    };
    if (this.stopping || slot.state === 'stopping') {
      this.log.info('worker exited', fields);
      return;
    }
    if (slot.state === 'ready' && slot.run === run) {
      this.log.error('worker exited unexpectedly', fields);
      slot.state = 'crashed';
      void this.restartAfterCrash(slot, `exited unexpectedly (${describeExit(e)})`);
      return;
    }
    this.log.warn('worker exited during start-up', fields);
  }

  // -------------------------------------------------------------------------------------------------
  // Shutdown

  private async stopAll(reason: string, code: number): Promise<void> {
    const budgetMs = this.config.controller.options.shutdown_timeout * 1000;
    const started = Date.now();
    // Keep a little of the budget for the SIGKILLs to take effect and the controller to exit.
    const killAt = started + budgetMs - Math.min(1000, budgetMs * 0.25);
    const hardDeadline = started + budgetMs - Math.min(250, budgetMs * 0.05);
    this.log.info('node shutting down', { reason, exit_code: code, shutdown_timeout_s: budgetMs / 1000 });
    const killTimer = setTimeout(() => {
      if (this.live.size === 0) return;
      this.log.warn('shutdown_timeout nearly reached; killing remaining workers', { pids: [...this.live].map((p) => p.pid), signal: 'SIGKILL' });
      this.killAll('SIGKILL');
    }, killAt - started);
    try {
      for (const slot of [...this.slots].reverse()) await this.stopSlot(slot, killAt, hardDeadline);
    } finally {
      clearTimeout(killTimer);
    }
    if (this.live.size > 0) {
      this.log.error('workers still alive after shutdown', { pids: [...this.live].map((p) => p.pid) });
    }
  }

  private async stopSlot(slot: Slot, killAt: number, hardDeadline: number): Promise<void> {
    const run = slot.run;
    if (run === undefined || run.done) {
      slot.state = 'stopped';
      return;
    }
    slot.state = 'stopping';
    const w = slot.config;
    const stopTimeoutMs = (w.type === 'guest' ? w.options.stop_timeout : NODE_WORKER_STOP_TIMEOUT) * 1000;
    const now = Date.now();
    const killDeadline = Math.min(now + stopTimeoutMs, killAt);
    this.log.info('stopping worker', { worker: w.id, pid: run.pid, stop_timeout_s: stopTimeoutMs / 1000 });
    if (!(w.type !== 'guest' && run.proc.connected && this.sendStop(run))) signalRun(run, 'SIGTERM');
    if (await waitExit(run, killDeadline)) return this.stopped(slot);
    this.log.warn('worker did not stop in time; killing it', { worker: w.id, pid: run.pid, signal: 'SIGKILL' });
    signalRun(run, 'SIGKILL');
    await waitExit(run, hardDeadline);
    this.stopped(slot);
  }

  /** Asks a node.js worker to stop; false when the channel is already closed (the worker then obeys SIGTERM). */
  private sendStop(run: Run): boolean {
    try {
      run.proc.send({ kind: 'stop' } satisfies ControllerToWorker, (err) => err && this.log.debug('could not send stop', { pid: run.pid, error: err }));
      return true;
    } catch {
      return false;
    }
  }

  private stopped(slot: Slot): void {
    slot.state = 'stopped';
  }
}
