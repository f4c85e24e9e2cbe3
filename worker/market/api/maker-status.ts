/**
 * Maker status values (docs/protocol.md#maker-status; the worker's own lifecycle is `WorkerStatus` in worker/host/worker.ts).
 * Unlike the original, a maker is RUNNING from the moment its procedures are registered in its realm until
 * it stops; FAILED is ours, for a maker that could not start (e.g. its key serves no market) while the others
 * keep running, and for a running maker while its DB cannot be written (RUNNING again once it can,
 * worker/host/storage-fence.ts).
 */
export const MakerStatus = { NONE: 0, RUNNING: 1, SHUTDOWN_IN_PROGRESS: 2, STOPPED: 3, FAILED: 4 } as const;
export type MakerStatusValue = (typeof MakerStatus)[keyof typeof MakerStatus];

const NAMES: Record<MakerStatusValue, string> = { 0: 'NONE', 1: 'RUNNING', 2: 'SHUTDOWN_IN_PROGRESS', 3: 'STOPPED', 4: 'FAILED' };

/** `status()`'s string for a status value (docs/protocol.md#status). */
export function makerStatusName(s: MakerStatusValue): string {
  return NAMES[s];
}

