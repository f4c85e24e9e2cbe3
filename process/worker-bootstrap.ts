/**
 * The controller side of a node.js worker's life (router, xbrmm): wait for `{kind:'start'}` over
 * IPC, run the worker's start, report `ready` or `failed`, stop on `{kind:'stop'}` or SIGTERM, and
 * never outlive the controller (the IPC channel closing means it is gone).
 *
 * @example
 * runWorker({
 *   async start(msg) { await listen(msg.worker); return { listening: [...] }; },
 *   async stop() { await close(); },
 * });
 */
import { createLogger, type Logger } from '../schema/index.js';
import { WampErrorUri, toWampError } from '../schema/index.js';
import { isControllerToWorker, type ControllerToWorker, type WorkerHealth, type WorkerToController } from './ipc.js';
import { metricsSnapshot } from './metrics.js';

export type StartMessage = Extract<ControllerToWorker, { kind: 'start' }>;

export interface WorkerHandlers {
  /** Starts everything the worker's config asks for; the result is sent as the `ready` details. */
  start(msg: StartMessage): Promise<Record<string, unknown>>;
  /** Stops the worker; the process exits 0 once it resolves. */
  stop(): Promise<void>;
  /** Whether what `start` set up still serves (asked with every metrics scrape). Default: ready once started. */
  health?(): WorkerHealth;
}

export interface RunWorkerOptions {
  /** Longest time `stop()` may take when the controller has disappeared. Default 5000 ms. */
  orphanStopTimeoutMs?: number;
}

/** How long a stop waits for a start still in progress before stopping anyway. */
const START_SETTLE_MS = 1000;

/** Sends a message to the controller; resolves once it is handed to the channel (or it is closed). */
function send(msg: WorkerToController): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) return resolve();
    try {
      process.send(msg, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Runs a worker under the controller. Call once, at the top of the worker's entry module.
 * Exit codes: 0 after a requested stop, 1 after a failed start, an uncaught error, or when the
 * controller went away.
 */
export function runWorker(handlers: WorkerHandlers, options: RunWorkerOptions = {}): void {
  let log: Logger = createLogger({ component: 'worker', pid: process.pid });
  if (process.send === undefined) {
    log.error('this worker must be started by the xbr-edge controller (no IPC channel)');
    process.exit(1);
  }

  let starting: Promise<unknown> | undefined;
  let stopping = false;

  const exit = (code: number): never => {
    process.exit(code);
  };

  const shutdown = async (why: string, code: number, timeoutMs?: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('worker stopping', { reason: why });
    if (timeoutMs !== undefined) setTimeout(() => exit(code), timeoutMs).unref();
    try {
      // A start still running gets a moment to finish, so that stop() sees what it set up; a start
      // that hangs must not keep the worker from stopping.
      if (starting !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([starting.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, START_SETTLE_MS)))]);
        clearTimeout(timer);
      }
      await handlers.stop();
      log.info('worker stopped');
    } catch (err) {
      log.error('worker stop failed', { error: err });
      exit(1);
    }
    exit(code);
  };

  let started = false;
  const healthNow = (): WorkerHealth => {
    if (stopping) return { ready: false, problems: ['the worker is stopping'] };
    if (!started) return { ready: false, problems: ['the worker is starting'] };
    return handlers.health?.() ?? { ready: true, problems: [] };
  };
  const report = async (id: number): Promise<void> => {
    try {
      await send({ kind: 'report', id, report: { metrics: await metricsSnapshot(), health: healthNow() } });
    } catch (err) {
      log.warn('could not report metrics to the controller', { error: err });
    }
  };

  process.on('message', (msg: unknown) => {
    if (!isControllerToWorker(msg)) {
      log.warn('ignoring unknown message from the controller', { message: typeof msg === 'object' ? msg : String(msg) });
      return;
    }
    if (msg.kind === 'stop') {
      void shutdown('stop requested by the controller', 0);
      return;
    }
    if (msg.kind === 'report') {
      void report(msg.id);
      return;
    }
    if (starting !== undefined) {
      log.warn('ignoring a second start message');
      return;
    }
    log = createLogger({ component: 'worker', node: msg.nodeId, worker: msg.worker.id, pid: process.pid });
    if (msg.worker.options.title !== undefined) process.title = msg.worker.options.title;
    const run = handlers.start(msg);
    starting = run;
    run.then(
      async (details) => {
        if (stopping) return;
        started = true;
        log.info('worker ready');
        await send({ kind: 'ready', details });
      },
      async (err: unknown) => {
        const e = toWampError(err, WampErrorUri.runtimeError);
        log.error('worker failed to start', { error: e });
        await send({ kind: 'failed', error: { uri: e.uri, message: e.message } });
        exit(1);
      },
    );
  });

  // The controller stops workers itself, one at a time in reverse start order, so that the market maker
  // stops while the router and the chain it talks to are still up. A signal to the whole process group
  // (Ctrl-C, `kill -TERM -<pgid>`, systemd's control-group kill) reaches the worker too; acting on it would
  // stop every worker at once, in no order. So while the controller is there the worker leaves signals to
  // it and waits for its `stop`; a worker whose controller is gone stops by itself (`disconnect`, below).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (process.connected) log.info(`${signal} received; waiting for the controller to stop this worker in its turn`);
      else void shutdown(signal, 0);
    });
  }
  process.on('disconnect', () => {
    if (stopping) return;
    log.error('controller went away (IPC channel closed); stopping');
    void shutdown('controller went away', 1, options.orphanStopTimeoutMs ?? 5000);
  });
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception', { error: err, stack: err.stack });
    exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection', { error: reason instanceof Error ? reason : String(reason) });
    exit(1);
  });
}
