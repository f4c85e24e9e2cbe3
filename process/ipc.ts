/**
 * Messages between the controller and its node.js workers (router, xbrmm) over the fork() IPC
 * channel. Guest workers are arbitrary executables and take no part in this protocol.
 */
import type { RouterWorkerConfig, XbrmmWorkerConfig } from '../config/index.js';
import type { MetricsSnapshot } from './metrics.js';

export type ControllerToWorker =
  | { kind: 'start'; nodeId: string; cbdir: string; worker: RouterWorkerConfig | XbrmmWorkerConfig }
  | { kind: 'stop' }
  /** Asks for the worker's metrics and health now; answered by a `report` with the same `id`. */
  | { kind: 'report'; id: number };

/** Whether a worker serves what its config asks for, and if not, why. */
export interface WorkerHealth {
  ready: boolean;
  /** Why the worker is not ready (empty when it is): one line each, e.g. `maker mm1 is STOPPED`. */
  problems: string[];
  /** What the worker wants to show about itself (e.g. its makers and their status). */
  details?: Record<string, unknown>;
}

/** A worker's answer to `report`. */
export interface WorkerReport {
  metrics: MetricsSnapshot;
  health: WorkerHealth;
}

export type WorkerToController =
  /** The worker has started everything its config asks for (listeners bound, makers running). */
  | { kind: 'ready'; details: Record<string, unknown> }
  /** The worker failed to start; the controller treats this like a crash. */
  | { kind: 'failed'; error: { uri: string; message: string } }
  | { kind: 'status'; status: string; details?: Record<string, unknown> }
  | { kind: 'report'; id: number; report: WorkerReport };

export function isControllerToWorker(value: unknown): value is ControllerToWorker {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'start' || kind === 'stop' || kind === 'report';
}

export function isWorkerToController(value: unknown): value is WorkerToController {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'ready' || kind === 'failed' || kind === 'status' || kind === 'report';
}
