/**
 * The routers under test, shared by the bench parts: our router (the controller CLI with a generated
 * config, which forks the router worker) and, as a peer, fox-wamp (installed on demand into
 * bench/.peers, run by bench/peers/fox-router.cjs). Each starts fresh in its own process group on
 * 127.0.0.1 and is stopped (and its temp dir removed) by `stopRouter`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSerializer } from './wamp-bench-client.js';
import { ManagedProcess, describe, freePort, runCommand, waitForPort, type BenchContext } from './util.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PEERS_DIR = join(ROOT, 'bench', '.peers');
const FOX_VERSION = '0.7.28';
const FOX_SCRIPT = join(ROOT, 'bench', 'peers', 'fox-router.cjs');
const GUARD_SCRIPT = join(ROOT, 'bench', 'guard.cjs');
/** Our router's entry point, relative to the project root; BENCH_OUR_CLI overrides it (e.g. to test the bench's failure handling). */
const OUR_CLI = process.env.BENCH_OUR_CLI ?? 'router/controller/cli.ts';

const HOST = '127.0.0.1';
export const REALM = 'realm1';

/** Time for a router process to accept TCP connections. */
export const STARTUP_TIMEOUT_MS = 30_000;
/** Time for `npm install fox-wamp` (only when bench/.peers does not have it yet). */
export const INSTALL_TIMEOUT_MS = 15 * 60_000;
/** Grace period for a router to exit on SIGTERM before its process group is SIGKILLed. */
const STOP_GRACE_MS = 10_000;
/** Upper bound of `stopRouter` (grace, then SIGKILL and reaping). */
export const STOP_TIMEOUT_MS = STOP_GRACE_MS + 3_000;

export type RouterName = 'ours' | 'fox';

export interface RouterTarget {
  name: RouterName;
  /** Serializers the router speaks (fox-wamp: JSON only). */
  serializers: BenchSerializer[];
  proc: ManagedProcess | null;
  port: number;
  tmpDir: string | null;
  /** Why the router could not be started, or null. */
  error: string | null;
}

/** Both routers, not yet started: ours with json and msgpack, fox-wamp with json. */
export function routerTargets(): RouterTarget[] {
  return [
    { name: 'ours', serializers: ['json', 'msgpack'], proc: null, port: 0, tmpDir: null, error: null },
    { name: 'fox', serializers: ['json'], proc: null, port: 0, tmpDir: null, error: null },
  ];
}

export function routerUrl(target: RouterTarget): string {
  return `ws://${HOST}:${target.port}/ws`;
}

/** For the header lines of a part: what "ours" and "fox" are. */
export function routersNote(): string {
  return `ours = ${OUR_CLI}${process.env.BENCH_OUR_CLI === undefined ? ' (controller + router worker)' : ''} with json and msgpack; fox = fox-wamp ${FOX_VERSION} (JSON only)`;
}

/**
 * Starts `target` (installing fox-wamp first if needed) and waits until it accepts TCP connections.
 * `part` prefixes the progress lines. Throws when the router cannot be started.
 */
async function startRouter(target: RouterTarget, ctx: BenchContext, part: string): Promise<void> {
  if (target.name === 'ours') await startOurs(target, ctx, part);
  else await startFox(target, ctx, part);
}

/** Stops the router's whole process tree (SIGTERM, then SIGKILL) and removes its temp dir. Never throws. */
async function stopRouter(target: RouterTarget, ctx: BenchContext, part: string): Promise<void> {
  if (target.proc) {
    ctx.log(`# ${part}.${target.name}: stopping`);
    await target.proc.stop(STOP_GRACE_MS).catch((err: unknown) => ctx.log(`# ${part}.${target.name}: stop failed: ${describe(err)}`));
    target.proc = null;
  }
  if (target.tmpDir) {
    rmSync(target.tmpDir, { recursive: true, force: true });
    target.tmpDir = null;
  }
}

/** Starts every target; one that fails gets `error` set and an `# ERROR` line. */
export async function startRouters(targets: RouterTarget[], ctx: BenchContext, part: string): Promise<void> {
  for (const target of targets) {
    try {
      await startRouter(target, ctx, part);
    } catch (err) {
      target.error = describe(err);
      ctx.out(`# ERROR ${part}.${target.name}: failed to start: ${target.error}`);
    }
  }
}

