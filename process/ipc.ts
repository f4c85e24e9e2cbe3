/**
 * Messages between the controller and its node.js workers (router, xbrmm) over the fork() IPC
 * channel. Guest workers are arbitrary executables and take no part in this protocol.
 */
import type { RouterWorkerConfig, XbrmmWorkerConfig } from '../config/index.js';

export type ControllerToWorker =
  | { kind: 'start'; nodeId: string; cbdir: string; worker: RouterWorkerConfig | XbrmmWorkerConfig }
  | { kind: 'stop' };

export type WorkerToController =
  /** The worker has started everything its config asks for (listeners bound, makers running). */
  | { kind: 'ready'; details: Record<string, unknown> }
  /** The worker failed to start; the controller treats this like a crash. */
  | { kind: 'failed'; error: { uri: string; message: string } }
  | { kind: 'status'; status: string; details?: Record<string, unknown> };

export function isControllerToWorker(value: unknown): value is ControllerToWorker {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'start' || kind === 'stop';
}

export function isWorkerToController(value: unknown): value is WorkerToController {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'ready' || kind === 'failed' || kind === 'status';
}
