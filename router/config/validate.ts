/**
 * Validation of `router-config.json` into the complete model of `types.ts`.
 *
 * Like Crossbar's checkconfig, unknown keys are errors; unlike it, every problem is collected (one
 * error per problem, each with its JSON path, e.g. `$.workers[0].transports[1].endpoint.port`) so an
 * admin fixes a config in one round. Defaults are filled in and relative paths are resolved against
 * the node directory (cbdir), so everything downstream sees complete, absolute objects.
 *
 * @example
 * const result = validateNodeConfig(JSON.parse(text), { cbdir: '/srv/node' });
 * if ('errors' in result) for (const e of result.errors) console.error(`config error at ${e.path}: ${e.message}`);
 */
import { isAbsolute, resolve } from 'node:path';
import type {
  AnonymousAuthConfig,
  AuthConfig,
  ControllerConfig,
  CryptosignPrincipal,
  DynamicAuthConfig,
  EndpointConfig,
  GuestWorkerConfig,
  MatchPolicy,
  NodeConfig,
  PermissionConfig,
  RealmConfig,
  RoleConfig,
  RouterWorkerConfig,
  SerializerName,
  TicketPrincipal,
  TransportConfig,
  TransportOptions,
  WampcraUser,
  WorkerCommonOptions,
  WorkerConfig,
  XbrmmWorkerConfig,
} from './types.js';

export interface ConfigError {
  /** JSON path of the offending value, e.g. `$.workers[0].transports[1].endpoint.port`. */
  path: string;
  message: string;
}

export type ValidateNodeConfigResult = { config: NodeConfig } | { errors: ConfigError[] };

export interface ValidateNodeConfigOptions {
  /** Node directory: relative paths in the config (unix sockets, guest workdirs) resolve against it. */
  cbdir: string;
}

// ---------------------------------------------------------------------------------------------------
// Plumbing: paths, value descriptions, scalar checks

type Rec = Record<string, unknown>;

/** A scalar check: returns the (possibly normalised) value, or undefined when `v` does not fit. */
interface Check<T> {
  expected: string;
  test(v: unknown): T | undefined;
}

const REQUIRED: unique symbol = Symbol('required');

/** `$.a.b` for identifier-like keys, `$.a["odd key"]` otherwise. */
export function pathKey(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** How a found value is shown in messages: strings quoted, containers named, long strings cut. */
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const quoteList = (xs: readonly string[]): string => xs.map((x) => JSON.stringify(x)).join(', ');

const integer = (min: number, max?: number): Check<number> => ({
  expected: max === undefined ? `an integer >= ${min}` : `an integer in ${min}..${max}`,
  test: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && (max === undefined || v <= max) ? v : undefined),
});

/** A finite number with `min` (inclusive unless `minExclusive`) and an optional inclusive `max`. */
const number = (min: number, max?: number, minExclusive = false): Check<number> => ({
  expected:
    max === undefined
      ? `a number ${minExclusive ? '>' : '>='} ${min}`
      : minExclusive
        ? `a number > ${min} and <= ${max}`
        : `a number in ${min}..${max}`,
  test: (v) =>
    typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && (max === undefined || v <= max)
      ? v
      : undefined,
});

const boolean: Check<boolean> = { expected: 'a boolean', test: (v) => (typeof v === 'boolean' ? v : undefined) };

const string = (opts: { nonEmpty?: boolean; pattern?: RegExp; what?: string } = {}): Check<string> => ({
  expected: opts.what ?? (opts.nonEmpty ? 'a non-empty string' : 'a string'),
  test: (v) =>
    typeof v === 'string' && (!opts.nonEmpty || v.length > 0) && (opts.pattern === undefined || opts.pattern.test(v))
      ? v
      : undefined,
});

const nonEmptyString = string({ nonEmpty: true });

const oneOf = <T extends string>(values: readonly T[]): Check<T> => ({
  expected: `one of ${quoteList(values)}`,
  test: (v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : undefined),
});

