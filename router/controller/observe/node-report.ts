/**
 * What the node reports about itself: every worker's supervision state and, for node.js workers, their own
 * health and metrics; the node is ready when every worker is ready and reports no problem.
 */
import type { MetricsSnapshot, WorkerHealth } from '../../../process/index.js';

export interface WorkerStatus {
  id: string;
  type: 'router' | 'xbrmm' | 'guest';
  /** The controller's view: `starting`, `ready`, `backoff`, `stopping`, … */
  state: string;
  pid?: number;
  restarts: number;
  /** The worker's own account (node.js workers); absent for guests and workers that did not answer. */
  health?: WorkerHealth;
}

export interface NodeReport {
  node: string;
  ready: boolean;
  /** Why the node is not ready, one line per problem (`router1: starting`, `xbrmm1: maker mm1 is STOPPED`). */
  problems: string[];
  workers: WorkerStatus[];
  /** The workers' metrics, to be merged with the controller's. */
  metrics: MetricsSnapshot[];
}

/** The problems of one worker: its supervision state first, then what it reports itself. */
export function workerProblems(w: WorkerStatus, reportError?: string): string[] {
  if (w.state !== 'ready') return [`${w.id}: ${w.state}`];
  if (reportError !== undefined) return [`${w.id}: ${reportError}`];
  return (w.health?.problems ?? []).map((p) => `${w.id}: ${p}`);
}
