/**
 * `find_catalogs(owner=None, tags=None, text=None, limit=None)` (ours): catalogs of the replica whose
 * parsed description matches — every tag in `tags` among the catalog's tags (case-insensitive), `text` in
 * its title or description (case-insensitive substring) — optionally of one owner; oldest first, at most
 * `limit` (default {@link FIND_CATALOGS_DEFAULT_LIMIT}, at most {@link FIND_CATALOGS_MAX_LIMIT}). Without
 * `tags` and `text` every catalog matches, including those whose description is not downloaded yet.
 */
import type { CatalogResult } from '../../../schema/api/index.js';
import { addressArg, intArg, listArg, optional, stringArg } from '../../../schema/codec/index.js';
import { address, key } from '../../../schema/db/index.js';
import type { Catalog, RdfDescription } from '../../../schema/db/index.js';
import { WorkerIndex } from '../../../schema/db/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { marshalCatalog } from './marshal-catalog.js';
import type { MarketMakerCatalogProcedure } from '../../../schema/index.js';

const FIND_CATALOGS_DEFAULT_LIMIT = 10;
const FIND_CATALOGS_MAX_LIMIT = 1000;

const nonEmpty = /^[\s\S]*\S[\s\S]*$/;
const tagList = optional((name: string, v: unknown) => listArg(name, v, (n, x) => stringArg(n, x, { maxLength: 200, pattern: nonEmpty }), { maxLength: 100 }));
const textArg = optional((name: string, v: unknown) => stringArg(name, v, { maxLength: 1000, pattern: nonEmpty }));

const fold = (s: string): string => s.trim().toLocaleLowerCase('en');

/** Whether description `d` carries every tag of `tags` (folded) and contains `text` (folded) in its title or description. */
function descriptionMatches(d: RdfDescription | undefined, tags: readonly string[] | undefined, text: string | undefined): boolean {
  if (tags === undefined && text === undefined) return true;
  if (d === undefined) return false;
  if (tags !== undefined) {
    const have = new Set(d.tags.map(fold));
    if (!tags.every((t) => have.has(t))) return false;
  }
  if (text !== undefined && !fold(d.title ?? '').includes(text) && !fold(d.description ?? '').includes(text)) return false;
  return true;
}

function findCatalogs(ctx: MakerContext, call: ProcedureCall): CatalogResult[] {
  const a = namedArgs('find_catalogs', call, ['owner', 'tags', 'text', 'limit']);
  const owner = optional(addressArg)('owner', a.owner);
  const tags = tagList('tags', a.tags)?.map(fold);
  const text = textArg('text', a.text);
  const limit = a.limit === undefined || a.limit === null ? FIND_CATALOGS_DEFAULT_LIMIT : intArg('limit', a.limit, { min: 1, max: FIND_CATALOGS_MAX_LIMIT });
  const all: Catalog[] =
    owner === undefined
      ? ctx.workerDb.catalogs.range().map((e) => e.value).sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0))
      : ctx.workerDb.catalogs.byIndex(WorkerIndex.catalogsByOwner, { prefix: key(address(owner)) }).map((e) => e.value);
  const out: CatalogResult[] = [];
  for (const c of all) {
    if (out.length >= limit) break;
    if (descriptionMatches(c.description, tags, text === undefined ? undefined : fold(text))) out.push(marshalCatalog(c));
  }
  return out;
}

export function findCatalogsProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerCatalogProcedure.findCatalogs> {
  return async (call) => findCatalogs(ctx, call);
}
