/**
 * `set_consent` (docs/protocol.md#set-consent, fixed per docs/protocol.md#maker-defect-27): an authenticated member's EIP712Consent, submitted by the
 * maker with `XBRMarket.setConsentFor` — so the consent is the member's, not the maker's (the original
 * called `setConsent` for itself and never submitted the member's signature). The call returns once the
 * transaction is mined; the consent is then kept in the maker DB (`consents`, its own table — no slot mix-up)
 * and reaches the worker-DB replica through the chain monitor (triggered).
 */
import type { ConsentResult } from '../../../schema/api/index.js';
import { addressArg, boolArg, intArg, signatureArg, stringArg, uuidArg } from '../../../schema/codec/index.js';
import { argumentError, describe } from '../../../schema/codec/index.js';
import { sameBytes } from '../../../schema/codec/index.js';
import type { Address } from '../../../schema/codec/index.js';
import { nowNs } from '../../../schema/codec/index.js';
import type { ActorType } from '../../../schema/db/index.js';
import type { Consent } from '../../../schema/db/index.js';
import { recoverSigner } from '../../../schema/eip712/index.js';
import type { ConsentMessage } from '../../../schema/eip712/index.js';
import { WampError } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import { chainRead, encodeCall, toHex16, xbrInterfaces } from '../../chain/index.js';
import { namedArgs, type MakerContext, type ProcedureCall, type MakerHandler } from '../api/index.js';
import { invalidSignature } from '../ledger/index.js';
import { requireCallerMember } from './member-checks.js';
import { blockArg, checkBinding, checkPresignedBlock, hex0x } from './signed-args.js';
import { marshalConsent } from './marshal-consent.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

const NAMES = [
  'member_adr', 'market_oid', 'verifying_chain_id', 'current_block_number', 'verifying_contract_adr', 'delegate', 'delegate_type',
  'catalog_oid', 'consent', 'service_prefix', 'signature', 'attributes',
] as const;

/** Longest accepted service prefix (a WAMP URI prefix). */
const MAX_SERVICE_PREFIX = 255;

/** Runs `set_consent`; returns the stored consent (`Consent.marshal()`). */
async function setConsent(ctx: MakerContext, call: ProcedureCall): Promise<ConsentResult> {
  const a = namedArgs('set_consent', call, NAMES);
  const member = addressArg('member_adr', a.member_adr);
  requireCallerMember(call.details, member, 'set_consent for this member');
  const marketId = uuidArg('market_oid', a.market_oid);
  const contract = addressArg('verifying_contract_adr', a.verifying_contract_adr);
  checkBinding(ctx, { chainId: a.verifying_chain_id, contract, market: marketId });
  const updated = blockArg('current_block_number', a.current_block_number);
  const delegate = addressArg('delegate', a.delegate);
  if (delegate.every((b) => b === 0)) throw argumentError('delegate', 'a non-zero address', 'the zero address');
  const delegateType = intArg('delegate_type', a.delegate_type, { min: 1, max: 3 }) as ActorType;
  const catalogId = uuidArg('catalog_oid', a.catalog_oid);
  const consent = boolArg('consent', a.consent);
  const servicePrefix = stringArg('service_prefix', a.service_prefix, { maxLength: MAX_SERVICE_PREFIX });
  if (servicePrefix.length === 0) throw argumentError('service_prefix', 'a non-empty string', '""');
  const signature = signatureArg('signature', a.signature);
  if (a.attributes !== undefined && a.attributes !== null && (typeof a.attributes !== 'object' || Array.isArray(a.attributes))) {
    throw argumentError('attributes', 'a dict or None', describe(a.attributes));
  }

  const message: ConsentMessage = {
    chainId: ctx.verifyingChainId, verifyingContract: contract, member, updated, marketId, delegate, delegateType, apiCatalog: catalogId, consent, servicePrefix,
  };
  let signer: Address;
  try {
    signer = recoverSigner('EIP712Consent', message, signature);
  } catch (err) {
    throw invalidSignature(`EIP712 signature recovery failed (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (!sameBytes(signer, member)) throw invalidSignature(`EIP712 signature invalid: signed by ${hex0x(signer)}, not by the member ${hex0x(member)}`);
  checkPresignedBlock('current_block_number', updated, BigInt(await chainRead('the current block', () => ctx.provider.getBlockNumber())));

  const tx = encodeCall(xbrInterfaces.market, ctx.addresses.market, 'setConsentFor', [
    hex0x(member), updated, toHex16(marketId), hex0x(delegate), delegateType, toHex16(catalogId), consent, servicePrefix, hex0x(signature),
  ]);
  let txHash: string;
  try {
    txHash = (await ctx.sender.send({ ...tx, label: 'setConsentFor' })).receipt.hash;
  } catch (err) {
    const e = err instanceof WampError ? err : undefined;
    throw new WampError(XbrErrorUri.consentSetFail, `setConsentFor failed: ${err instanceof Error ? err.message : String(err)}`, {
      kwargs: { cause_uri: e?.uri ?? null, ...(e?.kwargs ?? {}) },
      cause: err,
    });
  }
  ctx.triggerChainMonitor();
  const record: Consent = {
    market_oid: marketId, member, delegate, delegate_type: delegateType, catalog_oid: catalogId, timestamp: nowNs(), updated, consent,
    service_prefix: servicePrefix, tid: Buffer.from(txHash.slice(2), 'hex') as never, signature, synced: true,
  };
  ctx.makerDb.env.writeSync(() => ctx.makerDb.consents.put(record, record));
  ctx.log.info('consent set', { member: hex0x(member), delegate: hex0x(delegate), delegate_type: delegateType, consent, tx: txHash });
  return marshalConsent(record);
}

export function setConsentProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.setConsent> {
  return async (call) => setConsent(ctx, call);
}
