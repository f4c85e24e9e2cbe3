/**
 * The consent part of a maker: `set_consent` (`consents-set.ts`), `get_consent` and `find_consents`
 * (spec §3.17–§3.19).
 *
 * Reads come from the worker-DB replica (the chain's `ConsentSet` events) and, for `get_consent`, also the
 * maker DB's record of a consent this maker just submitted (so a `get_consent` right after `set_consent`
 * sees it before the monitor replicated it); the newer (`updated` block) wins. `find_consents` is
 * implemented (the original raised NotImplementedError): consents of this market, optionally only of the
 * given members / delegates / catalogs and from a replication time on, oldest first, at most `limit`.
 * Catalog title, description and tag filters need the catalogs' IPFS metadata, which is not replicated yet:
 * they are refused rather than ignored.
 */
import { argumentError, describe } from '../../../schema/codec/argument.js';
import { addressArg, boolArg, intArg, listArg, nsTimeArg, optional, uuidArg } from '../../../schema/codec/guards.js';
import type { Uuid } from '../../../schema/codec/types.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import type { ConsentKey } from '../../../schema/db/consent-key.js';
import type { ActorType } from '../../../schema/db/records/chain.js';
import type { Consent } from '../../../schema/db/records/consent.js';
import { WampError } from '../../../schema/errors.js';
import { MarketMakerProcedure, XbrErrorUri } from '../../../schema/uris.js';
import type { MakerContext, MakerPartFactory, ProcedureCall } from '../../host/index.js';
import { sameBytes } from '../ledger/types.js';
import { hex0x, namedArgs } from './channels-args.js';
import { marshalConsent, type ConsentWire } from './consents-marshal.js';
import { setConsent } from './consents-set.js';

/** Default and largest `limit` of `find_consents`. */
export const FIND_CONSENTS_DEFAULT_LIMIT = 100;
export const FIND_CONSENTS_MAX_LIMIT = 1000;

/** `get_consent(market_oid, member, delegate, delegate_type, catalog_oid, include_attributes=False)`. */
export function getConsent(ctx: MakerContext, call: ProcedureCall): ConsentWire {
  const a = namedArgs('get_consent', call, ['market_oid', 'member', 'delegate', 'delegate_type', 'catalog_oid', 'include_attributes']);
  const k: ConsentKey = {
    market_oid: uuidArg('market_oid', a.market_oid),
    member: addressArg('member', a.member),
    delegate: addressArg('delegate', a.delegate),
    delegate_type: intArg('delegate_type', a.delegate_type, { min: 1, max: 3 }) as ActorType,
    catalog_oid: uuidArg('catalog_oid', a.catalog_oid),
  };
  if (a.include_attributes !== undefined && a.include_attributes !== null) boolArg('include_attributes', a.include_attributes);
  const replica = ctx.workerDb.consents.get(k);
  const submitted = ctx.makerDb.consents.get(k);
  const newest = [replica, submitted].filter((c): c is Consent => c !== undefined).sort((x, y) => Number((y.updated ?? 0n) - (x.updated ?? 0n)))[0];
  if (newest === undefined) {
    throw new WampError(XbrErrorUri.noSuchObject, `no consent of member ${hex0x(k.member)} for delegate ${hex0x(k.delegate)} (type ${k.delegate_type}) on catalog ${formatUuid(k.catalog_oid)} in market ${formatUuid(k.market_oid)}`);
  }
  return marshalConsent(newest);
}

const KWARGS = [
  'created_from', 'limit', 'include_owners', 'include_delegates', 'include_markets', 'include_apis', 'include_titles', 'include_descriptions', 'include_tags',
] as const;

const addresses = optional((name: string, v: unknown) => listArg(name, v, addressArg, { maxLength: 1000 }));
const uuids = optional((name: string, v: unknown) => listArg(name, v, uuidArg, { maxLength: 1000 }));

const inList = (list: readonly Uint8Array[] | undefined, v: Uint8Array): boolean => list === undefined || list.some((x) => sameBytes(x, v));

/** `find_consents(created_from=None, limit=None, include_owners=None, include_delegates=None, include_markets=None, include_apis=None, …)`. */
export function findConsents(ctx: MakerContext, call: ProcedureCall): ConsentWire[] {
  const a = namedArgs('find_consents', call, KWARGS);
  const createdFrom = a.created_from === undefined || a.created_from === null ? 0n : nsTimeArg('created_from', a.created_from);
  const limit = a.limit === undefined || a.limit === null ? FIND_CONSENTS_DEFAULT_LIMIT : intArg('limit', a.limit, { min: 1, max: FIND_CONSENTS_MAX_LIMIT });
  const owners = addresses('include_owners', a.include_owners);
  const delegates = addresses('include_delegates', a.include_delegates);
  // This maker serves one market: by default its consents; other markets only when asked for by id.
  const markets: Uuid[] = uuids('include_markets', a.include_markets) ?? [ctx.marketId];
  const catalogs = uuids('include_apis', a.include_apis);
  for (const name of ['include_titles', 'include_descriptions', 'include_tags'] as const) {
    const v = a[name];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) {
      throw argumentError(name, 'None (catalog metadata is not replicated, so it cannot be filtered on)', describe(v));
    }
  }
  const out: Consent[] = [];
  for (const { value: c } of ctx.workerDb.consents.range()) {
    if (c.timestamp < createdFrom || !inList(markets, c.market_oid) || !inList(owners, c.member) || !inList(delegates, c.delegate) || !inList(catalogs, c.catalog_oid)) continue;
    out.push(c);
  }
  out.sort((x, y) => (x.timestamp < y.timestamp ? -1 : x.timestamp > y.timestamp ? 1 : 0));
  return out.slice(0, limit).map(marshalConsent);
}

export const consentsPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [MarketMakerProcedure.setConsent]: async (call) => setConsent(ctx, call),
    [MarketMakerProcedure.getConsent]: async (call) => getConsent(ctx, call),
    [MarketMakerProcedure.findConsents]: async (call) => findConsents(ctx, call),
  },
});
