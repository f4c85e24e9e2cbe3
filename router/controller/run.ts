/**
 * The xbr-edge controller process (`npm start`, `xbr-edge start`). Reads the node config, validates it (printing every
 * problem as `config error at <path>: <message>` and exiting 1 before anything starts), takes the node
 * directory's lock (a second controller on it exits 1 naming the first one's pid), then runs the workers
 * until SIGTERM/SIGINT/SIGHUP or until the process that started it (e.g. npm) is gone.
 *
 * Exit codes: 0 clean shutdown; 1 bad flags, bad config, or an internal error; 2 a worker could not
 * be kept alive; 130 a second SIGINT killed everything without waiting.
 */
import { statSync } from 'node:fs';
import { createLogger, logLevelOf, type Logger } from '../../schema/index.js';
import { loadConfigFile, resolveNodePaths, validateNodeConfig, type ConfigError, type NodeConfig } from '../../config/index.js';
import { watchParent } from '../../process/index.js';
import { Controller } from './controller.js';
import { freshChainConfig, takeFreshFlag } from './fresh-chain.js';
import { acquireNodeLock, type NodeLock } from './node-lock.js';

function printErrors(errors: readonly ConfigError[]): void {
  for (const e of errors) process.stderr.write(`config error at ${e.path}: ${e.message}\n`);
}

/** A node directory and its validated config (what `xbr-edge backup` and `restore` work from), or the exit code of the failure. */
export type LoadedNode = { kind: 'exit'; code: number } | { kind: 'ok'; paths: { cbdir: string; config: string }; config: NodeConfig };

/** A node directory and config that passed every check before a start, or the exit code of the check. */
export type CheckedNode =
  | { kind: 'exit'; code: number }
  | { kind: 'ok'; paths: { cbdir: string; config: string }; config: NodeConfig; controller: Controller; log: Logger };

/**
 * The flags (`--cbdir`, `--config`), the node directory, the config file and its validation. Problems are
 * printed, one per line with its JSON path; `--help` prints the usage (exit 0), bad flags exit 1.
 * @example const node = loadNode(['--cbdir', '/srv/xbr-edge']); if (node.kind === 'ok') node.config.workers
 */
export function loadNode(argv: readonly string[]): LoadedNode {
  const paths = resolveNodePaths(argv);
  if (paths.kind === 'help') {
    process.stdout.write(paths.usage);
    return { kind: 'exit', code: 0 };
  }
  if (paths.kind === 'error') {
    process.stderr.write(`error: ${paths.message}\n\n${paths.usage}`);
    return { kind: 'exit', code: 1 };
  }
  let cbdirOk = false;
  try {
    cbdirOk = statSync(paths.cbdir).isDirectory();
  } catch {
    cbdirOk = false;
  }
  if (!cbdirOk) {
    process.stderr.write(`error: node directory ${paths.cbdir} does not exist or is not a directory\n`);
    return { kind: 'exit', code: 1 };
  }
  const loaded = loadConfigFile(paths.config);
  if ('errors' in loaded) {
    printErrors(loaded.errors);
    return { kind: 'exit', code: 1 };
  }
  const validated = validateNodeConfig(loaded.raw, { cbdir: paths.cbdir });
  if ('errors' in validated) {
    printErrors(validated.errors);
    process.stderr.write(`${validated.errors.length} problem(s) in ${paths.config}; nothing was started\n`);
    return { kind: 'exit', code: 1 };
  }
  return { kind: 'ok', paths: { cbdir: paths.cbdir, config: paths.config }, config: validated.config };
}

/**
 * Everything a start checks before it touches anything (`xbr-edge check` stops here): {@link loadNode}, then
 * the controller's preflight (worker programs and packages present). Problems are printed, one per line with
 * its JSON path.
 */
export function checkNode(argv: readonly string[], options: { fresh?: boolean } = {}): CheckedNode {
  const loaded = loadNode(argv);
  if (loaded.kind === 'exit') return loaded;
  const { paths } = loaded;
  let config = loaded.config;
  if (options.fresh === true) {
    const fresh = freshChainConfig(config);
    if (fresh.guests.length === 0) {
      process.stderr.write(`error: --fresh: no guest worker of ${paths.config} keeps a chain state (an argument --state DIR): there is no dev chain to start anew; nothing was started\n`);
      return { kind: 'exit', code: 1 };
    }
    config = fresh.config;
  }
  const log = createLogger({ component: 'controller', node: config.controller.id }, logLevelOf(config.controller.options.log_level));
  const controller = new Controller(config, { cbdir: paths.cbdir, logger: log });
  const problems = controller.preflight();
  if (problems.length > 0) {
    printErrors(problems);
    process.stderr.write(`${problems.length} problem(s) in ${paths.config}; nothing was started\n`);
    return { kind: 'exit', code: 1 };
  }

  return { kind: 'ok', paths, config, controller, log };
}

/**
 * Runs the controller with its flags (`--cbdir`, `--config`, and `--fresh`: a new embedded dev chain, see
 * `fresh-chain.ts`); resolves with the process exit code.
 */
export async function runController(argv: readonly string[]): Promise<number> {
  // Owner-only by construction (docs/protocol.md#trust-model-secrets): everything this node creates — the node
  // directory, keys, LMDB data and lock files, journals, the IPFS repo with its libp2p private key, the Unix
  // sockets of trusted sessions — is created 0700/0600, by this process and by every worker and guest it
  // spawns (children inherit the umask). A umask rather than a mode per file, because most of these files are
  // created by code we do not control and cannot pass a mode to: LMDB (lmdb-js) creates its data and lock
  // files, js-ipfs its repo and `config`, `net` its socket files, all with open modes that only the umask
  // narrows; and a mode forgotten in one new `writeFile` would leak silently. What an older version left
  // loose is tightened at start (`private-files.ts`). Set first, before anything is created.
  process.umask(0o077);
  const { fresh, rest } = takeFreshFlag(argv);
  const checked = checkNode(rest, { fresh });
  if (checked.kind === 'exit') return checked.code;
  const { paths, controller, log } = checked;

  let lock: NodeLock;
  try {
    lock = acquireNodeLock(paths.cbdir);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.on('exit', () => lock.release());
  if (lock.tookOverFrom !== undefined) log.warn('took over a stale node lock', { path: lock.path, stale_pid: lock.tookOverFrom });

  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts === 1) {
      void controller.shutdown('SIGINT');
      return;
    }
    controller.killNow('second SIGINT');
    process.exit(130);
  });
  process.on('SIGTERM', () => void controller.shutdown('SIGTERM'));
  process.on('SIGHUP', () => void controller.shutdown('SIGHUP'));
  // `npm start` then `kill <npm>`: npm exits without passing SIGTERM on; stop as if it had.
  watchParent(() => void controller.shutdown('the process that started the controller exited'));
  process.on('uncaughtException', (err) => {
    log.error('controller failed', { error: err, stack: err.stack });
    controller.killNow('controller failed');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.error('controller failed (unhandled rejection)', { error: reason instanceof Error ? reason : String(reason) });
    controller.killNow('controller failed');
    process.exit(1);
  });
  log.info('controller started', { pid: process.pid, cbdir: paths.cbdir, config: paths.config, ...(fresh ? { fresh: 'the dev chain starts anew: its state and the databases of its old chain are discarded' } : {}) });
  return controller.run();
}
