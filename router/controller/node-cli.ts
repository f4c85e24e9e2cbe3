/**
 * The node commands of `xbr-edge`, in Crossbar's shape: they find the node by its directory (`--cbdir`,
 * default the current directory) and its config — no URL to type.
 *
 *   xbr-edge start   [--cbdir DIR] [--config PATH] [--fresh]   run the node in the foreground (as `npm start`)
 *   xbr-edge stop    [--cbdir DIR]                   SIGTERM the node's controller and wait until it exited
 *   xbr-edge status  [--cbdir DIR]                   is a node running in DIR, since when, which pid
 *   xbr-edge check   [--cbdir DIR] [--config PATH]   validate the config and the install; start nothing
 *   xbr-edge version                                 the package and Node.js versions
 *   xbr-edge backup  --to DIR   [--cbdir DIR] [--config PATH]   consistent copy of DBs, journals, keys (running or not)
 *   xbr-edge restore --from DIR [--cbdir DIR] [--config PATH]   put a backup back (node stopped); see backup-cli.ts
 *
 * Exit codes: 0 done (status: running), 1 failed (bad config, stop timed out, backup/restore failed), 2 bad
 * command line, 3 no node running (status, stop) — like `systemctl status` and LSB init scripts.
 */
import { sleep } from '../../process/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveNodePaths } from '../../config/index.js';
import { liveNodeLock, nodeLockPath } from './node-lock.js';
import type { NodeCommand } from './node-commands.js';
import { checkNode, runController } from './run.js';

export { NODE_COMMANDS, isNodeCommand, type NodeCommand } from './node-commands.js';

export const NODE_USAGE = `node commands (the node is found by its directory):
  xbr-edge start   [--cbdir DIR] [--config PATH] [--fresh]   run the node in the foreground (as npm start);
                                                   --fresh: a new embedded dev chain (its old state deleted)
  xbr-edge stop    [--cbdir DIR]                   stop the node running in DIR and wait for it (up to 60 s)
  xbr-edge status  [--cbdir DIR]                   whether a node runs in DIR (exit 0) or not (exit 3)
  xbr-edge check   [--cbdir DIR] [--config PATH]   validate the config and the install; start nothing
  xbr-edge version                                 print the versions
  xbr-edge backup  --to DIR   [--cbdir DIR] [--config PATH]   copy the node's DBs, journals, keys and config into
                                                               DIR (new or empty), while the node runs or not
  xbr-edge restore --from DIR [--cbdir DIR] [--config PATH]   put a backup back in place (the node must be stopped)
`;

/** How long `stop` waits for the controller (its own shutdown_timeout is at most 44 s). */
const STOP_WAIT_MS = 60_000;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
};

/** The controller running in the node directory of `argv`, if any. */
function runningNode(argv: readonly string[]): { cbdir: string; pid?: number; started?: string } | { error: string } {
  const paths = resolveNodePaths(argv);
  if (paths.kind !== 'run') return { error: paths.kind === 'error' ? paths.message : 'help' };
  const lock = liveNodeLock(paths.cbdir);
  return lock !== undefined ? { cbdir: paths.cbdir, pid: lock.pid, started: lock.started } : { cbdir: paths.cbdir };
}

/** The package's own package.json, found upwards from this module (sources and dist/ sit at different depths). */
function version(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'xbr-edge') return `${pkg.name} ${pkg.version ?? '?'} (Node.js ${process.version})\n`;
    }
    if (dirname(dir) === dir) return `xbr-edge (version unknown) (Node.js ${process.version})\n`;
  }
}

/** Runs one node command; resolves with the exit code. */
export async function runNodeCommand(command: NodeCommand, argv: readonly string[]): Promise<number> {
  switch (command) {
    case 'start':
      return runController(argv);
    case 'check': {
      const checked = checkNode(argv);
      if (checked.kind === 'exit') return checked.code;
      process.stdout.write(`${checked.paths.config}: ${checked.config.workers.length} workers (${checked.config.workers.map((w) => w.id).join(', ')}); ready to start\n`);
      return 0;
    }
    case 'version':
      process.stdout.write(version());
      return 0;
    // Loaded on demand: they bring lmdb, which the other commands (and the controller) do not need.
    case 'backup':
      return (await import('./backup-cli.js')).runBackup(argv);
    case 'restore':
      return (await import('./backup-cli.js')).runRestore(argv);
    case 'status':
    case 'stop': {
      const node = runningNode(argv);
      if ('error' in node) {
        process.stderr.write(node.error === 'help' ? NODE_USAGE : `error: ${node.error}\n\n${NODE_USAGE}`);
        return node.error === 'help' ? 0 : 2;
      }
      if (node.pid === undefined) {
        process.stdout.write(`no node running in ${node.cbdir} (no live controller holds ${nodeLockPath(node.cbdir)})\n`);
        return 3;
      }
      if (command === 'status') {
        process.stdout.write(`running in ${node.cbdir}: controller pid ${node.pid}, since ${node.started}\n`);
        return 0;
      }
      process.kill(node.pid, 'SIGTERM');
      const deadline = Date.now() + STOP_WAIT_MS;
      while (alive(node.pid)) {
        if (Date.now() > deadline) {
          process.stderr.write(`error: the controller pid ${node.pid} did not stop within ${STOP_WAIT_MS / 1000} s\n`);
          return 1;
        }
        await sleep(100);
      }
      process.stdout.write(`stopped the node in ${node.cbdir} (controller pid ${node.pid})\n`);
      return 0;
    }
  }
}
