/**
 * `get_consent(market_oid, member, delegate, delegate_type, catalog_oid, include_attributes=False)` (docs/protocol.md#get-consent):
 * one consent of the caller. Read from the worker-DB replica (the chain's `ConsentSet` events) and from the
 * maker DB's record of a consent this maker just submitted (so a `get_consent` right after `set_consent` sees
 * it before the monitor replicated it); the newer (`updated` block) wins.
 */
import type { ConsentResult } from '../../../schema/api/index.js';
import { addressArg, boolArg, intArg, uuidArg } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import type { ConsentKey } from '../../../schema/db/index.js';
import type { ActorType } from '../../../schema/db/index.js';
import type { Consent } from '../../../schema/db/index.js';
import { WampError } from '../../../schema/index.js';
import { CrossbarErrorUri } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { marshalConsent } from './marshal-consent.js';
import { requireCallerMember } from './member-checks.js';
import { hex0x } from './signed-args.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

/** `get_consent(market_oid, member, delegate, delegate_type, catalog_oid, include_attributes=False)`. */
function getConsent(ctx: MakerContext, call: ProcedureCall): ConsentResult {
  const a = namedArgs('get_consent', call, ['market_oid', 'member', 'delegate', 'delegate_type', 'catalog_oid', 'include_attributes']);
  const k: ConsentKey = {
    market_oid: uuidArg('market_oid', a.market_oid),
    member: addressArg('member', a.member),
    delegate: addressArg('delegate', a.delegate),
    delegate_type: intArg('delegate_type', a.delegate_type, { min: 1, max: 3 }) as ActorType,
    catalog_oid: uuidArg('catalog_oid', a.catalog_oid),
  };
  requireCallerMember(call.details, k.member, 'get_consent of this member');
  if (a.include_attributes !== undefined && a.include_attributes !== null) boolArg('include_attributes', a.include_attributes);
  const replica = ctx.workerDb.consents.get(k);
  const submitted = ctx.makerDb.consents.get(k);
  const newest = [replica, submitted].filter((c): c is Consent => c !== undefined).sort((x, y) => Number((y.updated ?? 0n) - (x.updated ?? 0n)))[0];
  if (newest === undefined) {
    throw new WampError(CrossbarErrorUri.noSuchObject, `no consent of member ${hex0x(k.member)} for delegate ${hex0x(k.delegate)} (type ${k.delegate_type}) on catalog ${formatUuid(k.catalog_oid)} in market ${formatUuid(k.market_oid)}`);
  }
  return marshalConsent(newest);
}

export function getConsentProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getConsent> {
  return async (call) => getConsent(ctx, call);
}
