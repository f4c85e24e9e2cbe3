/**
 * Readiness of a starting worker: a node.js worker reports `ready` (or `failed`) over IPC; a guest
 * worker is ready once `started`, or once its TCP port accepts connections.
 */
import { connect, type Socket } from 'node:net';
import type { WorkerConfig } from '../../config/index.js';
import { channelClosed, describeExit, type Run } from './process.js';

/** Interval between connection attempts of a `tcp` readiness check. */
const TCP_POLL_MS = 100;

export type ReadyOutcome = { ok: true; details?: Record<string, unknown> } | { ok: false; reason: string; kill: boolean; aborted?: boolean };

/**
 * Waits until `run` of worker `w` is ready per its worker type, fails, exits, is not ready within
 * `timeoutS` seconds, or `abort` fires (shutdown).
 */
export function waitReady(w: WorkerConfig, run: Run, timeoutS: number, abort: AbortSignal): Promise<ReadyOutcome> {
  return new Promise<ReadyOutcome>((resolveReady) => {
    let settled = false;
    let pollTimer: NodeJS.Timeout | undefined;
    let socket: Socket | undefined;
    const settle = (o: ReadyOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(pollTimer);
      socket?.destroy();
      abort.removeEventListener('abort', onAbort);
      delete run.onReady;
      delete run.onFailed;
      resolveReady(o);
    };
    const onAbort = (): void => settle({ ok: false, reason: 'node is shutting down', kill: false, aborted: true });
    const timer = setTimeout(() => settle({ ok: false, reason: `not ready within startup_timeout (${timeoutS} s)`, kill: true }), timeoutS * 1000);
    abort.addEventListener('abort', onAbort, { once: true });
    if (abort.aborted) onAbort();
    void run.exited
      // A node.js worker's last messages (e.g. `failed`) may still be in the IPC pipe when its exit
      // is reported; they are delivered before the channel closes.
      .then(async (e) => {
        if (w.type !== 'guest') await channelClosed(run.proc, 500);
        return e;
      })
      .then((e) => settle({ ok: false, reason: `exited during start-up (${describeExit(e)})`, kill: false }));

    if (w.type !== 'guest') {
      run.onReady = (details) => settle({ ok: true, details });
      run.onFailed = (error) => settle({ ok: false, reason: `start failed: ${error.uri}: ${error.message}`, kill: false });
      return;
    }
    const ready = w.options.ready;
    if (ready.type === 'started') {
      void run.spawned.then((ok) => ok && settle({ ok: true }));
      return;
    }
    const poll = (): void => {
      if (settled) return;
      const s = connect({ host: ready.host, port: ready.port });
      socket = s;
      let retried = false;
      const retry = (): void => {
        s.destroy();
        if (retried || settled) return;
        retried = true;
        pollTimer = setTimeout(poll, TCP_POLL_MS);
      };
      s.setTimeout(1000, retry);
      s.once('error', retry);
      s.once('connect', () => {
        s.destroy();
        settle({ ok: true, details: { tcp: `${ready.host}:${ready.port}` } });
      });
    };
    void run.spawned.then((ok) => ok && poll());
  });
}
