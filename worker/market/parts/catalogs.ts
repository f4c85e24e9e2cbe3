/**
 * `get_catalogs_by_owner(owner_adr)` (spec §3.20): the catalogs the calling member owns, from the worker-DB
 * replica (`idx_catalogs_by_owner`, oldest first). Only the owner may list them (as the original), so the
 * caller must be the authenticated member `owner_adr`. `meta_data` is the catalog's metadata text once the
 * IPFS fetcher has stored it; until then (no fetcher runs yet) it is `""`, as the original returned for a
 * file it did not have.
 */
import { addressArg } from '../../../schema/codec/guards.js';
import { address, key } from '../../../schema/db/keys.js';
import { WorkerIndex } from '../../../schema/db/worker-db.js';
import { MarketMakerProcedure } from '../../../schema/uris.js';
import type { MakerContext, MakerPartFactory, ProcedureCall } from '../../host/index.js';
import { requireCallerMember } from './auth-member.js';
import { namedArgs } from './channels-args.js';
import { marshalCatalog, type CatalogWire } from './consents-marshal.js';

export function getCatalogsByOwner(ctx: MakerContext, call: ProcedureCall): CatalogWire[] {
  const a = namedArgs('get_catalogs_by_owner', call, ['owner_adr']);
  const owner = addressArg('owner_adr', a.owner_adr);
  requireCallerMember(call.details, owner, 'get_catalogs_by_owner for this owner');
  return ctx.workerDb.catalogs.byIndex(WorkerIndex.catalogsByOwner, { prefix: key(address(owner)) }).map(({ value }) => marshalCatalog(value, ''));
}

export const catalogsPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [MarketMakerProcedure.getCatalogsByOwner]: async (call) => getCatalogsByOwner(ctx, call),
  },
});
