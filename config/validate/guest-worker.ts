/** A guest worker: executable, arguments and options (env, workdir, output, readiness, stop timeout). */
import type { GuestWorkerConfig } from '../types.js';
import { integer, nonEmptyString, number, oneOf } from './checks.js';
import { isRec, REQUIRED, type Ctx, type Rec } from './context.js';
import { checkCommonOptions, COMMON_OPTION_KEYS } from './env.js';

export function checkGuestWorker(c: Ctx, w: Rec, path: string, id: string | undefined): GuestWorkerConfig | undefined {
  c.object(w, path, ['type', 'id', 'executable', 'arguments', 'options']);
  let executable = c.field(w, 'executable', path, nonEmptyString, REQUIRED);
  // A path-like executable ("bin/x", "./x") is relative to cbdir, like every other path in the config.
  if (executable?.includes('/')) executable = c.resolvePath(executable);
  let args: string[] | undefined = [];
  if (w['arguments'] !== undefined) {
    const arr = c.array(w['arguments'], `${path}.arguments`, 'an array of strings');
    if (arr === undefined) args = undefined;
    else {
      arr.forEach((a, i) => {
        if (typeof a === 'string') args?.push(a);
        else {
          c.mismatch(`${path}.arguments[${i}]`, 'a string', a);
          args = undefined;
        }
      });
    }
  }
  const optPath = `${path}.options`;
  const opt =
    w['options'] === undefined
      ? {}
      : c.object(w['options'], optPath, [...COMMON_OPTION_KEYS, 'workdir', 'stdout', 'stderr', 'ready', 'stop_timeout']);
  let options: GuestWorkerConfig['options'] | undefined;
  if (opt !== undefined) {
    const common = checkCommonOptions(c, opt, optPath);
    const workdir = c.field(opt, 'workdir', optPath, nonEmptyString, c.cbdir);
    const stdout = c.field(opt, 'stdout', optPath, oneOf(['log', 'drop', 'close'] as const), 'log');
    const stderr = c.field(opt, 'stderr', optPath, oneOf(['log', 'drop', 'close'] as const), 'log');
    const ready = checkGuestReady(c, opt['ready'], `${optPath}.ready`);
    const stop_timeout = c.field(opt, 'stop_timeout', optPath, number(0, 40, true), 10);
    if (
      common !== undefined && workdir !== undefined && stdout !== undefined && stderr !== undefined && ready !== undefined &&
      stop_timeout !== undefined
    ) {
      options = { ...common, workdir: c.resolvePath(workdir), stdout, stderr, ready, stop_timeout };
    }
  }
  if (id === undefined || executable === undefined || args === undefined || options === undefined) return undefined;
  return { type: 'guest', id, executable, arguments: args, options };
}

function checkGuestReady(c: Ctx, v: unknown, path: string): GuestWorkerConfig['options']['ready'] | undefined {
  if (v === undefined) return { type: 'started' };
  if (!isRec(v)) {
    c.mismatch(path, 'an object {type: "started"} or {type: "tcp", host?, port}', v);
    return undefined;
  }
  const type = c.field(v, 'type', path, oneOf(['started', 'tcp'] as const), REQUIRED);
  if (type === 'started') {
    c.object(v, path, ['type']);
    return { type: 'started' };
  }
  if (type === 'tcp') {
    c.object(v, path, ['type', 'host', 'port']);
    const host = c.field(v, 'host', path, nonEmptyString, '127.0.0.1');
    const port = c.field(v, 'port', path, integer(1, 65535), REQUIRED);
    return host === undefined || port === undefined ? undefined : { type: 'tcp', host, port };
  }
  return undefined;
}
