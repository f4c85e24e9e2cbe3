/**
 * The IPFS files directory: verified content written atomically under a name derived from its CID.
 *
 * A write goes to a temp file in the same directory (so the rename cannot cross file systems), is fsynced,
 * renamed over the final name, and the directory is fsynced so the rename survives a crash. A reader thus
 * sees either no file or the whole verified file, never a torn one. The directory is created owner-only
 * (0700): the files are public content, but nobody else needs to write there.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { WampError, WampErrorUri } from '../../schema/index.js';

// Only names `checkCid` derives (base32 CIDv1) and our temp files are ever touched.
const NAME_RE = /^b[a-z2-7]{20,200}$/;
const TEMP_RE = /^\.b[a-z2-7]{20,200}\.\d+\.[0-9a-f]{16}\.tmp$/;

function pathIn(dir: string, name: string): string {
  if (!NAME_RE.test(name)) throw new WampError(WampErrorUri.invalidArgument, `IPFS file name ${JSON.stringify(name.slice(0, 80))} is not a base32 CID`);
  const full = join(dir, name);
  const rel = relative(dir, full);
  // Cannot fail for NAME_RE names; kept so that no future name scheme can write outside the directory.
  if (rel !== name || isAbsolute(rel)) throw new WampError(WampErrorUri.invalidArgument, `IPFS file name ${name} leaves the files directory`);
  return full;
}

/** The files directory, created (owner-only) when missing. */
export async function ensureDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Writes `bytes` as `<dir>/<name>` atomically (temp file, fsync, rename, directory fsync). Returns `name`,
 * the path relative to `dir` that the `ipfs_files` record keeps.
 */
export async function writeAtomically(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const target = pathIn(dir, name);
  await ensureDirectory(dir);
  const temp = join(dir, `.${name}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
  const fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
  return name;
}

async function syncDirectory(dir: string): Promise<void> {
  const d = await open(dir, constants.O_RDONLY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** The content stored as `name`, or undefined when the file is not there. */
export async function readStored(dir: string, name: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(pathIn(dir, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Whether `name` is stored. */
export async function isStored(dir: string, name: string): Promise<boolean> {
  try {
    return (await stat(pathIn(dir, name))).isFile();
  } catch {
    return false;
  }
}

/**
 * Removes temp files a crash left behind; returns how many. Only those older than `minAgeMs`, so a temp file
 * another worker sharing the directory is writing right now is left alone.
 */
export async function removeStaleTemps(dir: string, minAgeMs = 600_000): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const n of names) {
    if (!TEMP_RE.test(n)) continue;
    const p = join(dir, n);
    const st = await stat(p).catch(() => undefined);
    if (st === undefined || Date.now() - st.mtimeMs < minAgeMs) continue;
    await unlink(p).then(() => removed++, () => undefined);
  }
  return removed;
}
