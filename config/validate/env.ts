/** The options every worker type shares: `title`, `log_level`, and `env` (which variables to inherit and which to set). */
import type { WorkerCommonOptions } from '../types.js';
import { logLevel, string } from './checks.js';
import { isRec, pathKey, type Ctx, type Rec } from './context.js';

/** The keys of a worker's `options` that {@link checkCommonOptions} reads. */
export const COMMON_OPTION_KEYS = ['title', 'env', 'log_level'] as const;

/** `title`, `env` and `log_level` of a worker's options `opt` (at `path`); undefined after reporting a problem. */
export function checkCommonOptions(c: Ctx, opt: Rec, path: string): WorkerCommonOptions | undefined {
  const title = c.field(opt, 'title', path, string(), undefined);
  const env = checkEnv(c, opt['env'], `${path}.env`);
  const log_level = c.field(opt, 'log_level', path, logLevel, undefined);
  if (env === undefined || (opt['title'] !== undefined && title === undefined) || (opt['log_level'] !== undefined && log_level === undefined)) {
    return undefined;
  }
  return { env, ...(title === undefined ? {} : { title }), ...(log_level === undefined ? {} : { log_level }) };
}

const ENV_NAME = /^[^=\0]+$/;

function checkEnv(c: Ctx, v: unknown, path: string): WorkerCommonOptions['env'] | undefined {
  if (v === undefined) return { inherit: true, vars: {} };
  const o = c.object(v, path, ['inherit', 'vars']);
  if (o === undefined) return undefined;
  let inherit: boolean | string[] | undefined = true;
  const inh = o['inherit'];
  if (inh !== undefined) {
    if (typeof inh === 'boolean') inherit = inh;
    else if (Array.isArray(inh)) {
      inherit = [];
      inh.forEach((name, i) => {
        if (typeof name === 'string' && ENV_NAME.test(name)) (inherit as string[]).push(name);
        else {
          c.mismatch(`${path}.inherit[${i}]`, 'an environment variable name (non-empty, without "=")', name);
          inherit = undefined;
        }
      });
    } else {
      c.mismatch(`${path}.inherit`, 'a boolean or an array of environment variable names', inh);
      inherit = undefined;
    }
  }
  let vars: Record<string, string> | undefined = {};
  if (o['vars'] !== undefined) {
    if (!isRec(o['vars'])) {
      c.mismatch(`${path}.vars`, 'an object mapping variable names to strings', o['vars']);
      vars = undefined;
    } else {
      for (const [name, value] of Object.entries(o['vars'])) {
        const p = pathKey(`${path}.vars`, name);
        if (!ENV_NAME.test(name)) {
          c.fail(p, `expected an environment variable name (non-empty, without "="), got ${JSON.stringify(name)}`);
          vars = undefined;
        } else if (typeof value !== 'string') {
          c.mismatch(p, 'a string', value);
          vars = undefined;
        } else if (vars !== undefined) {
          vars[name] = value;
        }
      }
    }
  }
  return inherit === undefined || vars === undefined ? undefined : { inherit, vars };
}
