/**
 * The journal of a persistent dev chain: `<state dir>/journal`, one JSON object per line.
 *
 * Line 1 is the {@link JournalHeader} (which chain the journal replays onto: chain id, hardfork, genesis hash).
 * Every further line is an entry:
 * - an {@link RpcEntry}: one state-changing JSON-RPC request as the chain executed it — method, params, the
 *   timestamp of the first block it mined (`t`), and the head after it (`n`, `h`, to verify a replay);
 * - a {@link NoteEntry}: a named value the chain's owner keeps with the chain (the deployment of
 *   `devchain-main.ts`), so that it is as durable as the chain itself and never describes another chain.
 *
 * Each entry is appended with one `write` and made durable (`fdatasync`) before the request it records is
 * answered. A crash can therefore leave only a torn *last* line, for a request nobody got an answer to: the
 * reader drops it with a warning (and cuts it off the file, so the next entry starts on a line of its own).
 * A line that cannot be read anywhere else means the file was damaged: the reader refuses it.
 *
 * `<state dir>/lock` holds the pid of the process using the directory (one chain per state directory).
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** Name of the journal file in the state directory. */
export const JOURNAL_FILE = 'journal';
/** Name of the lock file in the state directory. */
const LOCK_FILE = 'lock';
/** What the header's `journal` field says. */
export const JOURNAL_KIND = 'xbr-edge devchain journal';
export const JOURNAL_VERSION = 1;

/** First line of the journal. */
export interface JournalHeader {
  readonly journal: typeof JOURNAL_KIND;
  readonly version: typeof JOURNAL_VERSION;
  readonly chainId: number;
  readonly hardfork: string;
  /** Hash of block 0: the genesis the entries replay onto (fixed by `hardhat.config.cjs`). */
  readonly genesisHash: string;
  /** `web3_clientVersion` of the chain that wrote it (informational). */
  readonly client: string;
  /** ISO time the state was created. */
  readonly created: string;
}

/** One state-changing JSON-RPC request as executed. */
export interface RpcEntry {
  /** Method. */
  readonly m: string;
  /** Params. */
  readonly p: unknown[];
  /** Timestamp (s) of the first block the request mined; absent when it mined none. */
  readonly t?: number;
  /** Number of the head block after the request. */
  readonly n: number;
  /** Hash of the head block after the request. */
  readonly h: string;
  /** The request failed although it changed the chain (hardhat mines a reverted transaction and answers with an error). */
  readonly e?: string;
}

/** A named value kept with the chain. */
export interface NoteEntry {
  readonly note: string;
  readonly value: unknown;
}

export type JournalEntry = RpcEntry | NoteEntry;

export const isNote = (e: JournalEntry): e is NoteEntry => 'note' in e;

/** What {@link readJournal} found. */
export interface JournalContents {
  readonly header: JournalHeader;
  readonly entries: JournalEntry[];
  /** Bytes of a torn last line that were cut off (0 if none). */
  readonly tornBytes: number;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function parseHeader(line: string, path: string): JournalHeader {
  let h: Partial<JournalHeader>;
  try {
    h = JSON.parse(line) as Partial<JournalHeader>;
  } catch {
    throw new Error(`${path}: line 1 is not a journal header`);
  }
  if (h === null || typeof h !== 'object' || h.journal !== JOURNAL_KIND) throw new Error(`${path}: not a dev chain journal (line 1: ${line.slice(0, 80)})`);
  if (h.version !== JOURNAL_VERSION) throw new Error(`${path}: journal version ${String(h.version)}, this build reads version ${JOURNAL_VERSION}`);
  if (typeof h.chainId !== 'number' || typeof h.hardfork !== 'string' || typeof h.genesisHash !== 'string') throw new Error(`${path}: incomplete journal header`);
  return h as JournalHeader;
}

function parseEntry(line: string): JournalEntry | undefined {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    if (typeof v['note'] === 'string' && 'value' in v) return v as unknown as NoteEntry;
    if (typeof v['m'] === 'string' && Array.isArray(v['p']) && typeof v['n'] === 'number' && typeof v['h'] === 'string') return v as unknown as RpcEntry;
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the journal at `path`. Undefined when there is none, or when it holds no complete header (a state
 * whose creation was interrupted: start it anew). A torn last line is cut off the file and reported through
 * `warn`; any other unreadable line throws.
 */
export function readJournal(path: string, warn: (message: string) => void = () => undefined): JournalContents | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  // text ends with '\n' when the last write completed: the last element is then ''
  let tail = lines.pop() ?? '';
  let tornBytes = Buffer.byteLength(tail);
  // a complete last line that does not parse is torn too (a crash that extended the file without its data)
  const last = lines.length > 1 ? lines[lines.length - 1] : undefined;
  if (last !== undefined && parseEntry(last) === undefined) {
    lines.pop();
    tail = last + '\n' + tail;
    tornBytes = Buffer.byteLength(tail);
  }
  const headerLine = lines[0];
  if (headerLine === undefined) return undefined;
  const header = parseHeader(headerLine, path);
  const entries: JournalEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const e = parseEntry(lines[i]!);
    if (e === undefined) throw new Error(`${path}: line ${i + 1} is damaged (not a journal entry): ${lines[i]!.slice(0, 120)}`);
    entries.push(e);
  }
  if (tornBytes > 0) {
    warn(`${path}: dropped a torn last entry (${tornBytes} bytes, written by a process that stopped before it answered the request)`);
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, Buffer.byteLength(text) - tornBytes);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return { header, entries, tornBytes };
}

/** Appends entries to a journal, each durable before `append` returns. */
export class JournalWriter {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Creates a new journal with `header` (atomically: tmp file, fsync, rename, fsync of the directory). */
  static create(path: string, dir: string, header: JournalHeader): JournalWriter {
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(header) + '\n');
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    fsyncDir(dir);
    return JournalWriter.open(path);
  }

  /** Opens an existing journal for appending. */
  static open(path: string): JournalWriter {
    return new JournalWriter(path, openSync(path, 'a', 0o600));
  }

  /** Appends one entry as one line and makes it durable. Throws if the journal is closed or cannot be written. */
  append(entry: JournalEntry): void {
    if (this.fd === undefined) throw new Error(`${this.path}: journal closed`);
    const line = Buffer.from(JSON.stringify(entry) + '\n', 'utf8');
    let off = 0;
    while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
    fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/lock` for this process (creating `dir`, mode 0700, when missing). Throws if another live process
 * holds it; a lock of a process that no longer runs is taken over. Returns the release function.
 */
export function lockStateDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new Error(`the dev chain state ${dir} is in use by process ${pid} (its lock file ${lock})`);
      }
      rmSync(lock, { force: true });
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (Number.parseInt(readFileSync(lock, 'utf8'), 10) === process.pid) rmSync(lock, { force: true });
    } catch {
      // already gone
    }
  };
}

/**
 * Deletes the state directory `dir` (a fresh chain on the next start) — refused, like {@link lockStateDir},
 * while another live process uses it.
 */
export function removeStateDir(dir: string): void {
  if (!existsSync(dir)) return;
  lockStateDir(dir);
  rmSync(dir, { recursive: true, force: true });
}
