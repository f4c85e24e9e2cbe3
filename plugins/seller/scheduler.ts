/**
 * The timer a key series rotates by, passed in so tests drive rotation by hand instead of sleeping.
 * The system one never keeps the process alive (timers are unref'd): the seller's WAMP connection is
 * what keeps a seller running, a pending key rotation alone must not.
 */

/** A scheduled callback that can be cancelled (cancelling twice, or after it ran, is harmless). */
export interface ScheduledTask {
  cancel(): void;
}

/** Runs `fn` once after `ms` milliseconds. */
export interface Scheduler {
  schedule(ms: number, fn: () => void): ScheduledTask;
}

// Node clamps larger delays to 1 ms (with a warning), which would rotate keys in a tight loop.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real scheduler on `setTimeout`, unref'd; delays beyond ~24.8 days are split into several timers.
 * @example const task = systemScheduler.schedule(60_000, rotate); task.cancel();
 */
export const systemScheduler: Scheduler = {
  schedule(ms, fn) {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (remaining: number): void => {
      const step = Math.min(remaining, MAX_TIMER_MS);
      timer = setTimeout(() => {
        if (cancelled) return;
        if (remaining > step) arm(remaining - step);
        else fn();
      }, step);
      timer.unref();
    };
    arm(Math.max(0, ms));
    return {
      cancel() {
        cancelled = true;
        if (timer !== undefined) clearTimeout(timer);
      },
    };
  },
};
