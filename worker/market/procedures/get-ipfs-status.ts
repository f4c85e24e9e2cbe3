/**
 * `get_ipfs_status(limit=None)` (ours, for operators): the worker's downloads by status, the running and
 * waiting ones and the `limit` soonest retries.
 */
import type { IpfsStatusResult } from '../../../schema/api/index.js';
import { intArg } from '../../../schema/codec/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { fetcherOf } from './ipfs-control.js';
import type { MarketMakerCatalogProcedure } from '../../../schema/index.js';

/** Largest `next_retries` list (the fetcher's own bound). */
const IPFS_STATUS_MAX_LIMIT = 1000;

function getIpfsStatus(ctx: MakerContext, call: ProcedureCall): IpfsStatusResult {
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

export function getIpfsStatusProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerCatalogProcedure.getIpfsStatus> {
  return async (call) => getIpfsStatus(ctx, call);
}
