/**
 * The worker's IPFS fetcher as the operator procedures (`get_ipfs_status`, `retry_ipfs_download`) reach it:
 * every maker of the worker shows the same fetcher, and a worker without `options.extra.ipfs` answers
 * `xbr.error.ipfs_not_configured`.
 */
import { WampError } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import type { IpfsControl, MakerContext } from '../api/index.js';

/** The fetcher of `ctx`, or `xbr.error.ipfs_not_configured`. */
export function fetcherOf(ctx: MakerContext): IpfsControl {
  if (ctx.ipfs === undefined) throw new WampError(XbrErrorUri.ipfsNotConfigured, 'this market maker\'s worker has no IPFS fetcher (options.extra.ipfs is not configured)');
  return ctx.ipfs;
}
