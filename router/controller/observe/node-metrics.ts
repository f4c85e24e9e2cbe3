/**
 * The controller's own metrics: the workers it supervises. Worker metrics come from the workers' reports;
 * these describe the supervision itself.
 */
import { counter, gauge } from '../../../process/index.js';

/** Restarts of a worker after a crash or a failed start (the first start is not one). */
export const workerRestarts = counter({ name: 'xbr_worker_restarts_total', help: 'Restarts of a worker after it crashed or failed to start.', labelNames: ['worker'] as const });

/** 1 while the worker is started and serving, else 0. */
export const workerUp = gauge({ name: 'xbr_worker_up', help: '1 while the worker is ready, 0 otherwise.', labelNames: ['worker', 'type'] as const });

/** 1 when `/ready` would answer 200. */
export const nodeReady = gauge({ name: 'xbr_node_ready', help: '1 when every worker is ready and every market maker is RUNNING.' });
