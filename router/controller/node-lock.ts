/**
 * One controller per node directory. Two controllers on one directory would share ports, Unix sockets,
 * LMDB environments and the dev chain's files: a second `npm start` once reported its dev chain ready on the
 * first one's port and deleted the running node's `devchain.json` on its way out. So the controller takes
 * `<cbdir>/.xbr-edge/node.pid` before it touches anything, and a second start is refused naming the pid that
 * holds it. A lock whose pid no longer runs (a crash, a reboot) is stale and taken over.
 *
 * The file is created with O_EXCL, so of two controllers starting at once exactly one creates it; a stale
 * file is renamed away before the new one is created, so a takeover cannot delete a lock just taken by
 * another controller that raced us to it.
 */
import { mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { WampError, WampErrorUri, XbrErrorUri } from '../../schema/index.js';

/** The lock file of a node directory. */
export function nodeLockPath(cbdir: string): string {
  return join(cbdir, '.xbr-edge', 'node.pid');
}

/** What the lock file holds. */
export interface NodeLockInfo {
  pid: number;
  /** ISO time the holder started. */
  started: string;
}

export interface NodeLock {
  readonly path: string;
  /** The pid of a stale lock this one replaced (0 when it was unreadable). */
  readonly tookOverFrom?: number;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

/** Whether a process with `pid` exists (EPERM: it exists, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** What the lock of `cbdir` says (whether or not its process still runs), or undefined. */
function readNodeLock(cbdir: string): NodeLockInfo | undefined {
  return readLock(nodeLockPath(cbdir));
}

/** The lock of `cbdir` when its process still runs (a node is running there), else undefined. */
export function liveNodeLock(cbdir: string): NodeLockInfo | undefined {
  const lock = readNodeLock(cbdir);
  return lock !== undefined && alive(lock.pid) ? lock : undefined;
}

function readLock(path: string): NodeLockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<NodeLockInfo>;
    return typeof v.pid === 'number' && Number.isSafeInteger(v.pid) && v.pid > 0 ? { pid: v.pid, started: String(v.started ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

function create(path: string, info: NodeLockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(info)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the lock of `cbdir` for this process.
 * @throws WampError `xbr.error.node_running` (a live controller holds it; the message names its pid), or
 *   `wamp.error.runtime_error` when the lock cannot be written.
 * @example const lock = acquireNodeLock(cbdir); process.on('exit', () => lock.release());
 */
export function acquireNodeLock(cbdir: string, pid = process.pid): NodeLock {
  const path = nodeLockPath(cbdir);
  mkdirSync(join(cbdir, '.xbr-edge'), { recursive: true });
  const info: NodeLockInfo = { pid, started: new Date().toISOString() };
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(path, info)) {
      let released = false;
      return {
        path,
        ...(tookOverFrom === undefined ? {} : { tookOverFrom }),
        release() {
          if (released) return;
          released = true;
          if (readLock(path)?.pid === pid) rmSync(path, { force: true });
        },
      };
    }
    const holder = readLock(path);
    if (holder !== undefined && holder.pid !== pid && alive(holder.pid)) {
      throw new WampError(
        XbrErrorUri.nodeRunning,
        `the node directory ${cbdir} is in use by the controller with pid ${holder.pid} (started ${holder.started}); stop it first (or remove ${path} if that pid is not an xbr-edge controller)`,
        { kwargs: { pid: holder.pid } },
      );
    }
    // Stale (its process is gone) or unreadable (a crash while writing it): move it aside, then try again.
    const aside = `${path}.stale-${pid}`;
    try {
      renameSync(path, aside);
      unlinkSync(aside);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
    }
    tookOverFrom = holder?.pid ?? 0;
  }
  throw new WampError(WampErrorUri.runtimeError, `could not take the node lock ${path}: another controller keeps taking it`);
}
