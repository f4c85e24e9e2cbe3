/**
 * Plumbing of the node's processes, shared by the controller and its node.js workers: the controller ↔ worker
 * IPC messages, a worker's life under the controller (`runWorker`), following a parent that may die,
 * batching a socket's writes per event-loop turn, an abortable sleep and the retry backoff, and the shape of an
 * xbrmm worker's health details (`xbrmm-details.ts`).
 */
export { isControllerToWorker, isWorkerToController, type ControllerToWorker, type WorkerHealth, type WorkerReport, type WorkerToController } from './ipc.js';
export { counter, gauge, histogram, LATENCY_BUCKETS_S, metricsSnapshot, type MetricsSnapshot } from './metrics.js';
export { watchParent } from './parent-watch.js';
export { runWorker } from './worker-bootstrap.js';
export { sleep } from './sleep.js';
export { backoffDelay } from './backoff.js';
export { WriteCoalescer } from './write-coalescer.js';
export type { IpfsDetails, LedgerSideDetails, MakerDetails, XbrmmDetails } from './xbrmm-details.js';
