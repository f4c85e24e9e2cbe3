/**
 * `get_ipfs_status(limit=None)` (ours, for operators): the worker's downloads by status, the running and
 * waiting ones and the `limit` soonest retries.
 */
import { intArg } from '../../../schema/codec/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type ProcedureHandler } from '../api/index.js';
import { fetcherOf } from './ipfs-control.js';

/** Largest `next_retries` list (the fetcher's own bound). */
const IPFS_STATUS_MAX_LIMIT = 1000;

/** `get_ipfs_status` as sent over WAMP. */
export interface IpfsStatusWire {
  counts: Record<string, number>;
  active: number;
  waiting: number;
  next_retries: { file_hash: string; next_retry_at: bigint; retries: number; last_error: string | null }[];
}

function getIpfsStatus(ctx: MakerContext, call: ProcedureCall): IpfsStatusWire {
  const a = namedArgs('get_ipfs_status', call, ['limit']);
  const limit = a.limit === undefined || a.limit === null ? undefined : intArg('limit', a.limit, { min: 1, max: IPFS_STATUS_MAX_LIMIT });
  const r = fetcherOf(ctx).status(limit);
  return {
    counts: { ...r.counts },
    active: r.active,
    waiting: r.waiting,
    next_retries: r.next_retries.map((n) => ({ file_hash: n.file_hash, next_retry_at: n.next_retry_at, retries: n.retries, last_error: n.last_error ?? null })),
  };
}

export function getIpfsStatusProcedure(ctx: MakerContext): ProcedureHandler {
  return async (call) => getIpfsStatus(ctx, call);
}
