/**
 * Notices when the process that started this one is gone. npm does not pass SIGTERM on to the script it
 * runs (npm 11 exits 143 at once), so `kill <npm pid>` would otherwise leave the controller and every worker
 * running, orphaned, holding ports and DB locks; and a guest whose controller was SIGKILLed has no IPC channel
 * to tell it. An orphan is re-parented (to init or a subreaper), so a changed `process.ppid` means the parent
 * exited. Polled, because no event says so.
 */

/** How often the parent is checked (ms): the longest an orphan lives on. */
const PARENT_POLL_MS = 1000;

/**
 * Calls `onGone` once when the parent process exits. The timer does not keep the process alive.
 * @returns a function that stops watching.
 * @example watchParent(() => void controller.shutdown('the process that started the controller exited'));
 */
export function watchParent(onGone: () => void, pollMs = PARENT_POLL_MS): () => void {
  const parent = process.ppid;
  // Started by init (a service manager that runs us directly): there is no parent to lose.
  if (parent === 1) return () => {};
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
