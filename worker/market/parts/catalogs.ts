/**
 * The catalog part of a maker: `get_catalogs_by_owner` (docs/protocol.md#get-catalogs-by-owner) and ours, `get_catalog`, `get_api` and
 * `find_catalogs`, each in the file of worker/market/procedures named after it, all read from the worker-DB
 * replica with the descriptions the IPFS fetcher parsed from the catalogs' and APIs' metadata.
 *
 * `get_catalogs_by_owner` keeps the original's rule that only the owner may list them (the caller must be
 * the authenticated member `owner_adr`) and its `meta_data` key: the text of the verified `meta` file once
 * downloaded, `""` before (or when the fetcher is not configured). Catalogs and APIs are public on chain, so
 * the other getters are open to every caller the router lets through.
 */
import { MarketMakerCatalogProcedure, MarketMakerProcedure } from '../../../schema/index.js';
import type { MakerPartFactory } from '../api/index.js';
import { findCatalogsProcedure, getApiProcedure, getCatalogProcedure, getCatalogsByOwnerProcedure } from '../procedures/index.js';

export const catalogsPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [MarketMakerProcedure.getCatalogsByOwner]: getCatalogsByOwnerProcedure(ctx),
    [MarketMakerCatalogProcedure.getCatalog]: getCatalogProcedure(ctx),
    [MarketMakerCatalogProcedure.getApi]: getApiProcedure(ctx),
    [MarketMakerCatalogProcedure.findCatalogs]: findCatalogsProcedure(ctx),
  },
});
