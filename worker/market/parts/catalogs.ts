/**
 * The catalog part of a maker: `get_catalogs_by_owner` (spec §3.20) and ours, `get_catalog`, `get_api` and
 * `find_catalogs` (`catalogs-find.ts`), all read from the worker-DB replica with the descriptions the IPFS
 * fetcher parsed from the catalogs' and APIs' metadata.
 *
 * `get_catalogs_by_owner` keeps the original's rule that only the owner may list them (the caller must be
 * the authenticated member `owner_adr`) and its `meta_data` key: the text of the verified `meta` file once
 * downloaded, `""` before (or when the fetcher is not configured). Catalogs and APIs are public on chain, so
 * the other getters are open to every caller the router lets through.
 */
import { addressArg, uuidArg } from '../../../schema/codec/guards.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { key, uuid } from '../../../schema/db/keys.js';
import { address } from '../../../schema/db/keys.js';
import type { Catalog } from '../../../schema/db/index.js';
import { WorkerIndex } from '../../../schema/db/worker-db.js';
import { WampError } from '../../../schema/errors.js';
import { MarketMakerCatalogProcedure, MarketMakerProcedure, XbrErrorUri } from '../../../schema/uris.js';
import type { MakerContext, MakerPartFactory, ProcedureCall } from '../../host/index.js';
import { requireCallerMember } from './auth-member.js';
import { findCatalogs } from './catalogs-find.js';
import { marshalApi, marshalCatalog, type ApiWire, type CatalogWithMetaWire } from './catalogs-marshal.js';
import { namedArgs } from './channels-args.js';

/** Text of a verified metadata file, `""` when absent or not UTF-8 (the original returned the file's text). */
async function metaText(ctx: MakerContext, hash: string): Promise<string> {
  if (ctx.ipfs === undefined || hash === '') return '';
  const bytes = await ctx.ipfs.content(hash);
  if (bytes === undefined) return '';
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return '';
  }
}

async function withMeta(ctx: MakerContext, c: Catalog): Promise<CatalogWithMetaWire> {
  return { ...marshalCatalog(c), meta_data: await metaText(ctx, c.meta) };
}

/** `get_catalogs_by_owner(owner_adr)`: the caller's catalogs, oldest first. */
export async function getCatalogsByOwner(ctx: MakerContext, call: ProcedureCall): Promise<CatalogWithMetaWire[]> {
  const a = namedArgs('get_catalogs_by_owner', call, ['owner_adr']);
  const owner = addressArg('owner_adr', a.owner_adr);
  requireCallerMember(call.details, owner, 'get_catalogs_by_owner for this owner');
  const catalogs = ctx.workerDb.catalogs.byIndex(WorkerIndex.catalogsByOwner, { prefix: key(address(owner)) });
  return Promise.all(catalogs.map(({ value }) => withMeta(ctx, value)));
}

/** A catalog with its APIs, as `get_catalog` returns it. */
export interface CatalogDetailWire extends CatalogWithMetaWire {
  /** The catalog's APIs, oldest first. */
  apis: ApiWire[];
}

/** `get_catalog(catalog_oid)`: the catalog with `meta_data` and its APIs. */
export async function getCatalog(ctx: MakerContext, call: ProcedureCall): Promise<CatalogDetailWire> {
  const a = namedArgs('get_catalog', call, ['catalog_oid']);
  const oid = uuidArg('catalog_oid', a.catalog_oid);
  const c = ctx.workerDb.catalogs.get(oid);
  if (c === undefined) throw new WampError(XbrErrorUri.noSuchObject, `no catalog ${formatUuid(oid)} (not created on chain, or not replicated yet)`);
  const apis = ctx.workerDb.apis.byIndex(WorkerIndex.apisByCatalog, { prefix: key(uuid(oid)) }).map(({ value }) => marshalApi(value));
  return { ...(await withMeta(ctx, c)), apis };
}

/** `get_api(api_oid)`. */
export function getApi(ctx: MakerContext, call: ProcedureCall): ApiWire {
  const a = namedArgs('get_api', call, ['api_oid']);
  const oid = uuidArg('api_oid', a.api_oid);
  const api = ctx.workerDb.apis.get(oid);
  if (api === undefined) throw new WampError(XbrErrorUri.noSuchObject, `no API ${formatUuid(oid)} (not published on chain, or not replicated yet)`);
  return marshalApi(api);
}

export const catalogsPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [MarketMakerProcedure.getCatalogsByOwner]: async (call) => getCatalogsByOwner(ctx, call),
    [MarketMakerCatalogProcedure.getCatalog]: async (call) => getCatalog(ctx, call),
    [MarketMakerCatalogProcedure.getApi]: async (call) => getApi(ctx, call),
    [MarketMakerCatalogProcedure.findCatalogs]: async (call) => findCatalogs(ctx, call),
  },
});
