/**
 * Digests the XBR contracts actually verify where they differ from the client EIP712 definition
 * (spec §7.2 "Consequences"). Sign these with `signDigest` to produce signatures the contracts accept:
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
 * Digest `XBRMarket.setConsentFor` verifies (not a well-formed EIP712 digest; wallets cannot produce it).
 * @example signDigest(hashConsentOnChain(msg), key32)
 */
export function hashConsentOnChain(message: ConsentMessage): Hash32 {
  return typedDataDigest(SEPARATOR, consent(message));
}

/**
 * Digest `XBRMarket.leaveMarketFor` verifies (MarketJoin type hash over the MarketLeave fields).
 * @example signDigest(hashMarketLeaveOnChain(msg), key32)
 */
export function hashMarketLeaveOnChain(message: MarketLeaveMessage): Hash32 {
  return typedDataDigest(SEPARATOR, marketLeave(message));
}

/**
 * Digest `XBRCatalog.publishApiFor` verifies (field named `terms`; `message.schema` is its value).
 * @example signDigest(hashApiPublishOnChain(msg), key32)
 */
export function hashApiPublishOnChain(message: ApiPublishMessage): Hash32 {
  return typedDataDigest(SEPARATOR, apiPublish(message));
}
