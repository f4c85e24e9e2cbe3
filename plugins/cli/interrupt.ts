/**
 * Ctrl-C handling: the first SIGINT (or SIGTERM) asks the command to stop and clean up (close channels,
 * revoke offers, leave the realm); a second SIGINT exits at once with 130.
 */
import { ExitCode } from './errors.js';

export interface Interrupt {
  /** Whether a stop was asked for. */
  readonly requested: boolean;
  /** Resolves when a stop is asked for. */
  readonly signal: Promise<void>;
  /** Sleeps `ms`; resolves `true` at once when a stop is asked for meanwhile. */
  sleep(ms: number): Promise<boolean>;
  dispose(): void;
}

export function watchInterrupt(onFirst?: () => void): Interrupt {
  let requested = false;
  let resolve!: () => void;
  const signal = new Promise<void>((r) => (resolve = r));
  const first = (): void => {
    if (requested) return;
    requested = true;
    onFirst?.();
    resolve();
  };
  const onInt = (): void => {
    if (requested) process.exit(ExitCode.interrupted);
    first();
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', first);
  return {
    get requested() {
      return requested;
    },
    signal,
    async sleep(ms) {
      let timer: NodeJS.Timeout | undefined;
      const slept = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
      const r = await Promise.race([slept, signal.then(() => true)]);
      clearTimeout(timer);
      return r;
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', first);
    },
  };
}
