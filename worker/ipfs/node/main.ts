/**
 * The embedded IPFS node as a process (the `ipfs` guest worker, docs/architecture.md#processes):
 *
 *   node dist/worker/ipfs/node/main.js [--repo .xbr-edge/ipfs-repo] [--port 5001] [--host 127.0.0.1] [--seed <dir>]...
 *
 * (compiled by `npm run build`; from the sources, as tests run it: `node --import tsx worker/ipfs/node/main.ts …`)
 *
 * 1. refuses a busy port before touching the repo (exit 1 with the reason);
 * 2. opens the repo (creating it when missing) and starts js-ipfs offline; a repo still locked by a node that
 *    died is waited for until its lock goes stale (ipfs-repo: 20 s), one held by a live node is an error;
 *    the repo is owner-only: its `config` holds the node's libp2p private key (see {@link makeRepoPrivate});
 * 3. adds every file of each `--seed` directory (CIDv0, pinned) and logs its name and CID;
 * 4. only then opens the Kubo RPC API on host:port — so a `{type: tcp}` readiness check means "seeded";
 * 5. runs until SIGTERM / SIGINT or until its parent (the controller) is gone: closes the API, stops the node
 *    (releasing the repo lock), exits 0.
 *
 * Logs are JSON lines on stderr (schema/log.ts), `component: "ipfs-node"`; `ipfs node ready` carries the API
 * URL and the start-up time. Exit 1 on any start-up error.
 */
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { createLogger, type Logger } from '../../../schema/index.js';
import { tightenOwnerOnly } from '../../../schema/index.js';
import type { EmbeddedIpfsNode } from './embedded.js';
import { readSeedFiles } from './seed.js';
import { sleep, watchParent } from '../../../process/index.js';

/** ipfs-repo (proper-lockfile) calls a repo lock stale when its holder has not touched it for 20 s. */
const REPO_LOCK_STALE_MS = 20_000;
/** How long a locked repo is waited for: long enough for a dead holder's lock to go stale. */
const LOCK_WAIT_MS = REPO_LOCK_STALE_MS + 5_000;
const LOCK_RETRY_MS = 1_000;
/** A stop that hangs (a stuck request) must not outlive the controller's stop_timeout (10 s by default). */
const STOP_FORCE_MS = 8_000;

interface GuestArgs {
  repo: string;
  port: number;
  host: string;
  seed: string[];
}

function parseGuestArgs(argv: string[]): GuestArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: 'string', default: '.xbr-edge/ipfs-repo' },
      port: { type: 'string', default: '5001' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  const port = Number(values.port);
  // port 0 is refused: js-ipfs' API server would not tell which port it took, and nobody could find it
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new WampError(WampErrorUri.invalidArgument, `--port: not a port 1..65535: ${values.port}`);
  }
  return { repo: resolve(values.repo), port, host: values.host, seed: values.seed.map((d) => resolve(d)) };
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', (err) => fail(new WampError(WampErrorUri.runtimeError, `cannot listen on ${host}:${port}: ${err.message}`, { cause: err })));
    probe.listen(port, host, () => probe.close(() => done()));
  });
}

const errorCode = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/**
 * Resolves once `repo` is not locked, or its lock is stale (older than REPO_LOCK_STALE_MS: its holder died, and
 * ipfs-repo takes such a lock over). A lock kept fresh by a live node past `deadline` is an error. Checked here
 * rather than by retrying js-ipfs' `create`, which does not recover from a failed first attempt in one process.
 */
async function waitForRepoLock(repo: string, deadline: number, log: Logger, signal: AbortSignal): Promise<void> {
  const lockFile = join(repo, 'repo.lock');
  for (let attempt = 1; ; attempt++) {
    let mtime: number;
    try {
      mtime = statSync(lockFile).mtimeMs;
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return;
      throw err;
    }
    if (Date.now() - mtime > REPO_LOCK_STALE_MS) return;
    if (Date.now() >= deadline || signal.aborted) {
      throw new WampError(WampErrorUri.runtimeError, `repo ${repo} is in use by another IPFS node (lock ${lockFile})`);
    }
    if (attempt === 1) log.warn('repo locked; waiting for the lock to go stale in case its holder died', { repo, lock: lockFile });
    await sleep(LOCK_RETRY_MS);
  }
}

/**
 * Makes the repo owner-only (docs/protocol.md#trust-model): directories 0700, files 0600. New files are so by the umask (set in
 * `main`, and inherited from the controller); a repo created by an older version, or by js-ipfs under a
 * looser umask, is tightened here, before js-ipfs opens it. The controller cannot do it: a guest's arguments
 * mean nothing to it.
 */
