/**
 * A small tmpfs to fill up: tests of what the node does when its disk is full mount one (root only), put a DB
 * on it, fill it with a file until the kernel says ENOSPC, and delete the file to give the space back.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MOUNT = '/usr/bin/mount';
const UMOUNT = '/usr/bin/umount';

export interface Tmpfs {
  readonly dir: string;
  /** Writes `<dir>/filler` until the file system is full; returns the bytes written. */
  fill(): number;
  /** Deletes the filler: the space is back. */
  free(): void;
  /** Unmounts (lazily if still busy) and removes the mount point. */
  unmount(): void;
}

/** A mounted tmpfs of `sizeMiB`, or why none can be mounted here (not root, no mount command, …). */
export function mountTmpfs(sizeMiB: number, prefix = 'xbr-tmpfs-'): Tmpfs | { skipped: string } {
  const uid = process.getuid?.();
  if (uid !== 0) return { skipped: `mounting a tmpfs needs root; this process runs as uid ${uid ?? 'unknown'}` };
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const r = spawnSync(MOUNT, ['-t', 'tmpfs', '-o', `size=${sizeMiB}M`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmdirSync(dir);
    return { skipped: `${MOUNT} -t tmpfs failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim()}` };
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      let bytes = 0;
      try {
        // Big chunks first, then small ones for the last partial block.
        for (const chunk of [Buffer.alloc(1 << 20, 1), Buffer.alloc(4096, 1)]) {
          for (;;) {
            try {
              bytes += writeSync(fd, chunk);
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
              break;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return bytes;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      let u = spawnSync(UMOUNT, [dir], { encoding: 'utf8' });
      if (u.status !== 0) u = spawnSync(UMOUNT, ['-l', dir], { encoding: 'utf8' });
      if (u.status !== 0) throw new Error(`cannot unmount the tmpfs at ${dir}: ${u.stderr.trim()}`);
      rmdirSync(dir);
    },
  };
}
