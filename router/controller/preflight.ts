/**
 * The worker programs of this build: where the node.js workers' entry modules are, and the problems
 * that keep a node from starting although its config is valid.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigError } from '../config/validate.js';
import type { WorkerConfig } from '../config/types.js';
import type { WorkerEntries } from './process.js';

/**
 * Entry modules of the node.js workers: the given ones, else the env overrides
 * `XBR_EDGE_ROUTER_WORKER_ENTRY` / `XBR_EDGE_XBRMM_WORKER_ENTRY`, else `router/worker/main.ts` / `worker/main.ts`.
 */
export function workerEntries(opts: { routerWorkerEntry?: string; xbrmmWorkerEntry?: string }): WorkerEntries {
  const envRouter = process.env['XBR_EDGE_ROUTER_WORKER_ENTRY'];
  const envXbrmm = process.env['XBR_EDGE_XBRMM_WORKER_ENTRY'];
  return {
    router: opts.routerWorkerEntry ?? (envRouter ? resolve(envRouter) : fileURLToPath(new URL('../worker/main.ts', import.meta.url))),
    xbrmm: opts.xbrmmWorkerEntry ?? (envXbrmm ? resolve(envXbrmm) : fileURLToPath(new URL('../../worker/main.ts', import.meta.url))),
  };
}

/** A worker program that is not part of this build, a guest workdir or executable that does not exist. */
export function preflight(workers: readonly WorkerConfig[], entries: WorkerEntries): ConfigError[] {
  const problems: ConfigError[] = [];
  workers.forEach((w, i) => {
    const path = `$.workers[${i}]`;
    if (w.type === 'router' && !existsSync(entries.router)) {
      problems.push({ path: `${path}.type`, message: `router worker is not available in this build (missing ${entries.router})` });
    } else if (w.type === 'xbrmm' && !existsSync(entries.xbrmm)) {
      problems.push({ path: `${path}.type`, message: `xbrmm worker is not available in this build (missing ${entries.xbrmm})` });
    } else if (w.type === 'guest') {
      if (!isDirectory(w.options.workdir)) {
        problems.push({ path: `${path}.options.workdir`, message: `expected an existing directory, got ${JSON.stringify(w.options.workdir)}` });
      }
      if (w.executable.includes('/') && !existsSync(w.executable)) {
        problems.push({ path: `${path}.executable`, message: `expected an existing file, got ${JSON.stringify(w.executable)}` });
      }
    }
  });
  return problems;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
