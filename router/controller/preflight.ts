/**
 * The worker programs of this build: where the node.js workers' entry modules are, and the problems
 * that keep a node from starting although its config is valid.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigError } from '../../config/index.js';
import type { GuestWorkerConfig, WorkerConfig } from '../../config/index.js';
import type { WorkerEntries } from './process.js';

/**
 * `.js` when this module runs compiled (`dist/router/controller/preflight.js`, `npm start`), `.ts` when it runs
 * from the sources through tsx (tests): the workers are taken from the same build as the controller.
 */
const OWN_EXT = extname(fileURLToPath(import.meta.url)) === '.ts' ? '.ts' : '.js';

/**
 * Entry modules of the node.js workers: the given ones, else the env overrides
 * `XBR_EDGE_ROUTER_WORKER_ENTRY` / `XBR_EDGE_XBRMM_WORKER_ENTRY`, else `router/worker/main` / `worker/main` of
 * the controller's own build (`dist/…/main.js` beside a compiled controller, `…/main.ts` beside the sources).
 */
export function workerEntries(opts: { routerWorkerEntry?: string; xbrmmWorkerEntry?: string }): WorkerEntries {
  const envRouter = process.env['XBR_EDGE_ROUTER_WORKER_ENTRY'];
  const envXbrmm = process.env['XBR_EDGE_XBRMM_WORKER_ENTRY'];
  return {
    router: opts.routerWorkerEntry ?? (envRouter ? resolve(envRouter) : fileURLToPath(new URL(`../worker/main${OWN_EXT}`, import.meta.url))),
    xbrmm: opts.xbrmmWorkerEntry ?? (envXbrmm ? resolve(envXbrmm) : fileURLToPath(new URL(`../../worker/main${OWN_EXT}`, import.meta.url))),
  };
}

/**
 * The embedded guests of the shipped config and the packages only they load. package.json declares these as
 * `peerDependencies`: `npm ci` installs them, and a production install for an external chain and Kubo node
 * leaves them out with `--omit=peer` (`--omit=optional` would also drop lmdb's prebuilt binary). Recognised by
 * their script, compiled or not.
 */
const EMBEDDED_GUESTS: readonly { script: RegExp; what: string; packages: readonly string[]; instead: string }[] = [
  {
    script: /(^|\/)contracts\/devchain-main\.(js|ts)$/,
    what: 'the embedded dev chain',
    packages: ['hardhat'],
    instead: 'remove this guest and point options.extra.blockchain.gateway.http of the xbrmm worker at an Ethereum JSON-RPC node',
  },
  {
    script: /(^|\/)worker\/ipfs\/node\/main\.(js|ts)$/,
    what: 'the embedded IPFS node',
    packages: ['ipfs-core', 'ipfs-http-server'],
    instead: 'remove this guest and point options.extra.ipfs.url of the xbrmm worker at a Kubo RPC API',
  },
];

/** Whether package `name` is installed where a module in `dir` would find it (node_modules up the tree). */
function installedFrom(dir: string, name: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', name, 'package.json'))) return true;
    if (dirname(d) === d) return false;
  }
}

/**
 * A problem when guest `w` is an embedded guest that cannot run here: its script is missing (e.g. `dist/` not
 * built: the controller run from the sources on the shipped config) or its packages are not installed.
 */
function embeddedGuestProblem(w: GuestWorkerConfig): string | undefined {
  for (const g of EMBEDDED_GUESTS) {
    const script = w.arguments.find((a) => g.script.test(a));
    if (script === undefined) continue;
    const path = resolve(w.options.workdir, script);
    if (!existsSync(path)) {
      const hint = /^(\.\/)?dist\//.test(script) ? ': build it with npm run build (npm start does)' : '';
      return `${g.what}: its script ${script} does not exist in ${w.options.workdir}${hint}`;
    }
    const missing = g.packages.filter((p) => !installedFrom(dirname(path), p));
    if (missing.length === 0) return undefined;
    const list = missing.join(', ');
    const them = missing.length === 1 ? 'it' : 'them';
    return `${g.what} (${script}) needs ${list}, not installed here (an install with --omit=peer leaves ${them} out): install ${them} (npm ci without --omit=peer), or ${g.instead}`;
  }
  return undefined;
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
      const embedded = embeddedGuestProblem(w);
      if (embedded !== undefined) problems.push({ path: `${path}.arguments`, message: embedded });
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
