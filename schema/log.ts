/**
 * Structured logging: one JSON object per line on stderr, so the controller, tests and operators can
 * filter by market, channel, offer or worker. Kept dependency-free because every process loads it
 * first, and bigint/Buffer fields (amounts, ids) must print without throwing.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function configuredLevel(): LogLevel {
  const env = process.env['XBR_LOG_LEVEL'];
  return env === 'debug' || env === 'info' || env === 'warn' || env === 'error' ? env : 'info';
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, ...('uri' in value ? { uri: value.uri } : {}) };
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return '0x' + Buffer.from((value as { data: number[] }).data).toString('hex');
  }
  return value;
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `bindings` (e.g. `{ worker: 'router1' }`, `{ market: ... }`). */
  child(bindings: LogFields): Logger;
}

export function createLogger(bindings: LogFields = {}, level: LogLevel = configuredLevel()): Logger {
  const min = rank[level];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (rank[lvl] < min) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: lvl, ...bindings, msg, ...fields }, jsonValue);
    process.stderr.write(line + '\n');
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (more) => createLogger({ ...bindings, ...more }, level),
  };
}
