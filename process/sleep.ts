/**
 * The one sleep of the node's processes. Unlike `node:timers/promises` `setTimeout` with a signal, an
 * abort does not reject: it ends the sleep early and the caller's loop sees the abort on its next check
 * (the controller's restart delay, the sender's polling, the maker session's reconnects rely on that).
 */

/** Resolves after `ms`, or at once when `signal` aborts (or has already aborted). Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