function makeRepoPrivate(repo: string, log: Logger): void {
  tightenOwnerOnly(repo, { recursive: true, log });
}

/** Packages of js-ipfs: package.json `peerDependencies`, which a production install for an external Kubo node may leave out (--omit=peer). */
const IPFS_PACKAGES = ['ipfs-core', 'ipfs-http-server'];

/** `./embedded.js`, or a clear error when js-ipfs is not installed. */
async function loadEmbedded(): Promise<typeof import('./embedded.js')> {
  try {
    return await import('./embedded.js');
  } catch (err) {
    const missing = IPFS_PACKAGES.find((p) => errorCode(err) === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${p}'`));
    if (missing === undefined) throw err;
    throw new WampError(
      WampErrorUri.runtimeError,
      `the embedded IPFS node needs ${IPFS_PACKAGES.join(', ')}, and ${missing} is not installed (an install with --omit=peer leaves them out): install them (npm ci without --omit=peer), or use a Kubo node instead of this guest`,
      { cause: err },
    );
  }
}

/** Starts the node on `a`, seeding before the port opens. */
async function start(a: GuestArgs, log: Logger, signal: AbortSignal): Promise<EmbeddedIpfsNode> {
  await assertPortFree(a.host, a.port);
  // read first: a bad --seed fails before the repo is opened
  const files = readSeedFiles(a.seed);
  await waitForRepoLock(a.repo, Date.now() + LOCK_WAIT_MS, log, signal);
  makeRepoPrivate(a.repo, log);
  // js-ipfs is loaded only now (seconds): the signal handlers are in place meanwhile, so a stop request while
  // loading still ends with exit 0, and no repo is created after it
  const { startEmbeddedIpfsNode } = await loadEmbedded();
  if (signal.aborted) throw new WampError(WampErrorUri.canceled, 'stopped while starting');
  try {
    return await startEmbeddedIpfsNode({
      repo: a.repo,
      apiPort: a.port,
      host: a.host,
      beforeListen: async (add) => {
        for (const f of files) log.info('seeded', { file: f.path, cid: await add(f.bytes), size: f.bytes.length });
      },
    });
  } catch (err) {
    // taken between the probe and the listen
    if (errorCode(err) === 'EADDRINUSE') {
      throw new WampError(WampErrorUri.runtimeError, `cannot listen on ${a.host}:${a.port}: address already in use`, { cause: err });
    }
    if (errorCode(err) === 'ERR_LOCK_EXISTS') {
      throw new WampError(WampErrorUri.runtimeError, `repo ${a.repo} is in use by another IPFS node`, { cause: err });
    }
    throw err;
  }
}

async function main(): Promise<void> {
  // Also when run by hand, not by the controller: js-ipfs creates the repo (and `config` with the private
  // key) with modes we cannot pass, so only the umask makes them owner-only (see router/controller/cli.ts).
  process.umask(0o077);
  const log = createLogger({ component: 'ipfs-node', pid: process.pid });
  let args: GuestArgs;
  try {
    args = parseGuestArgs(process.argv.slice(2));
  } catch (err) {
    log.error('bad arguments', { error: err });
    process.exit(1);
  }
  const loaded = performance.now();
  const abort = new AbortController();
  let node: EmbeddedIpfsNode | undefined;
  let stopping = false;
  const startup = start(args, log, abort.signal).then((n) => (node = n));

  const stop = async (reason: NodeJS.Signals | 'parent exited'): Promise<void> => {
    if (stopping) return;
    stopping = true;
    abort.abort();
    log.info('stopping', { signal: reason });
    setTimeout(() => {
      log.error('stop timed out; exiting anyway', { after_ms: STOP_FORCE_MS });
      process.exit(1);
    }, STOP_FORCE_MS).unref();
    // a start in progress finishes (or fails) first, so its repo lock is released by node.stop()
    await startup.catch(() => undefined);
    try {
      await node?.stop();
    } catch (err) {
      log.error('stop failed', { error: err });
      process.exit(1);
    }
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A guest has no IPC channel: if its controller dies without stopping it, this is how it notices.
  watchParent(() => void stop('parent exited'));

  try {
    await startup;
  } catch (err) {
    if (stopping) return; // stop() exits
    log.error('cannot start', { error: err, repo: args.repo, port: args.port });
    process.exit(1);
  }
  if (stopping) return;
  // performance.now() counts from process start: loading js-ipfs takes most of the start-up time
  const now = performance.now();
  log.info('ipfs node ready', { api: node?.apiUrl, repo: args.repo, startup_ms: Math.round(now), node_start_ms: Math.round(now - loaded) });
}

await main();
