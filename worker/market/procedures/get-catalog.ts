
import type { CatalogDetailResult } from '../../../schema/api/index.js';
import { uuidArg } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { key, uuid } from '../../../schema/db/index.js';
import { WorkerIndex } from '../../../schema/db/index.js';
import { WampError } from '../../../schema/index.js';
import { CrossbarErrorUri } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { withMeta } from './catalog-meta.js';
import { marshalApi } from './marshal-catalog.js';
import type { MarketMakerCatalogProcedure } from '../../../schema/index.js';

/** `get_catalog(catalog_oid)`: the catalog with `meta_data` and its APIs. */
async function getCatalog(ctx: MakerContext, call: ProcedureCall): Promise<CatalogDetailResult> {
  const a = namedArgs('get_catalog', call, ['catalog_oid']);
  const oid = uuidArg('catalog_oid', a.catalog_oid);
  const c = ctx.workerDb.catalogs.get(oid);
  if (c === undefined) throw new WampError(CrossbarErrorUri.noSuchObject, `no catalog ${formatUuid(oid)} (not created on chain, or not replicated yet)`);
  const apis = ctx.workerDb.apis.byIndex(WorkerIndex.apisByCatalog, { prefix: key(uuid(oid)) }).map(({ value }) => marshalApi(value));
  return { ...(await withMeta(ctx, c)), apis };
}

export function getCatalogProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerCatalogProcedure.getCatalog> {
  return async (call) => getCatalog(ctx, call);
}
