/**
 * The IPFS part of a maker (ours, for operators): `get_ipfs_status(limit=None)` — the worker's downloads
 * by status, the running and waiting ones and the `limit` soonest retries — and
 * `retry_ipfs_download(file_hash=None)` — one file, or every pending one, tried now instead of at its backoff
 * time; returns how many were scheduled. Both answer `xbr.error.ipfs_not_configured` on a worker without
 * `options.extra.ipfs`. Every maker of the worker shows the same fetcher.
 */
import { intArg, stringArg } from '../../../schema/codec/guards.js';
import { WampError } from '../../../schema/errors.js';
import { MarketMakerCatalogProcedure, XbrErrorUri } from '../../../schema/uris.js';
import type { IpfsControl, MakerContext, MakerPartFactory, ProcedureCall } from '../../host/index.js';
import { namedArgs } from './channels-args.js';

/** Largest `next_retries` list (the fetcher's own bound). */
export const IPFS_STATUS_MAX_LIMIT = 1000;

/** `get_ipfs_status` as sent over WAMP. */
export interface IpfsStatusWire {
  counts: Record<string, number>;
  active: number;
  waiting: number;
  next_retries: { file_hash: string; next_retry_at: bigint; retries: number; last_error: string | null }[];
}

function fetcherOf(ctx: MakerContext): IpfsControl {
  if (ctx.ipfs === undefined) throw new WampError(XbrErrorUri.ipfsNotConfigured, 'this market maker\'s worker has no IPFS fetcher (options.extra.ipfs is not configured)');
  return ctx.ipfs;
}

export function getIpfsStatus(ctx: MakerContext, call: ProcedureCall): IpfsStatusWire {
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

export async function retryIpfsDownload(ctx: MakerContext, call: ProcedureCall): Promise<number> {
  const a = namedArgs('retry_ipfs_download', call, ['file_hash']);
  // Any string a record may carry (invalid ones included, so the fetcher can say why it will not fetch it).
  const hash = a.file_hash === undefined || a.file_hash === null ? undefined : stringArg('file_hash', a.file_hash, { maxLength: 10_000, pattern: /^[\s\S]+$/ });
  return fetcherOf(ctx).retryNow(hash);
}

export const ipfsPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [MarketMakerCatalogProcedure.getIpfsStatus]: async (call) => getIpfsStatus(ctx, call),
    [MarketMakerCatalogProcedure.retryIpfsDownload]: async (call) => retryIpfsDownload(ctx, call),
  },
});
