/**
 * The top level of `router-config.json`: version, controller, and the workers array (types, default
 * ids, id uniqueness), dispatching each worker to its own checker; then the realms' `marketmaker`
 * blocks become makers of xbrmm workers (realm-makers.ts).
 */
import { resolve } from 'node:path';
import type { ControllerConfig, HttpListenerConfig, NodeConfig, WorkerConfig } from '../types.js';
import { idString, integer, logLevel, number, oneOf, string } from './checks.js';
import { Ctx, isRec, REQUIRED, type ConfigError } from './context.js';
import { checkEndpoint, Endpoints } from './endpoint.js';
import { checkGuestWorker } from './guest-worker.js';
import type { RealmMakerBlock, RealmMakerSpec } from './realm-maker.js';
import { attachRealmMakers, type WorkerSlot } from './realm-makers.js';
import { checkRouterWorker } from './router-worker.js';
import { checkXbrmmWorker } from './xbrmm-worker.js';

export type ValidateNodeConfigResult = { config: NodeConfig } | { errors: ConfigError[] };

export interface ValidateNodeConfigOptions {
  /** Node directory: relative paths in the config (unix sockets, guest workdirs) resolve against it. */
  cbdir: string;
}

/**
 * Checks `raw` (the parsed `router-config.json`) and returns the complete config with defaults
 * filled in, or every problem found.
 */
export function validateNodeConfig(raw: unknown, opts: ValidateNodeConfigOptions): ValidateNodeConfigResult {
  const c = new Ctx(resolve(opts.cbdir));
  const config = checkNode(c, raw);
  if (c.errors.length > 0 || config === undefined) {
    return { errors: c.errors.length > 0 ? c.errors : [{ path: '$', message: 'invalid configuration' }] };
  }
  return { config };
}

function checkNode(c: Ctx, raw: unknown): NodeConfig | undefined {
  const o = c.object(raw, '$', ['$schema', 'version', 'controller', 'workers']);
  if (o === undefined) return undefined;
  c.field(o, '$schema', '$', string(), '');
  const version = o['version'];
  if (version === undefined) c.fail('$.version', 'missing required key "version": expected 2');
  else if (version !== 2) c.mismatch('$.version', '2 (the Crossbar node config version this router reads)', version);
  const endpoints = new Endpoints();
  const controller = checkController(c, o['controller'], '$.controller', endpoints);
  let workers: WorkerConfig[] | undefined = [];
  if (o['workers'] !== undefined) {
    const arr = c.array(o['workers'], '$.workers', 'an array of workers');
    if (arr === undefined) workers = undefined;
    else {
      const realmMakers: RealmMakerSpec[] = [];
      const slots = checkWorkers(c, arr, realmMakers, endpoints);
      workers = attachRealmMakers(c, slots, realmMakers);
    }
  }
  if (controller === undefined || workers === undefined) return undefined;
  return { version: 2, controller, workers };
}

