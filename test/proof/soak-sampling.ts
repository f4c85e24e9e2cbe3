/**
 * What the soak proof (soak.ts) samples of a running edge, and the figures it draws from the samples:
 * - per process, from `/proc/<pid>`: RSS, its anonymous part and the open fds; and, when the process runs with
 *   `--report-on-signal`, its V8 heap (used and committed) from a diagnostic report asked for with SIGUSR2;
 * - per LMDB environment, read-only from this process: the last page and the pages holding data;
 * - least-squares slopes over the samples after the warm-up.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';

/** The node option that makes a process write a diagnostic report on SIGUSR2 (into `--report-directory`). */
export const REPORT_OPTION = '--report-on-signal';

interface HeapSample {
  /** V8 heap in use (live objects and garbage not yet collected), MB. */
  readonly usedMb: number;
  /** V8 heap committed (what the heap holds of the RSS), MB. */
  readonly committedMb: number;
}

export interface ProcSample {
  /** Seconds since the load started. */
  readonly t: number;
  readonly rssKb: number;
  /** The anonymous part of the RSS: without mapped files (the LMDB map grows with the DB and is the page cache's). */
  readonly anonKb: number;
  readonly fds: number;
  heap?: HeapSample;
}

/** RSS and its anonymous part (kB) and open fds of `pid`, or undefined when it is gone. */
function procSample(pid: number): { rssKb: number; anonKb: number; fds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), anonKb: kb('RssAnon'), fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** Whether `pid` was started with {@link REPORT_OPTION} in NODE_OPTIONS (SIGUSR2 would end any other process). */
function writesReports(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').some((v) => v.startsWith('NODE_OPTIONS=') && v.includes(REPORT_OPTION));
  } catch {
    return false;
  }
}

/** One process watched: a sample per tick, its heap from the report it writes when asked. */
export class ProcessWatch {
  readonly samples: ProcSample[] = [];
  /** When the process was found gone (seconds since the load started). */
  goneAt: number | undefined;
  readonly reports: boolean;
  /** Samples whose report has not arrived yet, oldest first. */
  private readonly awaiting: ProcSample[] = [];

  constructor(
    readonly name: string,
    readonly pid: number,
  ) {
    this.reports = writesReports(pid);
  }

  /** Takes a sample at `t` and asks for a report; false when the process is gone. */
  sample(t: number): boolean {
    const s = procSample(this.pid);
    if (s === undefined) {
      this.goneAt ??= t;
      return false;
    }
    const sample: ProcSample = { t, ...s };
    this.samples.push(sample);
    if (this.reports) {
      try {
        process.kill(this.pid, 'SIGUSR2');
        this.awaiting.push(sample);
      } catch {
        this.goneAt ??= t;
      }
    }
    return true;
  }

  /** Gives a report that arrived to the oldest sample still waiting for one. */
  attach(heap: HeapSample): void {
    const s = this.awaiting.shift();
    if (s !== undefined) s.heap = heap;
  }

  get waiting(): number {
    return this.awaiting.length;
  }
}

interface Report {
  header: { processId: number };
  javascriptHeap: { usedMemory: number; totalCommittedMemory: number };
}

/**
 * Reads the reports written into `dir` so far, gives each to its process and deletes it. A report still being
 * written does not parse yet and is left for the next call.
 */
export function collectReports(dir: string, watches: readonly ProcessWatch[]): void {
  const byPid = new Map(watches.map((w) => [w.pid, w]));
  // names: report.<date>.<time>.<pid>.<thread>.<sequence>.json; the sequence orders one process's reports
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('report.') && f.endsWith('.json'))
    .sort((a, b) => Number(a.split('.')[5]) - Number(b.split('.')[5]));
  for (const f of files) {
    let r: Report;
    try {
      r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Report;
    } catch {
      continue;
    }
    rmSync(join(dir, f), { force: true });
    byPid.get(r.header.processId)?.attach({ usedMb: r.javascriptHeap.usedMemory / 2 ** 20, committedMb: r.javascriptHeap.totalCommittedMemory / 2 ** 20 });
  }
}