/** WAMP URI rules (loose): dot-separated non-empty components without whitespace, '.' or '#'. */
const URI_LOOSE = /^([^\s.#]+\.)*[^\s.#]+$/;
/** A prefix may end in '.' (or be empty). */
const URI_PREFIX = /^([^\s.#]+\.)*[^\s.#]*$/;
/** Wildcard patterns may have empty components. */
const URI_WILDCARD = /^([^\s.#]*\.)*[^\s.#]*$/;

const wampUri = string({
  pattern: URI_LOOSE,
  what: 'a WAMP URI (dot-separated, non-empty components without whitespace or "#")',
});

const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const idString = string({ pattern: ID_PATTERN, what: 'an id (letters, digits, "_", "-", "." ; not starting with "-" or ".")' });

const ENV_NAME = /^[^=\0]+$/;

/** Longest unix socket path the OS accepts (sun_path minus the terminating NUL). */
const MAX_UNIX_PATH = process.platform === 'linux' ? 107 : 103;

class Ctx {
  readonly errors: ConfigError[] = [];
  constructor(readonly cbdir: string) {}

  fail(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  mismatch(path: string, expected: string, found: unknown): void {
    this.fail(path, `expected ${expected}, got ${describe(found)}`);
  }

  /**
   * An object whose keys are all in `allowed`; unknown keys are reported one by one at their own
   * path. Returns undefined (after reporting) when `v` is not an object at all.
   */
  object(v: unknown, path: string, allowed: readonly string[], hints: Record<string, string> = {}): Rec | undefined {
    if (!isRec(v)) {
      this.mismatch(path, 'an object', v);
      return undefined;
    }
    for (const key of Object.keys(v)) {
      if (!allowed.includes(key)) {
        const hint = hints[key] === undefined ? '' : `; ${hints[key]}`;
        this.fail(pathKey(path, key), `unknown key ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})${hint}`);
      }
    }
    return v;
  }

  /** A scalar field of `o`, checked with `check`, with a default or REQUIRED. */
  field<T>(o: Rec, key: string, path: string, check: Check<T>, dflt: T | typeof REQUIRED): T | undefined {
    const p = pathKey(path, key);
    const v = o[key];
    if (v === undefined) {
      if (dflt === REQUIRED) {
        this.fail(p, `missing required key ${JSON.stringify(key)}: expected ${check.expected}`);
        return undefined;
      }
      return dflt;
    }
    const ok = check.test(v);
    if (ok === undefined) this.mismatch(p, check.expected, v);
    return ok;
  }

  /** The value of a required key that the caller checks itself; reports when missing. */
  required(o: Rec, key: string, path: string, expected: string): unknown {
    const v = o[key];
    if (v === undefined) this.fail(pathKey(path, key), `missing required key ${JSON.stringify(key)}: expected ${expected}`);
    return v;
  }

  /** An array of `v`, or undefined after reporting. */
  array(v: unknown, path: string, expected = 'an array'): unknown[] | undefined {
    if (!Array.isArray(v)) {
      this.mismatch(path, expected, v);
      return undefined;
    }
    return v;
  }

  /** Resolves a filesystem path against cbdir. */
  resolvePath(p: string): string {
    return isAbsolute(p) ? resolve(p) : resolve(this.cbdir, p);
  }
}

// ---------------------------------------------------------------------------------------------------
// Node, controller

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
  const controller = checkController(c, o['controller'], '$.controller');
  let workers: WorkerConfig[] | undefined = [];
  if (o['workers'] !== undefined) {
    const arr = c.array(o['workers'], '$.workers', 'an array of workers');
    workers = arr === undefined ? undefined : checkWorkers(c, arr);
  }
  if (controller === undefined || workers === undefined) return undefined;
  return { version: 2, controller, workers };
}

function checkController(c: Ctx, v: unknown, path: string): ControllerConfig | undefined {
  const o = v === undefined ? {} : c.object(v, path, ['id', 'options']);
  if (o === undefined) return undefined;
  const id = c.field(o, 'id', path, idString, 'node1');
  const optPath = `${path}.options`;
  const opt = o['options'] === undefined ? {} : c.object(o['options'], optPath, ['shutdown_timeout', 'startup_timeout', 'restart']);
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
  return { id, options: { shutdown_timeout, startup_timeout, restart: { max_restarts, window, initial_delay, max_delay } } };
}

// ---------------------------------------------------------------------------------------------------
// Workers

const WORKER_TYPES = ['router', 'xbrmm', 'guest'] as const;

function checkWorkers(c: Ctx, arr: unknown[]): WorkerConfig[] | undefined {
  const out: (WorkerConfig | undefined)[] = [];
  const counters: Record<string, number> = { router: 0, xbrmm: 0, guest: 0 };
  const ids = new Map<string, string>(); // id -> path of the worker that has it
  const endpoints = new Endpoints();
  arr.forEach((w, i) => {
    const path = `$.workers[${i}]`;
    if (!isRec(w)) {
      c.mismatch(path, 'a worker object', w);
      out.push(undefined);
      return;
    }
    const type = c.field(w, 'type', path, oneOf(WORKER_TYPES), REQUIRED);
    if (type === undefined) {
      out.push(undefined);
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
    const worker =
      type === 'router'
        ? checkRouterWorker(c, w, path, id, endpoints)
        : type === 'xbrmm'
          ? checkXbrmmWorker(c, w, path, id)
          : checkGuestWorker(c, w, path, id);
    out.push(worker);
  });
  return out.every((w): w is WorkerConfig => w !== undefined) ? out : undefined;
}

function checkEnv(c: Ctx, v: unknown, path: string): WorkerCommonOptions['env'] | undefined {
  if (v === undefined) return { inherit: true, vars: {} };
  const o = c.object(v, path, ['inherit', 'vars']);
  if (o === undefined) return undefined;
  let inherit: boolean | string[] | undefined = true;
  const inh = o['inherit'];
  if (inh !== undefined) {
    if (typeof inh === 'boolean') inherit = inh;
    else if (Array.isArray(inh)) {
      inherit = [];
      inh.forEach((name, i) => {
        if (typeof name === 'string' && ENV_NAME.test(name)) (inherit as string[]).push(name);
        else {
          c.mismatch(`${path}.inherit[${i}]`, 'an environment variable name (non-empty, without "=")', name);
          inherit = undefined;
        }
      });
    } else {
      c.mismatch(`${path}.inherit`, 'a boolean or an array of environment variable names', inh);
      inherit = undefined;
    }
  }
  let vars: Record<string, string> | undefined = {};
  if (o['vars'] !== undefined) {
    if (!isRec(o['vars'])) {
      c.mismatch(`${path}.vars`, 'an object mapping variable names to strings', o['vars']);
      vars = undefined;
    } else {
      for (const [name, value] of Object.entries(o['vars'])) {
        const p = pathKey(`${path}.vars`, name);
        if (!ENV_NAME.test(name)) {
          c.fail(p, `expected an environment variable name (non-empty, without "="), got ${JSON.stringify(name)}`);
          vars = undefined;
        } else if (typeof value !== 'string') {
          c.mismatch(p, 'a string', value);
          vars = undefined;
        } else if (vars !== undefined) {
          vars[name] = value;
        }
      }
    }
  }
  return inherit === undefined || vars === undefined ? undefined : { inherit, vars };
}

function checkXbrmmWorker(c: Ctx, w: Rec, path: string, id: string | undefined): XbrmmWorkerConfig | undefined {
  c.object(w, path, ['type', 'id', 'options', 'makers']);
  const optPath = `${path}.options`;
  const optRaw = c.required(w, 'options', path, 'an object with "extra"');
  const opt = optRaw === undefined ? undefined : c.object(optRaw, optPath, ['extra', 'title', 'env']);
  let options: XbrmmWorkerConfig['options'] | undefined;
  if (opt !== undefined) {
    const extraRaw = c.required(opt, 'extra', optPath, 'an object');
    let extra: Rec | undefined;
    if (extraRaw !== undefined) {
      if (isRec(extraRaw)) extra = extraRaw;
      else c.mismatch(`${optPath}.extra`, 'an object', extraRaw);
    }
    const title = c.field(opt, 'title', optPath, string(), undefined);
    const env = checkEnv(c, opt['env'], `${optPath}.env`);
    if (extra !== undefined && env !== undefined && (opt['title'] === undefined || title !== undefined)) {
      options = { extra, env, ...(title === undefined ? {} : { title }) };
    }
  }
  const makersRaw = c.required(w, 'makers', path, 'an array of maker objects');
  let makers: Rec[] | undefined;
  if (makersRaw !== undefined) {
    const arr = c.array(makersRaw, `${path}.makers`, 'an array of maker objects');
    if (arr !== undefined) {
      makers = [];
      arr.forEach((m, i) => {
        if (isRec(m)) makers?.push(m);
        else {
          c.mismatch(`${path}.makers[${i}]`, 'a maker object', m);
          makers = undefined;
        }
      });
    }
  }
  if (id === undefined || options === undefined || makers === undefined) return undefined;
  return { type: 'xbrmm', id, options, makers };
}

function checkGuestWorker(c: Ctx, w: Rec, path: string, id: string | undefined): GuestWorkerConfig | undefined {
  c.object(w, path, ['type', 'id', 'executable', 'arguments', 'options']);
  let executable = c.field(w, 'executable', path, nonEmptyString, REQUIRED);
  // A path-like executable ("bin/x", "./x") is relative to cbdir, like every other path in the config.
  if (executable !== undefined && executable.includes('/')) executable = c.resolvePath(executable);
  let args: string[] | undefined = [];
  if (w['arguments'] !== undefined) {
    const arr = c.array(w['arguments'], `${path}.arguments`, 'an array of strings');
    if (arr === undefined) args = undefined;
    else {
      arr.forEach((a, i) => {
        if (typeof a === 'string') args?.push(a);
        else {
          c.mismatch(`${path}.arguments[${i}]`, 'a string', a);
          args = undefined;
        }
      });
    }
  }
  const optPath = `${path}.options`;
  const opt =
    w['options'] === undefined
      ? {}
      : c.object(w['options'], optPath, ['title', 'env', 'workdir', 'stdout', 'stderr', 'ready', 'stop_timeout']);
  let options: GuestWorkerConfig['options'] | undefined;
  if (opt !== undefined) {
    const title = c.field(opt, 'title', optPath, string(), undefined);
    const env = checkEnv(c, opt['env'], `${optPath}.env`);
    const workdir = c.field(opt, 'workdir', optPath, nonEmptyString, c.cbdir);
    const stdout = c.field(opt, 'stdout', optPath, oneOf(['log', 'drop', 'close'] as const), 'log');
    const stderr = c.field(opt, 'stderr', optPath, oneOf(['log', 'drop', 'close'] as const), 'log');
    const ready = checkGuestReady(c, opt['ready'], `${optPath}.ready`);
    const stop_timeout = c.field(opt, 'stop_timeout', optPath, number(0, 40, true), 10);
    if (
      env !== undefined && workdir !== undefined && stdout !== undefined && stderr !== undefined && ready !== undefined &&
      stop_timeout !== undefined && (opt['title'] === undefined || title !== undefined)
    ) {
      options = {
        env,
        workdir: c.resolvePath(workdir),
        stdout,
        stderr,
        ready,
        stop_timeout,
        ...(title === undefined ? {} : { title }),
      };
    }
  }
  if (id === undefined || executable === undefined || args === undefined || options === undefined) return undefined;
  return { type: 'guest', id, executable, arguments: args, options };
}

function checkGuestReady(c: Ctx, v: unknown, path: string): GuestWorkerConfig['options']['ready'] | undefined {
  if (v === undefined) return { type: 'started' };
  if (!isRec(v)) {
    c.mismatch(path, 'an object {type: "started"} or {type: "tcp", host?, port}', v);
    return undefined;
  }
  const type = c.field(v, 'type', path, oneOf(['started', 'tcp'] as const), REQUIRED);
  if (type === 'started') {
    c.object(v, path, ['type']);
    return { type: 'started' };
  }
  if (type === 'tcp') {
    c.object(v, path, ['type', 'host', 'port']);
    const host = c.field(v, 'host', path, nonEmptyString, '127.0.0.1');
    const port = c.field(v, 'port', path, integer(1, 65535), REQUIRED);
    return host === undefined || port === undefined ? undefined : { type: 'tcp', host, port };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Router worker: options, realms, roles, permissions

function checkRouterWorker(
  c: Ctx,
  w: Rec,
  path: string,
  id: string | undefined,
  endpoints: Endpoints,
): RouterWorkerConfig | undefined {
  c.object(w, path, ['type', 'id', 'options', 'realms', 'transports']);
  const optPath = `${path}.options`;
  const opt = w['options'] === undefined ? {} : c.object(w['options'], optPath, ['title', 'env', 'max_sessions']);
  let options: RouterWorkerConfig['options'] | undefined;
  if (opt !== undefined) {
    const title = c.field(opt, 'title', optPath, string(), undefined);
    const env = checkEnv(c, opt['env'], `${optPath}.env`);
    const max_sessions = c.field(opt, 'max_sessions', optPath, integer(1), 10000);
    if (env !== undefined && max_sessions !== undefined && (opt['title'] === undefined || title !== undefined)) {
      options = { env, max_sessions, ...(title === undefined ? {} : { title }) };
    }
  }
  let realms: RealmConfig[] | undefined = [];
  if (w['realms'] !== undefined) {
    const arr = c.array(w['realms'], `${path}.realms`, 'an array of realms');
    realms = arr === undefined ? undefined : checkRealms(c, arr, `${path}.realms`);
  }
  // Role/realm references from the transports' auth are checked against what the realms define
  // (as far as the realms could be read).
  const known = new Map<string, Set<string>>();
  if (Array.isArray(w['realms'])) {
    for (const r of w['realms']) {
      if (isRec(r) && typeof r['name'] === 'string') {
        const roles = known.get(r['name']) ?? new Set<string>();
        if (Array.isArray(r['roles'])) for (const role of r['roles']) if (isRec(role) && typeof role['name'] === 'string') roles.add(role['name']);
        known.set(r['name'], roles);
      }
    }
  }
  let transports: TransportConfig[] | undefined = [];
  if (w['transports'] !== undefined) {
    const arr = c.array(w['transports'], `${path}.transports`, 'an array of transports');
    transports = arr === undefined ? undefined : checkTransports(c, arr, `${path}.transports`, known, endpoints);
  }
  if (id === undefined || options === undefined || realms === undefined || transports === undefined) return undefined;
  return { type: 'router', id, options, realms, transports };
}

function checkRealms(c: Ctx, arr: unknown[], path: string): RealmConfig[] | undefined {
  const out: (RealmConfig | undefined)[] = [];
  const names = new Map<string, string>();
  arr.forEach((r, i) => {
    const p = `${path}[${i}]`;
    const o = c.object(r, p, ['name', 'roles', 'options', 'marketmaker']);
    if (o === undefined) return out.push(undefined);
    const name = c.field(o, 'name', p, wampUri, REQUIRED);
    if (name !== undefined) {
      const other = names.get(name);
      if (other !== undefined) c.fail(`${p}.name`, `duplicate realm name ${JSON.stringify(name)}: already used by ${other}`);
      else names.set(name, p);
    }
    let roles: RoleConfig[] | undefined = [];
    if (o['roles'] !== undefined) {
      const rolesArr = c.array(o['roles'], `${p}.roles`, 'an array of roles');
      roles = rolesArr === undefined ? undefined : checkRoles(c, rolesArr, `${p}.roles`);
    }
    const optPath = `${p}.options`;
    const opt = o['options'] === undefined ? {} : c.object(o['options'], optPath, ['enable_meta_api']);
    const enable_meta_api = opt === undefined ? undefined : c.field(opt, 'enable_meta_api', optPath, boolean, true);
    const mm = o['marketmaker'];
    if (mm !== undefined && !isRec(mm)) c.mismatch(`${p}.marketmaker`, 'an object', mm);
    if (name === undefined || roles === undefined || enable_meta_api === undefined || (mm !== undefined && !isRec(mm))) {
      return out.push(undefined);
    }
    return out.push({ name, roles, options: { enable_meta_api }, ...(isRec(mm) ? { marketmaker: mm } : {}) });
  });
  return out.every((r): r is RealmConfig => r !== undefined) ? out : undefined;
}

function checkRoles(c: Ctx, arr: unknown[], path: string): RoleConfig[] | undefined {
  const out: (RoleConfig | undefined)[] = [];
  const names = new Map<string, string>();
  arr.forEach((r, i) => {
    const p = `${path}[${i}]`;
    const o = c.object(r, p, ['name', 'permissions']);
    if (o === undefined) return out.push(undefined);
    const name = c.field(o, 'name', p, nonEmptyString, REQUIRED);
    if (name !== undefined) {
      const other = names.get(name);
      if (other !== undefined) c.fail(`${p}.name`, `duplicate role name ${JSON.stringify(name)} in this realm: already used by ${other}`);
      else names.set(name, p);
    }
    let permissions: PermissionConfig[] | undefined = [];
    if (o['permissions'] !== undefined) {
      const permArr = c.array(o['permissions'], `${p}.permissions`, 'an array of permissions');
      if (permArr === undefined) permissions = undefined;
      else {
        const checked = permArr.map((perm, j) => checkPermission(c, perm, `${p}.permissions[${j}]`));
        permissions = checked.every((x): x is PermissionConfig => x !== undefined) ? checked : undefined;
      }
    }
    return out.push(name === undefined || permissions === undefined ? undefined : { name, permissions });
  });
  return out.every((r): r is RoleConfig => r !== undefined) ? out : undefined;
}

function checkPermission(c: Ctx, v: unknown, path: string): PermissionConfig | undefined {
  const o = c.object(v, path, ['uri', 'match', 'allow', 'disclose', 'cache']);
  if (o === undefined) return undefined;
  let uri = c.field(o, 'uri', path, string(), REQUIRED);
  let match = c.field(o, 'match', path, oneOf<MatchPolicy>(['exact', 'prefix', 'wildcard']), 'exact');
  // Crossbar's shorthand: without an explicit match, "*" is everything and "a.b.*" is the prefix "a.b.".
  if (uri !== undefined && o['match'] === undefined && uri.endsWith('*')) {
    uri = uri.slice(0, -1);
    match = 'prefix';
  }
  if (uri !== undefined && match !== undefined) {
    const [pattern, what] =
      match === 'exact'
        ? [URI_LOOSE, 'a WAMP URI (dot-separated, non-empty components without whitespace or "#")']
        : match === 'prefix'
          ? [URI_PREFIX, 'a WAMP URI prefix ("" or components without whitespace or "#", may end with ".")']
          : [URI_WILDCARD, 'a WAMP wildcard pattern (components without whitespace or "#", empty ones match anything)'];
    if (!pattern.test(uri)) {
      c.fail(`${path}.uri`, `expected ${what} for match "${match}", got ${describe(o['uri'])}`);
      uri = undefined;
    }
  }
  const allow = flags(c, o['allow'], `${path}.allow`, ['call', 'register', 'publish', 'subscribe'] as const);
  const disclose = flags(c, o['disclose'], `${path}.disclose`, ['caller', 'publisher'] as const);
  const cache = c.field(o, 'cache', path, boolean, true);
  if (uri === undefined || match === undefined || allow === undefined || disclose === undefined || cache === undefined) return undefined;
  return { uri, match, allow, disclose, cache };
}

/** An object of boolean flags, each defaulting to false. */
function flags<K extends string>(c: Ctx, v: unknown, path: string, keys: readonly K[]): Record<K, boolean> | undefined {
  const o = v === undefined ? {} : c.object(v, path, keys);
  if (o === undefined) return undefined;
  const out = {} as Record<K, boolean>;
  let ok = true;
  for (const k of keys) {
    const b = c.field(o, k, path, boolean, false);
    if (b === undefined) ok = false;
    else out[k] = b;
  }
  return ok ? out : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Router worker: transports, endpoints, authentication

const SERIALIZERS: readonly SerializerName[] = ['json', 'msgpack', 'cbor'];
const WILDCARD_INTERFACES = new Set(['0.0.0.0', '::']);

/** Listening endpoints of all router transports of the node: two transports may not share one. */
class Endpoints {
  private readonly tcp: { iface: string; port: number; owner: string }[] = [];
  private readonly unix = new Map<string, string>();

  /** Registers a tcp listener; returns the one it clashes with (wildcard interfaces clash with all). */
  claimTcp(iface: string, port: number, owner: string): { iface: string; owner: string } | undefined {
    const clash = this.tcp.find(
      (e) => e.port === port && (e.iface === iface || WILDCARD_INTERFACES.has(e.iface) || WILDCARD_INTERFACES.has(iface)),
    );
    if (clash === undefined) this.tcp.push({ iface, port, owner });
    return clash;
  }

  /** Registers a unix socket path; returns the owner it clashes with. */
  claimUnix(path: string, owner: string): string | undefined {
    const other = this.unix.get(path);
    if (other === undefined) this.unix.set(path, owner);
    return other;
  }
}

function checkTransports(
  c: Ctx,
  arr: unknown[],
  path: string,
  realms: Map<string, Set<string>>,
  endpoints: Endpoints,
): TransportConfig[] | undefined {
  const out: (TransportConfig | undefined)[] = [];
  const ids = new Map<string, string>();
  arr.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (!isRec(t)) {
      c.mismatch(p, 'a transport object', t);
      return out.push(undefined);
    }
    const type = c.field(t, 'type', p, oneOf(['websocket', 'rawsocket'] as const), REQUIRED);
    c.object(t, p, ['type', 'id', 'endpoint', 'serializers', 'auth', 'options'], {
      max_message_size: 'did you mean options.max_message_size?',
      serializer: 'did you mean serializers (an array)?',
    });
    const explicit = t['id'] !== undefined;
    const id = c.field(t, 'id', p, idString, `transport${i + 1}`);
    if (id !== undefined) {
      const other = ids.get(id);
      if (other !== undefined) {
        c.fail(`${p}.id`, `duplicate transport id ${JSON.stringify(id)}${explicit ? '' : ' (the default id)'} in this worker: already used by ${other}`);
      } else ids.set(id, p);
    }
    const endpoint = checkEndpoint(c, c.required(t, 'endpoint', p, 'an endpoint object {type: "tcp" | "unix", ...}'), `${p}.endpoint`, endpoints, p);
    const serializers = checkSerializers(c, t['serializers'], `${p}.serializers`);
    const auth = checkAuth(c, t['auth'], `${p}.auth`, realms);
    const options = checkTransportOptions(c, t['options'], `${p}.options`);
    if (type === undefined || id === undefined || endpoint === undefined || serializers === undefined || auth === undefined || options === undefined) {
      return out.push(undefined);
    }
    return out.push({ type, id, endpoint, serializers, auth, options });
  });
  return out.every((t): t is TransportConfig => t !== undefined) ? out : undefined;
}

function checkEndpoint(c: Ctx, v: unknown, path: string, endpoints: Endpoints, transportPath: string): EndpointConfig | undefined {
  if (v === undefined) return undefined; // reported as missing
  if (!isRec(v)) {
    c.mismatch(path, 'an endpoint object {type: "tcp" | "unix", ...}', v);
    return undefined;
  }
  const type = c.field(v, 'type', path, oneOf(['tcp', 'unix'] as const), REQUIRED);
  if (type === 'tcp') {
    c.object(v, path, ['type', 'port', 'interface', 'backlog']);
    const port = c.field(v, 'port', path, integer(0, 65535), REQUIRED);
    const iface = c.field(v, 'interface', path, nonEmptyString, '127.0.0.1');
    const backlog = c.field(v, 'backlog', path, integer(1), undefined);
    if (port === undefined || iface === undefined || (v['backlog'] !== undefined && backlog === undefined)) return undefined;
    if (port !== 0) {
      const other = endpoints.claimTcp(iface, port, transportPath);
      if (other !== undefined) c.fail(`${path}.port`, `tcp endpoint ${iface}:${port} clashes with ${other.iface}:${port} of ${other.owner}`);
    }
    return { type: 'tcp', port, interface: iface, ...(backlog === undefined ? {} : { backlog }) };
  }
  if (type === 'unix') {
    c.object(v, path, ['type', 'path']);
    const raw = c.field(v, 'path', path, nonEmptyString, REQUIRED);
    if (raw === undefined) return undefined;
    const abs = c.resolvePath(raw);
    if (Buffer.byteLength(abs) > MAX_UNIX_PATH) {
      c.fail(`${path}.path`, `expected a unix socket path of at most ${MAX_UNIX_PATH} bytes once resolved against cbdir, got ${JSON.stringify(abs)} (${Buffer.byteLength(abs)} bytes)`);
      return undefined;
    }
    const other = endpoints.claimUnix(abs, transportPath);
    if (other !== undefined) {
      c.fail(`${path}.path`, `unix socket ${JSON.stringify(abs)} is already used by ${other}`);
      return undefined;
    }
    return { type: 'unix', path: abs };
  }
  return undefined;
}

function checkSerializers(c: Ctx, v: unknown, path: string): SerializerName[] | undefined {
  if (v === undefined) return [...SERIALIZERS];
  const arr = c.array(v, path, `a non-empty array of ${quoteList(SERIALIZERS)}`);
  if (arr === undefined) return undefined;
  if (arr.length === 0) {
    c.fail(path, `expected a non-empty array of ${quoteList(SERIALIZERS)}, got an empty array`);
    return undefined;
  }
  const out: SerializerName[] = [];
  let ok = true;
  arr.forEach((s, i) => {
    const name = oneOf(SERIALIZERS).test(s);
    if (name === undefined) {
      c.mismatch(`${path}[${i}]`, `one of ${quoteList(SERIALIZERS)}`, s);
      ok = false;
    } else if (out.includes(name)) {
      c.fail(`${path}[${i}]`, `duplicate serializer ${JSON.stringify(name)}`);
      ok = false;
    } else out.push(name);
  });
  return ok ? out : undefined;
}

function checkTransportOptions(c: Ctx, v: unknown, path: string): TransportOptions | undefined {
  const o = v === undefined ? {} : c.object(v, path, ['max_message_size', 'max_connections', 'open_handshake_timeout', 'auto_ping_interval']);
  if (o === undefined) return undefined;
  const max_message_size = c.field(o, 'max_message_size', path, integer(512, 16 * 1024 * 1024), 1048576);
  const max_connections = c.field(o, 'max_connections', path, integer(1), 1000);
  const open_handshake_timeout = c.field(o, 'open_handshake_timeout', path, number(0, undefined, true), 10);
  const auto_ping_interval = c.field(o, 'auto_ping_interval', path, number(0), 0);
  if (max_message_size === undefined || max_connections === undefined || open_handshake_timeout === undefined || auto_ping_interval === undefined) {
    return undefined;
  }
  return { max_message_size, max_connections, open_handshake_timeout, auto_ping_interval };
}

const AUTH_METHODS = ['anonymous', 'ticket', 'wampcra', 'cryptosign'] as const;
const ED25519_HEX = /^[0-9a-fA-F]{64}$/;

/** References from auth config to the worker's realms and roles. */
class RoleRefs {
  constructor(private readonly c: Ctx, private readonly realms: Map<string, Set<string>>) {}

  /** The optional realm name at `o[key]`, which must be a realm of this worker. */
  realm(o: Rec, path: string, key = 'realm'): string | undefined {
    const realm = this.c.field(o, key, path, nonEmptyString, undefined);
    if (realm !== undefined && !this.realms.has(realm)) {
      this.c.fail(pathKey(path, key), `realm ${JSON.stringify(realm)} is not defined in this worker (realms: ${this.names()})`);
      return undefined;
    }
    return realm;
  }

  role(role: string, realm: string | undefined, path: string): boolean {
    if (realm !== undefined) {
      if (this.realms.get(realm)?.has(role)) return true;
      this.c.fail(path, `role ${JSON.stringify(role)} is not defined in realm ${JSON.stringify(realm)}`);
      return false;
    }
    for (const roles of this.realms.values()) if (roles.has(role)) return true;
    this.c.fail(path, `role ${JSON.stringify(role)} is not defined in any realm of this worker (realms: ${this.names()})`);
    return false;
  }

  private names(): string {
    return this.realms.size === 0 ? 'none' : quoteList([...this.realms.keys()]);
  }
}

function checkAuth(c: Ctx, v: unknown, path: string, realms: Map<string, Set<string>>): AuthConfig | undefined {
  if (v === undefined) return { anonymous: { type: 'static', role: 'anonymous' } };
  const o = c.object(v, path, AUTH_METHODS);
  if (o === undefined) return undefined;
  if (Object.keys(o).length === 0) {
    c.fail(path, `expected at least one of ${quoteList(AUTH_METHODS)}, got an empty object (omit "auth" for anonymous access)`);
    return undefined;
  }
  const refs = new RoleRefs(c, realms);
  const out: AuthConfig = {};
  let ok = true;
  for (const method of AUTH_METHODS) {
    const m = o[method];
    if (m === undefined) continue;
    const p = `${path}.${method}`;
    if (!isRec(m)) {
      c.mismatch(p, 'an object with "type": "static" or "dynamic"', m);
      ok = false;
      continue;
    }
    const type = c.field(m, 'type', p, oneOf(['static', 'dynamic'] as const), REQUIRED);
    if (type === undefined) {
      ok = false;
      continue;
    }
    if (type === 'dynamic') {
      const dyn = checkDynamicAuth(c, m, p, refs);
      if (dyn === undefined) ok = false;
      else out[method] = dyn;
      continue;
    }
    switch (method) {
      case 'anonymous': {
        const a = checkAnonymous(c, m, p, refs);
        if (a === undefined) ok = false;
        else out.anonymous = a;
        break;
      }
      case 'ticket': {
        c.object(m, p, ['type', 'principals']);
        const principals = principalMap(c, m, 'principals', p, (po, pp) => checkTicketPrincipal(c, po, pp, refs));
        if (principals === undefined) ok = false;
        else out.ticket = { type: 'static', principals };
        break;
      }
      case 'wampcra': {
        c.object(m, p, ['type', 'users']);
        const users = principalMap(c, m, 'users', p, (po, pp) => checkWampcraUser(c, po, pp, refs));
        if (users === undefined) ok = false;
        else out.wampcra = { type: 'static', users };
        break;
      }
      case 'cryptosign': {
        c.object(m, p, ['type', 'principals']);
        const owners = new Map<string, string>(); // lower-case key -> authid
        const principals = principalMap(c, m, 'principals', p, (po, pp, authid) => checkCryptosignPrincipal(c, po, pp, refs, authid, owners));
        if (principals === undefined) ok = false;
        else out.cryptosign = { type: 'static', principals };
        break;
      }
    }
  }
  return ok ? out : undefined;
}

function checkDynamicAuth(c: Ctx, m: Rec, path: string, refs: RoleRefs): DynamicAuthConfig | undefined {
  c.object(m, path, ['type', 'authenticator', 'authenticator-realm']);
  const authenticator = c.field(m, 'authenticator', path, wampUri, REQUIRED);
  const realm = refs.realm(m, path, 'authenticator-realm');
  if (authenticator === undefined || (m['authenticator-realm'] !== undefined && realm === undefined)) return undefined;
  return { type: 'dynamic', authenticator, ...(realm === undefined ? {} : { 'authenticator-realm': realm }) };
}

function checkAnonymous(c: Ctx, m: Rec, path: string, refs: RoleRefs): AnonymousAuthConfig | undefined {
  c.object(m, path, ['type', 'role']);
  const role = c.field(m, 'role', path, nonEmptyString, 'anonymous');
  if (role === undefined) return undefined;
  // Only a role written in the config is checked against the realms; the implicit default is not.
  if (m['role'] !== undefined && !refs.role(role, undefined, `${path}.role`)) return undefined;
  return { type: 'static', role };
}

/** A required object keyed by authid whose values are checked by `each`. */
function principalMap<T>(
  c: Ctx,
  m: Rec,
  key: string,
  path: string,
  each: (o: Rec, path: string, authid: string) => T | undefined,
): Record<string, T> | undefined {
  const raw = c.required(m, key, path, 'an object keyed by authid');
  if (raw === undefined) return undefined;
  const p = `${path}.${key}`;
  if (!isRec(raw)) {
    c.mismatch(p, 'an object keyed by authid', raw);
    return undefined;
  }
  const out: Record<string, T> = {};
  let ok = true;
  for (const [authid, value] of Object.entries(raw)) {
    const pp = pathKey(p, authid);
    if (authid.length === 0) {
      c.fail(pp, 'expected a non-empty authid, got ""');
      ok = false;
      continue;
    }
    if (!isRec(value)) {
      c.mismatch(pp, 'an object', value);
      ok = false;
      continue;
    }
    const checked = each(value, pp, authid);
    if (checked === undefined) ok = false;
    else out[authid] = checked;
  }
  return ok ? out : undefined;
}

/** `role` (required, defined in the realms) and `realm` (optional, defined in this worker). */
function roleAndRealm(c: Ctx, o: Rec, path: string, refs: RoleRefs): { role: string; realm?: string } | undefined {
  const realmGiven = o['realm'] !== undefined;
  const realm = refs.realm(o, path);
  const role = c.field(o, 'role', path, nonEmptyString, REQUIRED);
  if (role === undefined || (realmGiven && realm === undefined)) return undefined;
  if (!refs.role(role, realm, `${path}.role`)) return undefined;
  return { role, ...(realm === undefined ? {} : { realm }) };
}

function checkTicketPrincipal(c: Ctx, o: Rec, path: string, refs: RoleRefs): TicketPrincipal | undefined {
  c.object(o, path, ['ticket', 'role', 'realm']);
  const ticket = c.field(o, 'ticket', path, nonEmptyString, REQUIRED);
  const rr = roleAndRealm(c, o, path, refs);
  return ticket === undefined || rr === undefined ? undefined : { ticket, ...rr };
}

function checkWampcraUser(c: Ctx, o: Rec, path: string, refs: RoleRefs): WampcraUser | undefined {
  c.object(o, path, ['secret', 'role', 'realm', 'salt', 'iterations', 'keylen']);
  const secret = c.field(o, 'secret', path, nonEmptyString, REQUIRED);
  const rr = roleAndRealm(c, o, path, refs);
  const salt = c.field(o, 'salt', path, nonEmptyString, undefined);
  const iterations = c.field(o, 'iterations', path, integer(1), undefined);
  const keylen = c.field(o, 'keylen', path, integer(1, 1024), undefined);
  const derivation = ['salt', 'iterations', 'keylen'];
  const given = derivation.filter((k) => o[k] !== undefined);
  let derivationOk = true;
  if (given.length > 0 && given.length < derivation.length) {
    const missing = derivation.filter((k) => o[k] === undefined);
    c.fail(path, `expected salt, iterations and keylen together or none of them, got ${given.join(', ')} without ${missing.join(', ')}`);
    derivationOk = false;
  }
  if (secret === undefined || rr === undefined || !derivationOk) return undefined;
  if ((o['salt'] !== undefined && salt === undefined) || (o['iterations'] !== undefined && iterations === undefined) || (o['keylen'] !== undefined && keylen === undefined)) {
    return undefined;
  }
  return {
    secret,
    ...rr,
    ...(salt === undefined || iterations === undefined || keylen === undefined ? {} : { salt, iterations, keylen }),
  };
}

function checkCryptosignPrincipal(
  c: Ctx,
  o: Rec,
  path: string,
  refs: RoleRefs,
  authid: string,
  owners: Map<string, string>,
): CryptosignPrincipal | undefined {
  c.object(o, path, ['authorized_keys', 'role', 'realm']);
  const rr = roleAndRealm(c, o, path, refs);
  const raw = c.required(o, 'authorized_keys', path, 'a non-empty array of Ed25519 public keys (64 hex characters)');
  if (raw === undefined) return undefined;
  const kp = `${path}.authorized_keys`;
  const arr = c.array(raw, kp, 'a non-empty array of Ed25519 public keys (64 hex characters)');
  if (arr === undefined) return undefined;
  if (arr.length === 0) {
    c.fail(kp, 'expected a non-empty array of Ed25519 public keys (64 hex characters), got an empty array');
    return undefined;
  }
  const keys: string[] = [];
  let ok = true;
  arr.forEach((k, i) => {
    if (typeof k !== 'string' || !ED25519_HEX.test(k)) {
      c.mismatch(`${kp}[${i}]`, 'an Ed25519 public key (64 hex characters)', k);
      ok = false;
      return;
    }
    const key = k.toLowerCase();
    const owner = owners.get(key);
    if (owner !== undefined) {
      c.fail(`${kp}[${i}]`, owner === authid ? 'duplicate key' : `key is already authorized for principal ${JSON.stringify(owner)}`);
      ok = false;
      return;
    }
    owners.set(key, authid);
    keys.push(key);
  });
  return ok && rr !== undefined ? { authorized_keys: keys, ...rr } : undefined;
}
