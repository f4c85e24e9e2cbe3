/**
 * The xbrmm worker's `options.extra.ipfs`: the Kubo RPC API the IPFS fetcher downloads descriptions from,
 * where verified files go, and the bounds that keep a missing or hostile file from hurting the worker.
 */
import type { IpfsConfig } from '../types.js';
import { integer, nonEmptyString } from './checks.js';
import { REQUIRED, type Check, type Ctx } from './context.js';

const httpUrl: Check<string> = {
  expected: 'an http(s) URL of a Kubo RPC API, e.g. "http://127.0.0.1:5001/api/v0"',
  test: (v) => {
    if (typeof v !== 'string') return undefined;
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' ? v : undefined;
    } catch {
      return undefined;
    }
  },
};

const IPFS_DEFAULTS = { timeout: 10_000, max_size: 2 ** 20, concurrency: 4, retry_initial: 5_000, retry_max: 3_600_000 } as const;

export function checkIpfs(c: Ctx, v: unknown, path: string): IpfsConfig | undefined {
  const o = c.object(v, path, ['url', 'directory', 'timeout', 'max_size', 'concurrency', 'retry_initial', 'retry_max']);
  if (o === undefined) return undefined;
  const url = c.field(o, 'url', path, httpUrl, REQUIRED);
  const directory = c.field(o, 'directory', path, nonEmptyString, REQUIRED);
  const timeout = c.field(o, 'timeout', path, integer(100, 600_000), IPFS_DEFAULTS.timeout);
  const maxSize = c.field(o, 'max_size', path, integer(1, 2 ** 30), IPFS_DEFAULTS.max_size);
  const concurrency = c.field(o, 'concurrency', path, integer(1, 64), IPFS_DEFAULTS.concurrency);
  const retryInitial = c.field(o, 'retry_initial', path, integer(10, 86_400_000), IPFS_DEFAULTS.retry_initial);
  const retryMax = c.field(o, 'retry_max', path, integer(10, 7 * 86_400_000), IPFS_DEFAULTS.retry_max);
  if ([url, directory, timeout, maxSize, concurrency, retryInitial, retryMax].some((x) => x === undefined)) return undefined;
  if (retryMax! < retryInitial!) {
    c.fail(`${path}.retry_max`, `must be at least retry_initial (${retryInitial!} ms), got ${retryMax!}`);
    return undefined;
  }
  return {
    url: url!,
    directory: c.resolvePath(directory!),
    timeout: timeout!,
    max_size: maxSize!,
    concurrency: concurrency!,
    retry_initial: retryInitial!,
    retry_max: retryMax!,
  };
}
