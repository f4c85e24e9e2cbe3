/**
 * `retry_ipfs_download(file_hash=None)` (ours, for operators): one file, or every pending one, tried now
 * instead of at its backoff time; returns how many were scheduled.
 */
import { stringArg } from '../../../schema/codec/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { fetcherOf } from './ipfs-control.js';
import type { MarketMakerCatalogProcedure } from '../../../schema/index.js';

async function retryIpfsDownload(ctx: MakerContext, call: ProcedureCall): Promise<number> {
  const a = namedArgs('retry_ipfs_download', call, ['file_hash']);
  // Any string a record may carry (invalid ones included, so the fetcher can say why it will not fetch it).
  const hash = a.file_hash === undefined || a.file_hash === null ? undefined : stringArg('file_hash', a.file_hash, { maxLength: 10_000, pattern: /^[\s\S]+$/ });
  return fetcherOf(ctx).retryNow(hash);
}

export function retryIpfsDownloadProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerCatalogProcedure.retryIpfsDownload> {
  return async (call) => retryIpfsDownload(ctx, call);
}