export async function stopRouters(targets: RouterTarget[], ctx: BenchContext, part: string): Promise<void> {
  for (const target of targets) await stopRouter(target, ctx, part);
}

// ---------------------------------------------------------------------------------------------
// Ours

function ourConfig(port: number): unknown {
  return {
    version: 2,
    controller: {},
    workers: [
      {
        type: 'router',
        realms: [
          {
            name: REALM,
            roles: [
              {
                name: 'anonymous',
                permissions: [
                  { uri: '', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true } },
                ],
              },
            ],
          },
        ],
        transports: [
          {
            type: 'websocket',
            endpoint: { type: 'tcp', port, interface: HOST },
            serializers: ['json', 'msgpack'],
          },
        ],
      },
    ],
  };
}

async function startOurs(target: RouterTarget, ctx: BenchContext, part: string): Promise<void> {
  if (!existsSync(resolve(ROOT, OUR_CLI))) {
    throw new Error(`${OUR_CLI} does not exist (our router is not built yet)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'xbr-edge-bench-'));
  target.tmpDir = dir;
  target.port = await freePort();
  const configPath = join(dir, 'router-config.json');
  writeFileSync(configPath, `${JSON.stringify(ourConfig(target.port), null, 2)}\n`);
  ctx.log(`# ${part}.ours: starting node --import tsx ${OUR_CLI} --cbdir ${dir} --config ${configPath} (port ${target.port})`);
  // Through bench/guard.cjs, so the controller and its workers die with the bench even if it is SIGKILLed.
  target.proc = new ManagedProcess(
    'our router (controller)',
    process.execPath,
    [GUARD_SCRIPT, process.execPath, '--import', 'tsx', OUR_CLI, '--cbdir', dir, '--config', configPath],
    { cwd: ROOT, stdinPipe: true },
  );
  await waitForPort(HOST, target.port, STARTUP_TIMEOUT_MS, target.proc);
}

// ---------------------------------------------------------------------------------------------
// fox-wamp

function installEnv(): NodeJS.ProcessEnv {
  // Under `npm run bench`, npm exports its own settings (prefix, package, lifecycle) to the script;
  // keep them out of the nested install.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(config_(local_)?prefix|package_|lifecycle_)/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/** Installs fox-wamp into bench/.peers if needed. Returns an error message, or null when it is there. */
async function ensureFox(ctx: BenchContext, part: string): Promise<string | null> {
  const installed = (): boolean =>
    existsSync(join(PEERS_DIR, 'node_modules', 'fox-wamp', 'package.json')) && existsSync(join(PEERS_DIR, 'node_modules', '.package-lock.json'));
  if (installed()) return null;
  ctx.log(
    `# ${part}.fox: installing fox-wamp@${FOX_VERSION} into bench/.peers (on demand, not a project dependency); ` +
      'its sqlite3 dependency compiles natively, this takes about 90 s ...',
  );
  mkdirSync(PEERS_DIR, { recursive: true });
  const t0 = Date.now();
  const r = await runCommand(
    'npm install fox-wamp',
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, `fox-wamp@${FOX_VERSION}`],
    { cwd: ROOT, timeoutMs: INSTALL_TIMEOUT_MS, env: installEnv() },
  );
  if (!r.ok || !installed()) {
    const npmErrors = r.output.lines().filter((l) => l.startsWith('npm error') && l.trim() !== 'npm error');
    const detail = npmErrors.length ? `; ${npmErrors.slice(0, 4).join(' | ')}` : r.output.tailText(6);
    return `npm install fox-wamp@${FOX_VERSION} into bench/.peers failed (${r.info})${detail}`;
  }
  ctx.log(`# ${part}.fox: fox-wamp installed in ${Math.round((Date.now() - t0) / 1000)} s`);
  return null;
}

async function startFox(target: RouterTarget, ctx: BenchContext, part: string): Promise<void> {
  const err = await ensureFox(ctx, part);
  if (err !== null) throw new Error(err);
  target.port = await freePort();
  ctx.log(`# ${part}.fox: starting node bench/peers/fox-router.cjs (port ${target.port})`);
  target.proc = new ManagedProcess('fox-wamp router', process.execPath, [FOX_SCRIPT, String(target.port), PEERS_DIR], {
    cwd: ROOT,
    stdinPipe: true,
  });
  await waitForPort(HOST, target.port, STARTUP_TIMEOUT_MS, target.proc);
}
