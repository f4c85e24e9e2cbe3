/**
 * `find_consents(...)` (docs/protocol.md#find-consents), implemented (the original raised NotImplementedError): consents of this
 * market (or of `include_markets`), replicated at or after `created_from`, oldest first, at most `limit`, read
 * from the worker-DB replica. Each `include_*` list keeps only the consents that match one of its items (an
 * empty list keeps none):
 * - `include_owners`: the consenting member — only the caller itself (a member finds its own consents);
 *   `include_delegates`: the delegate;
 * - `include_apis`: the consent's catalog, named by its own id or by the id of one of its APIs;
 * - `include_titles` / `include_descriptions`: a case-insensitive substring of the catalog's parsed title /
 *   description; `include_tags`: one of the catalog's tags (case-insensitive). A catalog whose description
 *   is not downloaded yet matches none of these three.
 */
import type { ConsentResult } from '../../../schema/api/index.js';
import { toHex as hex } from '../../../schema/codec/index.js';
import { sameBytes } from '../../../schema/codec/index.js';
import { addressArg, intArg, listArg, nsTimeArg, optional, stringArg, uuidArg } from '../../../schema/codec/index.js';
import type { Uuid } from '../../../schema/codec/index.js';
import type { Consent } from '../../../schema/db/index.js';
import type { RdfDescription } from '../../../schema/db/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { marshalConsent } from './marshal-consent.js';
import { requireCallerMember } from './member-checks.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

/** Default and largest `limit` of `find_consents`. */
const FIND_CONSENTS_DEFAULT_LIMIT = 100;
const FIND_CONSENTS_MAX_LIMIT = 1000;

const KWARGS = [
  'created_from', 'limit', 'include_owners', 'include_delegates', 'include_markets', 'include_apis', 'include_titles', 'include_descriptions', 'include_tags',
] as const;

const addresses = optional((name: string, v: unknown) => listArg(name, v, addressArg, { maxLength: 1000 }));
const uuids = optional((name: string, v: unknown) => listArg(name, v, uuidArg, { maxLength: 1000 }));

const inList = (list: readonly Uint8Array[] | undefined, v: Uint8Array): boolean => list === undefined || list.some((x) => sameBytes(x, v));

const texts = optional((name: string, v: unknown) => listArg(name, v, (n, x) => stringArg(n, x, { maxLength: 1000 }), { maxLength: 100 }));
const fold = (s: string): string => s.trim().toLocaleLowerCase('en');

/** Catalog filters of find_consents on the parsed descriptions; undefined lists filter nothing. */
interface CatalogTextFilter {
  titles?: string[];
  descriptions?: string[];
  tags?: string[];
}

function catalogMatches(d: RdfDescription | undefined, f: CatalogTextFilter): boolean {
  if (f.titles === undefined && f.descriptions === undefined && f.tags === undefined) return true;
  if (d === undefined) return false;
  if (f.titles !== undefined && !f.titles.some((t) => fold(d.title ?? '').includes(t))) return false;
  if (f.descriptions !== undefined && !f.descriptions.some((t) => fold(d.description ?? '').includes(t))) return false;
  if (f.tags !== undefined && !d.tags.some((t) => f.tags!.includes(fold(t)))) return false;
  return true;
}

/** The catalog ids `include_apis` names: each id itself, and the catalog of an API with that id. */
function catalogsOf(ctx: MakerContext, ids: readonly Uuid[] | undefined): Uuid[] | undefined {
  if (ids === undefined) return undefined;
  const out: Uuid[] = [];
  for (const id of ids) {
    out.push(id);
    const api = ctx.workerDb.apis.get(id);
    if (api !== undefined) out.push(api.catalog_oid);
  }
  return out;
}

/** `find_consents(created_from=None, limit=None, include_owners=None, include_delegates=None, include_markets=None, include_apis=None, …)`. */
function findConsents(ctx: MakerContext, call: ProcedureCall): ConsentResult[] {
  const a = namedArgs('find_consents', call, KWARGS);
  const createdFrom = a.created_from === undefined || a.created_from === null ? 0n : nsTimeArg('created_from', a.created_from);
  const limit = a.limit === undefined || a.limit === null ? FIND_CONSENTS_DEFAULT_LIMIT : intArg('limit', a.limit, { min: 1, max: FIND_CONSENTS_MAX_LIMIT });
  // A member finds its own consents: which delegates another member uses is not the caller's business.
  const caller = requireCallerMember(call.details, undefined, 'find_consents');
  const asked = addresses('include_owners', a.include_owners);
  const stranger = asked?.find((o) => !sameBytes(o, caller));
  if (stranger !== undefined) throw new WampError(WampErrorUri.notAuthorized, `find_consents: include_owners may name only the caller 0x${hex(caller)}, not 0x${hex(stranger)}`);
  const owners = asked !== undefined && asked.length === 0 ? [] : [caller];
  const delegates = addresses('include_delegates', a.include_delegates);
  // This maker serves one market: by default its consents; other markets only when asked for by id.
  const markets: Uuid[] = uuids('include_markets', a.include_markets) ?? [ctx.marketId];
  const catalogs = catalogsOf(ctx, uuids('include_apis', a.include_apis));
  const titles = texts('include_titles', a.include_titles)?.map(fold);
  const descriptions = texts('include_descriptions', a.include_descriptions)?.map(fold);
  const tags = texts('include_tags', a.include_tags)?.map(fold);
  const filter: CatalogTextFilter = {
    ...(titles === undefined ? {} : { titles }),
    ...(descriptions === undefined ? {} : { descriptions }),
    ...(tags === undefined ? {} : { tags }),
  };
  const out: Consent[] = [];
  for (const { value: c } of ctx.workerDb.consents.range()) {
    if (c.timestamp < createdFrom || !inList(markets, c.market_oid) || !inList(owners, c.member) || !inList(delegates, c.delegate) || !inList(catalogs, c.catalog_oid)) continue;
    if (!catalogMatches(ctx.workerDb.catalogs.get(c.catalog_oid)?.description, filter)) continue;
    out.push(c);
  }
  out.sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0));
  return out.slice(0, limit).map(marshalConsent);
}

export function findConsentsProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.findConsents> {
  return async (call) => findConsents(ctx, call);
}
