/**
 * Takes group and other permissions off a file or directory that holds secrets (docs/protocol.md#trust-model-secrets
 * private"): directories end up at most 0700, files at most 0600. New files get these modes by construction
 * (the controller and the guests run with umask 077); this is for what an older version left loose.
 *
 * - Only tightens: bits are cleared, never set (a 0400 key stays 0400, a 0640 file becomes 0600).
 * - Never follows a symbolic link: each path is opened with O_NOFOLLOW and changed through that descriptor
 *   (fchmod), so a link planted at a secret's name cannot make us change the mode of its target, not even by
 *   swapping the file between a check and the change. Links are left as they are.
 * - A path that does not exist (yet) is no problem: the node creates it later, owner-only.
 * - A failure (not the owner, read-only file system) is logged as a warning and reported, never thrown: a
 *   node whose old files cannot be tightened still runs, as it did before.
 *
 * Opening and closing a file drops the POSIX record locks this *process* holds on it, so call this before the
 * process opens its own LMDB environments (the controller and the IPFS guest open none).
 */
import { closeSync, constants, fchmodSync, fstatSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WampError } from './errors.js';
import { WampErrorUri } from './error-uris.js';
import type { Logger } from './log.js';

/** Most a directory holding secrets may allow: its owner only. */
const PRIVATE_DIRECTORY_MODE = 0o700;
/** Most a file holding secrets may allow: read and write by its owner only. */
const PRIVATE_FILE_MODE = 0o600;

export interface TightenOwnerOnlyOptions {
  /** Also tighten everything below a directory (not following links). Default false. */
  recursive?: boolean;
  /** Receives one info line per changed path (`{path, from, to}`) and one warning per failure. */
  log: Logger;
}

/** One mode change, as logged: octal strings such as `'0644'` → `'0600'`. */
export interface ModeChange {
  path: string;
  from: string;
  to: string;
}

export interface TightenOwnerOnlyResult {
  changed: ModeChange[];
  /** Symbolic links met (at `path` or, recursively, below it): left alone. */
  links: string[];
  /** Paths whose mode could not be read or changed (each also logged as a warning). */
  failed: { path: string; error: WampError }[];
}

const octal = (mode: number): string => mode.toString(8).padStart(4, '0');
const errnoCode = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

type Kind = 'directory' | 'file' | 'absent' | 'other';

/**
 * Tightens `path` (and with `recursive` the tree below it) to owner-only; see the module comment.
 * @example tightenOwnerOnly('/srv/node/.xbr-edge/ipfs-repo', { recursive: true, log });
 */
export function tightenOwnerOnly(path: string, options: TightenOwnerOnlyOptions): TightenOwnerOnlyResult {
  const result: TightenOwnerOnlyResult = { changed: [], links: [], failed: [] };
  const pending = [path];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const kind = tightenOne(next, options.log, result);
    if (kind === 'directory' && options.recursive === true) pending.push(...childrenOf(next, options.log, result));
  }
  return result;
}

/** Tightens one path through an O_NOFOLLOW descriptor and tells what it was. */
function tightenOne(path: string, log: Logger, result: TightenOwnerOnlyResult): Kind {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted at a secret's name must not hang the start.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return 'absent';
    if (code === 'ELOOP') {
      result.links.push(path);
      log.info('not tightening a symbolic link', { path });
      return 'other';
    }
    // A Unix socket cannot be opened; sockets get their mode when they are bound (from the umask).
    if (code === 'ENXIO') return 'other';
    fail(path, 'cannot open', err, log, result);
    return 'other';
  }
  try {
    const stat = fstatSync(fd);
    const kind: Kind = stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : 'other';
    if (kind === 'other') return kind;
    const from = stat.mode & 0o7777;
    const to = from & (kind === 'directory' ? PRIVATE_DIRECTORY_MODE : PRIVATE_FILE_MODE);
    if (to !== from) {
      fchmodSync(fd, to);
      const change = { path, from: octal(from), to: octal(to) };
      result.changed.push(change);
      log.info('tightened file mode', change);
    }
    return kind;
  } catch (err) {
    fail(path, 'cannot tighten the mode of', err, log, result);
    return 'other';
  } finally {
    closeSync(fd);
  }
}

function childrenOf(dir: string, log: Logger, result: TightenOwnerOnlyResult): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const child = join(dir, entry.name);
      if (!entry.isSymbolicLink()) return [child];
      result.links.push(child);
      log.info('not tightening a symbolic link', { path: child });
      return [];
    });
  } catch (err) {
    fail(dir, 'cannot list', err, log, result);
    return [];
  }
}

function fail(path: string, what: string, err: unknown, log: Logger, result: TightenOwnerOnlyResult): void {
  const error = new WampError(WampErrorUri.runtimeError, `${what} ${path}: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
    kwargs: { path },
  });
  result.failed.push({ path, error });
  log.warn('could not make a private path owner-only; it keeps its mode', { path, error });
}
