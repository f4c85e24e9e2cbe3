/**
 * The `meta_data` of a catalog as `get_catalogs_by_owner` (docs/protocol.md#get-catalogs-by-owner) and `get_catalog` return it: the text
 * of the verified `meta` file once the IPFS fetcher downloaded it, `""` before (or when the fetcher is not
 * configured) — the original's key.
 */
import type { CatalogWithMetaResult } from '../../../schema/api/index.js';
import type { Catalog } from '../../../schema/db/index.js';
import type { MakerContext } from '../api/index.js';
import { marshalCatalog } from './marshal-catalog.js';

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

/** `c` with its `meta_data`. */
export async function withMeta(ctx: MakerContext, c: Catalog): Promise<CatalogWithMetaResult> {
  return { ...marshalCatalog(c), meta_data: await metaText(ctx, c.meta) };
}
