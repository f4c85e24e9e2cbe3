/**
 * The IPFS part of a maker (ours, for operators), each procedure in the file of worker/market/procedures named
 * after it: `get_ipfs_status(limit=None)` — the worker's downloads by status, the running and waiting ones and
 * the `limit` soonest retries — and `retry_ipfs_download(file_hash=None)` — one file, or every pending one,
 * tried now instead of at its backoff time; returns how many were scheduled. Both answer
 * `xbr.error.ipfs_not_configured` on a worker without `options.extra.ipfs`. Every maker of the worker shows
 * the same fetcher.
 */
import { MarketMakerCatalogProcedure } from '../../../schema/index.js';
import type { MakerPartFactory } from '../api/index.js';
import { getIpfsStatusProcedure, retryIpfsDownloadProcedure } from '../procedures/index.js';

export const ipfsPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [MarketMakerCatalogProcedure.getIpfsStatus]: getIpfsStatusProcedure(ctx),
    [MarketMakerCatalogProcedure.retryIpfsDownload]: retryIpfsDownloadProcedure(ctx),
  },
});
