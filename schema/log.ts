/**
 * Structured logging through pino: one JSON object per line on stderr (fd 2, written synchronously, so a
 * process killed right after a line still leaves it), so the controller, tests and operators can filter by
 * market, channel, offer or worker. A line is `{"level":"info","time":"<ISO>",<bindings>,"msg":"...",<fields>}`.
 *
 * Values print without throwing: bigints as decimal strings, bytes (Buffer, Uint8Array) as `0x` hex, errors
 * as `{name, message, uri?}` (with `stack` when the logger's level is `debug`), cycles as `"[Circular]"`.
 * Fields that hold secrets ({@link SECRET_FIELDS}) are replaced by `"[redacted]"` at the top level and one
 * level down. A level below the logger's is a no-op: nothing is formatted.
 *
 * The level: `XBR_LOG_LEVEL` in the environment wins, then the configured level, then `info`
 * ({@link logLevelOf}); docs/operations.md#logs.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function isLogLevel(v: unknown): v is LogLevel {
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error';
}

/** The level of a process: a valid `XBR_LOG_LEVEL` in `env` wins over `configured`; default `info`. */
export function logLevelOf(configured?: LogLevel, env: NodeJS.ProcessEnv = process.env): LogLevel {
  const fromEnv = env['XBR_LOG_LEVEL'];
  return isLogLevel(fromEnv) ? fromEnv : (configured ?? 'info');
}

/**
 * Field names that hold secret bytes: the maker's Ethereum key (`privateKey`), a delegate's Ed25519 key
 * (`delegateKey`) and login seed, sealed-box and WAMP-CRA secrets, WAMP tickets, a seller's data keys.
 * `key` is not among them: in our logs it is a key id (UUID). `sealed_key` is not either: it is sealed to
 * the buyer's public key.
 */
const SECRET_FIELDS = [
  'privateKey', 'private_key', 'delegateKey', 'delegate_key', 'loginSeed', 'login_seed', 'seed',
  'secret', 'secretKey', 'secret_key', 'password', 'ticket', 'dataKey', 'data_key', 'mnemonic',
] as const;
const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]);

/** Nesting below this depth prints as "[Object]" (a log line is not a dump). */
const MAX_DEPTH = 8;

function errorValue(e: Error, withStack: boolean): LogFields {
  const out: LogFields = { name: e.name, message: e.message };
  const uri = (e as { uri?: unknown }).uri;
  if (uri !== undefined) out['uri'] = uri;
  if (withStack && e.stack !== undefined) out['stack'] = e.stack;
  return out;
}

/** `v` as plain JSON data (see the header); `parents` holds the objects being walked, to cut cycles. */
function plain(v: unknown, withStack: boolean, parents: object[]): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (v instanceof Error) return errorValue(v, withStack);
  if (parents.includes(v)) return '[Circular]';
  if (parents.length >= MAX_DEPTH) return '[Object]';
  parents.push(v);
  try {
    if (Array.isArray(v)) return v.map((x) => plain(x, withStack, parents));
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return plain(toJSON.call(v), withStack, parents);
    const out: LogFields = {};
    for (const k of Object.keys(v)) out[k] = plain((v as LogFields)[k], withStack, parents);
    return out;
  } catch {
    return '[unreadable]';
  } finally {
    parents.pop();
  }
}

function plainFields(o: LogFields, withStack: boolean): LogFields {
  try {
    return plain(o, withStack, []) as LogFields;
  } catch {
    return { log_error: 'the fields of this line could not be read' };
  }
}

/**
 * `process.stderr`, which Node writes synchronously to files and pipes on Linux, so a line is out before the next
 * statement runs (a SIGKILL right after it loses nothing). Written through `process.stderr.write` rather than
 * a second handle on fd 2, so lines keep their order with anything else the process writes there, and a
 * process-wide hook on it (test fixtures) sees every line.
 */
const stderr: DestinationStream = {
  write(line: string): void {
    process.stderr.write(line);
  },
};

/** Where every logger writes. */
function destination(): DestinationStream {
  return stderr;
}

const roots = new Map<LogLevel, PinoLogger>();

function root(level: LogLevel): PinoLogger {
  let r = roots.get(level);
  if (r === undefined) {
    const withStack = level === 'debug';
    r = pino(
      {
        level,
        base: null,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: {
          level: (label) => ({ level: label }),
          log: (o) => plainFields(o, withStack),
        },
        // Errors are already plain objects (above); pino's own error serializer would add stacks.
        serializers: { err: (e: unknown) => e },
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      },
      destination(),
    );
    roots.set(level, r);
  }
  return r;
}

export interface Logger {
  /** Whether debug lines are written: a hot path skips building a debug line's fields when they are not. */
  readonly debugEnabled: boolean;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `bindings` (e.g. `{ worker: 'router1' }`, `{ market: ... }`). */
  child(bindings: LogFields): Logger;
}

const noop = (): void => undefined;

function wrap(p: PinoLogger, withStack: boolean): Logger {
  const at = (level: LogLevel): Logger[LogLevel] => {
    if (!p.isLevelEnabled(level)) return noop;
    return (msg, fields) => {
      try {
        // `msg` first, as an ordinary key, so that it precedes the fields on the line.
        p[level](fields === undefined ? { msg } : { msg, ...fields });
      } catch {
        // Logging never throws.
      }
    };
  };
  return {
    debugEnabled: p.isLevelEnabled('debug'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => {
      try {
        // pino's `formatters.bindings` does not see a child's bindings: they are made plain here.
        return wrap(p.child(plainFields(bindings, withStack)), withStack);
      } catch {
        return wrap(p, withStack);
      }
    },
  };
}

/** A logger writing to stderr at `level` (default: {@link logLevelOf} with no configured level). */
export function createLogger(bindings: LogFields = {}, level: LogLevel = logLevelOf()): Logger {
  return wrap(root(level), level === 'debug').child(bindings);
}
