/**
 * Digests the ORIGINAL XBR contracts verified where they differ from the client EIP712 definition
 * (docs/protocol.md#eip712-legacy-digests "Consequences"), for talking to deployments of the original contracts. Our contracts fix
 * these defects and verify the standard encoding (`sign()`). Sign these with `signDigest`:
 * - Consent: type hash without `string servicePrefix`, but `keccak256(servicePrefix)` still appended;
 * - MarketLeave: the *MarketJoin* type hash over the six MarketLeave fields;
 * - ApiPublish: the type string with `string terms` in place of `string schema` (same values).
 */
import type { Hash32 } from '../codec/types.js';
import { typedDataDigest } from './digest.js';
import { xbrDomainSeparator } from './domainSeparator.js';
import { compileStructHasher } from './hashStruct.js';
import { keccakUtf8 } from './keccak.js';
import { typeHashRef } from './typeHash.js';
import { XBR_TYPES, type ApiPublishMessage, type ConsentMessage, type MarketLeaveMessage } from './types.js';

const SEPARATOR = xbrDomainSeparator();
const consent = compileStructHasher(
  'EIP712Consent',
  keccakUtf8(
    'EIP712Consent(uint256 chainId,address verifyingContract,address member,uint256 updated,bytes16 marketId,address delegate,uint8 delegateType,bytes16 apiCatalog,bool consent)',
  ),
  XBR_TYPES.EIP712Consent,
);
const marketLeave = compileStructHasher('EIP712MarketLeave', typeHashRef('EIP712MarketJoin'), XBR_TYPES.EIP712MarketLeave);
const apiPublish = compileStructHasher(
  'EIP712ApiPublish',
  keccakUtf8(
    'EIP712ApiPublish(uint256 chainId,address verifyingContract,address member,uint256 published,bytes16 catalogId,bytes16 apiId,string terms,string meta)',
  ),
  XBR_TYPES.EIP712ApiPublish,
);

/**
 * Digest the ORIGINAL `XBRMarket.setConsentFor` verified (not a well-formed EIP712 digest; wallets cannot
 * produce it). Our contracts verify the standard encoding: sign with `sign('EIP712Consent', …)`.
 * @example signDigest(hashConsentOnChain(msg), key32)
 */
export function hashConsentOnChain(message: ConsentMessage): Hash32 {
  return typedDataDigest(SEPARATOR, consent(message));
}

/**
 * Digest the ORIGINAL `XBRMarket.leaveMarketFor` verified (MarketJoin type hash over the MarketLeave
 * fields). Our contracts verify the standard encoding: sign with `sign('EIP712MarketLeave', …)`.
 * @example signDigest(hashMarketLeaveOnChain(msg), key32)
 */
export function hashMarketLeaveOnChain(message: MarketLeaveMessage): Hash32 {
  return typedDataDigest(SEPARATOR, marketLeave(message));
}

/**
 * Digest the ORIGINAL `XBRCatalog.publishApiFor` verified (field named `terms`; `message.schema` is its
 * value). Our XBRCatalog verifies the standard encoding: sign with `sign('EIP712ApiPublish', …)`.
 * @example signDigest(hashApiPublishOnChain(msg), key32)
 */
export function hashApiPublishOnChain(message: ApiPublishMessage): Hash32 {
  return typedDataDigest(SEPARATOR, apiPublish(message));
}
