/**
 * Asking a node.js worker for its metrics and health over its IPC channel (`report`). A worker that does
 * not answer in time (busy, stopping, its channel gone) is reported as such, never waited for: a scrape
 * must answer even while a worker is stuck.
 */
import type { ControllerToWorker, WorkerReport } from '../../../process/index.js';
import type { Run } from '../process.js';

let nextId = 1;

/** Why a request could not be sent: a closed channel means the worker has gone (its exit not yet seen here). */
function notSent(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EPIPE' || code === 'ERR_IPC_CHANNEL_CLOSED') return 'not running';
  return `report request not sent: ${err instanceof Error ? err.message : String(err)}`;
}

/** The worker's report, or the reason there is none. */
export type ReportOutcome = { ok: true; report: WorkerReport } | { ok: false; reason: string };

export function requestReport(run: Run, timeoutMs: number): Promise<ReportOutcome> {
  if (run.done || !run.proc.connected) return Promise.resolve({ ok: false, reason: 'not running' });
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      run.reports.delete(id);
      resolve({ ok: false, reason: `no report within ${timeoutMs} ms` });
    }, timeoutMs);
    run.reports.set(id, (report) => {
      clearTimeout(timer);
      resolve({ ok: true, report });
    });
    try {
      run.proc.send({ kind: 'report', id } satisfies ControllerToWorker, (err) => {
        if (err === null || !run.reports.has(id)) return;
        run.reports.delete(id);
        clearTimeout(timer);
        resolve({ ok: false, reason: notSent(err) });
      });
    } catch (err) {
      run.reports.delete(id);
      clearTimeout(timer);
      resolve({ ok: false, reason: notSent(err) });
    }
  });
}
