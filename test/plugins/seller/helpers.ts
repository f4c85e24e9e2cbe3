/** Test fixtures for the seller: a hand-driven scheduler/clock, hook gates, temp dirs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScheduledTask, Scheduler } from '../../../plugins/seller/index.js';

/** A scheduler whose time only moves when the test calls {@link ManualScheduler.advance}. */
export class ManualScheduler implements Scheduler {
  nowMs = 1_700_000_000_000;
  readonly #tasks: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  #seq = 0;

  schedule(ms: number, fn: () => void): ScheduledTask {
    const task = { at: this.nowMs + ms, seq: this.#seq++, fn, cancelled: false };
    this.#tasks.push(task);
    return {
      cancel: () => {
        task.cancelled = true;
      },
    };
  }

  /** The clock in ns, for `now` options. */
  readonly now = (): bigint => BigInt(this.nowMs) * 1_000_000n;

  /** Timers still armed. */
  get pending(): number {
    return this.#tasks.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward, running due timers in order. */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      const due = this.#tasks.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.nowMs = due.at;
      due.fn();
    }
    this.nowMs = until;
  }
}

/** A promise the test resolves or rejects by hand. */
export function gate(): { promise: Promise<void>; open: () => void; fail: (err: Error) => void } {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

/** Lets pending promise reactions run. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

export function tempDir(prefix = 'xbr-seller-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
