/**
 * Reading `router-config.json` and resolving the node directory from the command line, as
 * Crossbar does: `--cbdir DIR` (default: the current directory) and `--config PATH` (default
 * `router-config.json`, relative to cbdir).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseLossless } from 'lossless-json';
import type { ConfigError } from './validate.js';

export type LoadConfigFileResult = { raw: unknown } | { errors: ConfigError[] };

/**
 * Reads and parses a JSON config file. Problems come back as one config error at `$` whose message
 * names the file and, for syntax errors, the line and column (duplicate keys are syntax errors too:
 * `JSON.parse` would silently keep the last one).
 *
 * @example
 * const loaded = loadConfigFile('/srv/node/router-config.json');
 * if ('errors' in loaded) ... else validateNodeConfig(loaded.raw, { cbdir: '/srv/node' });
 */
export function loadConfigFile(path: string): LoadConfigFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'file not found'
      : code === 'EACCES' ? 'permission denied'
      : code === 'EISDIR' ? 'is a directory'
      : err instanceof Error ? err.message : String(err);
    return { errors: [{ path: '$', message: `cannot read config file ${path}: ${why}` }] };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    // lossless-json reports the position of a syntax error (V8's JSON.parse often does not) and
    // rejects duplicate keys; the value itself comes from JSON.parse (plain numbers).
    parseLossless(text, undefined, (s: string) => Number(s));
    return { raw: JSON.parse(text) as unknown };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const m = /at position (\d+)/.exec(message);
    if (m !== null) {
      const { line, column } = lineColumn(text, Number(m[1]));
      const reason = message.replace(/\s*at position \d+\s*$/, '').replace(/ at position \d+/, '');
      return { errors: [{ path: '$', message: `invalid JSON in ${path} at line ${line}, column ${column}: ${reason}` }] };
    }
    return { errors: [{ path: '$', message: `invalid JSON in ${path}: ${message}` }] };
  }
}

/** 1-based line and column of a string offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

const USAGE = `usage: npm start -- [--cbdir DIR] [--config PATH] [--fresh]

  --cbdir DIR     node directory; relative paths in the config resolve against it (default: .)
  --config PATH   node configuration, relative to the node directory (default: router-config.json)
  --fresh         start the embedded dev chain anew (deletes its state; the maker's databases of the
                  old chain are discarded); later starts keep the new chain
  --help          show this help
`;

export type NodePaths =
  | { kind: 'run'; cbdir: string; config: string }
  | { kind: 'help'; usage: string }
  | { kind: 'error'; message: string; usage: string };

/**
 * Parses the controller's flags. `--flag value` and `--flag=value` are both accepted.
 *
 * @example
 * resolveNodePaths(['--cbdir', '/srv/node'])  // { kind: 'run', cbdir: '/srv/node', config: '/srv/node/router-config.json' }
 */
export function resolveNodePaths(argv: readonly string[], cwd: string = process.cwd()): NodePaths {
  const values: { cbdir?: string; config?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help', usage: USAGE };
    const m = /^--(cbdir|config)(?:=(.*))?$/.exec(arg);
    if (m === null) return { kind: 'error', message: `unknown argument ${JSON.stringify(arg)}`, usage: USAGE };
    const name = m[1] as 'cbdir' | 'config';
    let value = m[2];
    if (value === undefined) {
      value = argv[i + 1];
      i++;
      if (value === undefined || value.startsWith('--')) {
        return { kind: 'error', message: `--${name} needs a value`, usage: USAGE };
      }
    }
    if (value === '') return { kind: 'error', message: `--${name} needs a non-empty value`, usage: USAGE };
    if (values[name] !== undefined) return { kind: 'error', message: `--${name} given twice`, usage: USAGE };
    values[name] = value;
  }
  const cbdir = resolve(cwd, values.cbdir ?? '.');
  const configArg = values.config ?? 'router-config.json';
  const config = isAbsolute(configArg) ? configArg : resolve(cbdir, configArg);
  return { kind: 'run', cbdir, config };
}