/** Least-squares slope of `v` over `t` (per second); 0 with fewer than two points. */
function slope(points: readonly { t: number; v: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.v - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const perHour = (points: readonly { t: number; v: number }[]): number => slope(points) * 3600;
const mb = (kb: number): number => kb / 1024;

/** Consecutive samples whose lowest heap use stands for the live heap of their stretch of time. */
const FLOOR_WINDOW = 5;

/** What the V8 heap shows after the warm-up (from the diagnostic reports). */
export interface HeapFigures {
  /**
   * The heap's floor: the lowest `used` of each {@link FLOOR_WINDOW} consecutive samples, i.e. what was left
   * after the last collection — the live objects. Garbage makes `used` itself swing by tens of MB between
   * samples; the floor moves only when what the process keeps does.
   */
  readonly floorWarmMb: number;
  readonly floorEndMb: number;
  readonly floorSlopeMbPerH: number;
  readonly committedWarmMb: number;
  readonly committedEndMb: number;
  /**
   * Anonymous RSS outside the V8 heap (anonymous RSS − heap committed): buffers, native allocations, stacks. V8
   * resizes its heap with the allocation rate — its young generation alone goes from 1 to 16 MB per semi-space
   * when the load rises — which is no leak, so it is taken out here.
   */
  readonly outsideWarmMb: number;
  readonly outsideEndMb: number;
  readonly outsideSlopeMbPerH: number;
}

/** One process's figures; "warm" is the first sample after the warm-up, slopes are over the samples after it. */
export interface ProcessFigures {
  readonly name: string;
  readonly pid: number;
  readonly rssStartMb: number;
  readonly rssWarmMb: number;
  readonly rssEndMb: number;
  readonly rssSlopeMbPerH: number;
  readonly anonWarmMb: number;
  readonly anonEndMb: number;
  readonly anonSlopeMbPerH: number;
  readonly heap: HeapFigures | undefined;
  readonly fdStart: number;
  readonly fdWarmupMax: number;
  readonly fdEnd: number;
  readonly fdSlopePerH: number;
}

function heapFigures(warm: readonly ProcSample[]): HeapFigures | undefined {
  const withHeap = warm.filter((s): s is ProcSample & { heap: HeapSample } => s.heap !== undefined);
  if (withHeap.length === 0) return undefined;
  const floors: { t: number; v: number }[] = [];
  for (let i = 0; i + FLOOR_WINDOW <= withHeap.length; i += FLOOR_WINDOW) {
    const w = withHeap.slice(i, i + FLOOR_WINDOW);
    floors.push({ t: w.reduce((a, s) => a + s.t, 0) / w.length, v: Math.min(...w.map((s) => s.heap.usedMb)) });
  }
  if (floors.length === 0) floors.push({ t: withHeap[0]!.t, v: Math.min(...withHeap.map((s) => s.heap.usedMb)) });
  const outside = withHeap.map((s) => ({ t: s.t, v: mb(s.anonKb) - s.heap.committedMb }));
  const first = withHeap[0]!;
  const last = withHeap[withHeap.length - 1]!;
  return {
    floorWarmMb: floors[0]!.v,
    floorEndMb: floors[floors.length - 1]!.v,
    floorSlopeMbPerH: perHour(floors),
    committedWarmMb: first.heap.committedMb,
    committedEndMb: last.heap.committedMb,
    outsideWarmMb: outside[0]!.v,
    outsideEndMb: outside[outside.length - 1]!.v,
    outsideSlopeMbPerH: perHour(outside),
  };
}

export function processFigures(w: ProcessWatch, warmup: number): ProcessFigures {
  const samples = w.samples;
  const warm = samples.filter((s) => s.t >= warmup);
  const during = samples.filter((s) => s.t < warmup);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const w0 = warm[0] ?? last;
  return {
    name: w.name,
    pid: w.pid,
    rssStartMb: mb(first.rssKb),
    rssWarmMb: mb(w0.rssKb),
    rssEndMb: mb(last.rssKb),
    rssSlopeMbPerH: perHour(warm.map((s) => ({ t: s.t, v: mb(s.rssKb) }))),
    anonWarmMb: mb(w0.anonKb),
    anonEndMb: mb(last.anonKb),
    anonSlopeMbPerH: perHour(warm.map((s) => ({ t: s.t, v: mb(s.anonKb) }))),
    heap: heapFigures(warm),
    fdStart: first.fds,
    fdWarmupMax: Math.max(...(during.length > 0 ? during : [first]).map((s) => s.fds)),
    fdEnd: last.fds,
    fdSlopePerH: perHour(warm.map((s) => ({ t: s.t, v: s.fds }))),
  };
}

export interface PageSample {
  readonly t: number;
  readonly pageSize: number;
  /** The environment's last page number (pages 0 … last are in the file). */
  readonly last: number;
  /** Pages holding data: the trees' pages (named DBs, main DB, free list) and the two meta pages. */
  readonly used: number;
}

/**
 * A read-only view of an LMDB environment another process writes (LMDB is made for that). The read transaction
 * lmdb-js takes for the stats ends with the event-loop turn, so the view never keeps the writer from reusing
 * pages for longer than a sample.
 */
export class LmdbView {
  private constructor(
    private readonly root: RootDatabase,
    private readonly dbs: readonly Database[],
  ) {}

  /** Opens the environment at `path` and every named DB it has now (the set is fixed once the DB is opened). */
  static open(path: string): LmdbView {
    const root = open({ path, readOnly: true, maxDbs: 64 });
    // names first, then the DBs: opening a DB while the key cursor is live ends the cursor's transaction under it
    const names = [...root.getKeys()].filter((k): k is string => typeof k === 'string');
    return new LmdbView(root, names.map((name) => root.openDB(name, { keyEncoding: 'binary', encoding: 'binary' })));
  }

  sample(t: number): PageSample {
    const s = this.root.getStats() as LmdbStats;
    let used = 2 + pages(s) + pages(s.free);
    for (const db of this.dbs) used += pages(db.getStats() as TreeStats);
    return { t, pageSize: s.pageSize, last: s.lastPageNumber, used };
  }

  close(): Promise<void> {
    return this.root.close();
  }
}

interface TreeStats {
  pageSize: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

interface LmdbStats extends TreeStats {
  lastPageNumber: number;
  free: TreeStats;
}

const pages = (s: TreeStats): number => s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;

/** One LMDB environment's page use; free pages = last + 1 − used. */
export interface LmdbFigures {
  readonly name: string;
  readonly pageSize: number;
  readonly lastStart: number;
  readonly lastWarm: number;
  readonly lastEnd: number;
  readonly usedStart: number;
  readonly usedWarm: number;
  readonly usedEnd: number;
  readonly freeWarmupMax: number;
  readonly freeEnd: number;
  readonly freeMax: number;
  readonly lastSlopePerH: number;
  readonly freeSlopePerH: number;
}

export function lmdbFigures(name: string, samples: readonly PageSample[], warmup: number): LmdbFigures {
  const free = (s: PageSample): number => s.last + 1 - s.used;
  const warm = samples.filter((s) => s.t >= warmup);
  const during = samples.filter((s) => s.t < warmup);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const w0 = warm[0] ?? last;
  return {
    name,
    pageSize: first.pageSize,
    lastStart: first.last,
    lastWarm: w0.last,
    lastEnd: last.last,
    usedStart: first.used,
    usedWarm: w0.used,
    usedEnd: last.used,
    freeWarmupMax: Math.max(...(during.length > 0 ? during : [first]).map(free)),
    freeEnd: free(last),
    freeMax: Math.max(...samples.map(free)),
    lastSlopePerH: perHour(warm.map((s) => ({ t: s.t, v: s.last }))),
    freeSlopePerH: perHour(warm.map((s) => ({ t: s.t, v: free(s) }))),
  };
}
