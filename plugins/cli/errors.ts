/**
 * The CLI's failures and exit codes. An expected failure is a {@link CliError}: the entry prints its
 * message (no stack trace) and exits with its code. Anything else is a bug and prints its stack.
 */

/** Exit codes of `xbr-edge` and `npm run demo` (also listed in the README). */
export const ExitCode = {
  /** Done (or stopped with Ctrl-C and shut down cleanly). */
  ok: 0,
  /** The market, the chain or the data refused or failed (message says what). */
  failed: 1,
  /** Bad command line: unknown command or flag, bad value (usage printed). */
  usage: 2,
  /** The edge is not reachable: no devchain file, the router refuses connections, no market maker. */
  unreachable: 3,
  /** `xbr-edge admin audit` ran and found mismatches (the ledger disagrees with its purchases, their signatures or the chain). */
  mismatch: 4,
  /** A second Ctrl-C: exit at once without closing. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure: `message` is printed as `error: <message>`, the process exits with `code`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly code: ExitCode = ExitCode.failed,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad command line (exit 2, usage printed after the message). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** The edge is not there (exit 3). */
export function unreachable(message: string, cause?: unknown): CliError {
  return new CliError(message, ExitCode.unreachable, { cause });
}

/** A WAMP error (wampy's or a WampError) as "uri: message", or the error's message. */
export function describeError(err: unknown): string {
  if (err instanceof CliError) return err.message;
  const e = err as { uri?: unknown; errorUri?: unknown; argsList?: unknown[]; message?: unknown; error?: unknown; details?: { message?: unknown } };
  if (typeof e?.errorUri === 'string') {
    const msg = e.argsList?.[0];
    return typeof msg === 'string' ? `${e.errorUri}: ${msg}` : e.errorUri;
  }
  if (typeof e?.uri === 'string' && typeof e.message === 'string') return `${e.uri}: ${e.message}`;
  if (typeof e?.error === 'string') return typeof e.details?.message === 'string' ? `${e.error}: ${e.details.message}` : e.error;
  if (err instanceof Error) return err.message;
  return String(err);
}
