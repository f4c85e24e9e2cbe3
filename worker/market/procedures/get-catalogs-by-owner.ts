/**
 * `get_catalogs_by_owner(owner_adr)` (docs/protocol.md#get-catalogs-by-owner): the caller's catalogs from the worker-DB replica, with
 * `meta_data` and the descriptions the IPFS fetcher parsed. Keeps the original's rule that only the owner may
 * list them (the caller must be the authenticated member `owner_adr`).
 */
import type { CatalogWithMetaResult } from '../../../schema/api/index.js';
import { addressArg } from '../../../schema/codec/index.js';
import { address, key } from '../../../schema/db/index.js';
import { WorkerIndex } from '../../../schema/db/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { withMeta } from './catalog-meta.js';
import { requireCallerMember } from './member-checks.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

/** `get_catalogs_by_owner(owner_adr)`: the caller's catalogs, oldest first. */
async function getCatalogsByOwner(ctx: MakerContext, call: ProcedureCall): Promise<CatalogWithMetaResult[]> {
  const a = namedArgs('get_catalogs_by_owner', call, ['owner_adr']);
  const owner = addressArg('owner_adr', a.owner_adr);
  requireCallerMember(call.details, owner, 'get_catalogs_by_owner for this owner');
  const catalogs = ctx.workerDb.catalogs.byIndex(WorkerIndex.catalogsByOwner, { prefix: key(address(owner)) });
  return Promise.all(catalogs.map(({ value }) => withMeta(ctx, value)));
}

export function getCatalogsByOwnerProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getCatalogsByOwner> {
  return async (call) => getCatalogsByOwner(ctx, call);
}