function checkController(c: Ctx, v: unknown, path: string, endpoints: Endpoints): ControllerConfig | undefined {
  const o = v === undefined ? {} : c.object(v, path, ['id', 'options']);
  if (o === undefined) return undefined;
  const id = c.field(o, 'id', path, idString, 'node1');
  const optPath = `${path}.options`;
  const opt = o['options'] === undefined ? {} : c.object(o['options'], optPath, ['shutdown_timeout', 'startup_timeout', 'restart', 'http', 'log_level']);
  if (opt === undefined) return undefined;
  const shutdown_timeout = c.field(opt, 'shutdown_timeout', optPath, number(1, 44), 30);
  const startup_timeout = c.field(opt, 'startup_timeout', optPath, number(0, undefined, true), 60);
  const rPath = `${optPath}.restart`;
  const r = opt['restart'] === undefined ? {} : c.object(opt['restart'], rPath, ['max_restarts', 'window', 'initial_delay', 'max_delay']);
  if (r === undefined) return undefined;
  const max_restarts = c.field(r, 'max_restarts', rPath, integer(0), 5);
  const window = c.field(r, 'window', rPath, number(0, undefined, true), 60);
  const initial_delay = c.field(r, 'initial_delay', rPath, number(0, undefined, true), 0.5);
  let max_delay = c.field(r, 'max_delay', rPath, number(0, undefined, true), 10);
  if (max_delay !== undefined && initial_delay !== undefined && max_delay < initial_delay) {
    const shown = r['max_delay'] === undefined ? `${max_delay} (the default)` : String(max_delay);
    c.fail(`${rPath}.max_delay`, `expected a number >= initial_delay (${initial_delay}), got ${shown}`);
    max_delay = undefined;
  }
  if (
    id === undefined || shutdown_timeout === undefined || startup_timeout === undefined || max_restarts === undefined ||
    window === undefined || initial_delay === undefined || max_delay === undefined
  ) {
    return undefined;
  }
  const http = checkHttpListener(c, opt['http'], `${optPath}.http`, endpoints);
  const log_level = c.field(opt, 'log_level', optPath, logLevel, undefined);
  if (http === null || (opt['log_level'] !== undefined && log_level === undefined)) return undefined;
  return {
    id,
    options: {
      shutdown_timeout,
      startup_timeout,
      restart: { max_restarts, window, initial_delay, max_delay },
      ...(http === undefined ? {} : { http }),
      ...(log_level === undefined ? {} : { log_level }),
    },
  };
}

/** `controller.options.http`: its endpoint (tcp or unix, not shared with any router transport); null when invalid. */
function checkHttpListener(c: Ctx, v: unknown, path: string, endpoints: Endpoints): HttpListenerConfig | undefined | null {
  if (v === undefined) return undefined;
  const o = c.object(v, path, ['endpoint']);
  if (o === undefined) return null;
  if (o['endpoint'] === undefined) {
    c.fail(`${path}.endpoint`, 'missing required key "endpoint": expected {type: "tcp", port, interface?} or {type: "unix", path}');
    return null;
  }
  const endpoint = checkEndpoint(c, o['endpoint'], `${path}.endpoint`, endpoints, path);
  return endpoint === undefined ? null : { endpoint };
}

const WORKER_TYPES = ['router', 'xbrmm', 'guest'] as const;

/** Each worker as far as it could be read; the realms' `marketmaker` blocks are collected into `realmMakers`. */
function checkWorkers(c: Ctx, arr: unknown[], realmMakers: RealmMakerSpec[], endpoints: Endpoints): WorkerSlot[] {
  const out: WorkerSlot[] = [];
  const counters: Record<string, number> = { router: 0, xbrmm: 0, guest: 0 };
  const ids = new Map<string, string>(); // id -> path of the worker that has it
  arr.forEach((w, i) => {
    const path = `$.workers[${i}]`;
    if (!isRec(w)) {
      c.mismatch(path, 'a worker object', w);
      out.push({ type: undefined, id: undefined, config: undefined });
      return;
    }
    const type = c.field(w, 'type', path, oneOf(WORKER_TYPES), REQUIRED);
    if (type === undefined) {
      out.push({ type: undefined, id: undefined, config: undefined });
      return;
    }
    const n = (counters[type] ?? 0) + 1;
    counters[type] = n;
    const explicit = w['id'] !== undefined;
    const id = c.field(w, 'id', path, idString, `${type}${n}`);
    if (id !== undefined) {
      const other = ids.get(id);
      if (other !== undefined) {
        c.fail(`${path}.id`, `duplicate worker id ${JSON.stringify(id)}${explicit ? '' : ' (the default id)'}: already used by ${other}`);
      } else {
        ids.set(id, path);
      }
    }
    const onMaker = (block: RealmMakerBlock, realm: string, at: string): void => void realmMakers.push({ ...block, realm, path: at, workerIndex: i });
    const worker =
      type === 'router'
        ? checkRouterWorker(c, w, path, id, endpoints, onMaker)
        : type === 'xbrmm'
          ? checkXbrmmWorker(c, w, path, id)
          : checkGuestWorker(c, w, path, id);
    out.push({ type, id, config: worker });
  });
  return out;
}
