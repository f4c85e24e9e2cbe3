/**
 * When each file's next attempt runs, at most `concurrency` at a time.
 *
 * An in-memory mirror of the `next_retry_at` values in `ipfs_files` (the DB is the truth; the fetcher loads
 * it at start): one timer for the earliest due key, and a pump that starts due keys, earliest first, while
 * fewer than `concurrency` run. A key runs at most once at a time. While it runs, a new due time for it is
 * kept (the earliest wins) and applies once the run ended — so a `retryNow` during an attempt that then
 * fails is not lost behind the backoff the failure set.
 */

export interface SchedulerOptions {
  concurrency: number;
  /** Runs one attempt; must not throw (the fetcher records every outcome itself). */
  run(key: string, signal: AbortSignal): Promise<void>;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
  /** Called if `run` throws after all (a bug): the key is dropped from the schedule. */
  onRunError?: (key: string, err: unknown) => void;
}

// setTimeout takes at most 2^31−1 ms; farther due times are re-checked after this.
const MAX_TIMER_MS = 3_600_000;

export class Scheduler {
  private readonly due = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: SchedulerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Attempts running now. */
  get active(): number {
    return this.running.size;
  }

  /** Keys due now (or overdue) that wait for a free slot. */
  get waiting(): number {
    const t = this.now();
    let n = 0;
    for (const [k, at] of this.due) if (at <= t && !this.running.has(k)) n++;
    return n;
  }

  /** Whether `key` has an attempt running. */
  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  /** Starts running due keys (keys may be scheduled before). */
  start(): void {
    if (this.stopped) return;
    this.started = true;
    this.pump();
  }

  /**
   * Due at `atMs` (epoch ms). Replaces an earlier plan for an idle key; for a running key the earliest of the
   * plans made during the run applies after it.
   */
  schedule(key: string, atMs: number): void {
    if (this.stopped) return;
    const cur = this.due.get(key);
    this.due.set(key, this.running.has(key) && cur !== undefined ? Math.min(cur, atMs) : atMs);
    this.pump();
  }

  /** Forgets the plan for `key` (a running attempt goes on). */
  unschedule(key: string): void {
    this.due.delete(key);
  }

  /** Aborts the running attempts (their signal fires), waits for them, runs nothing more. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  private pump(): void {
    if (!this.started || this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const t = this.now();
    const ready = [...this.due].filter(([k, at]) => at <= t && !this.running.has(k)).sort((a, b) => a[1] - b[1]);
    for (const [key] of ready) {
      if (this.running.size >= this.opts.concurrency) break;
      this.due.delete(key);
      this.launch(key);
    }
    let next: number | undefined;
    for (const [k, at] of this.due) if (!this.running.has(k) && (next === undefined || at < next)) next = at;
    // With every slot busy, the next finishing run pumps again; a timer is only needed for a future key.
    if (next === undefined || (next <= t && this.running.size >= this.opts.concurrency)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.min(Math.max(0, next - t), MAX_TIMER_MS));
    // The worker's other handles keep it alive; a pending retry alone must not.
    this.timer.unref();
  }

  private launch(key: string): void {
    const p = (async () => {
      try {
        await this.opts.run(key, this.abort.signal);
      } catch (err) {
        this.due.delete(key);
        this.opts.onRunError?.(key, err);
      }
    })().finally(() => {
      this.running.delete(key);
      this.pump();
    });
    this.running.set(key, p);
  }
}
