/**
 * XBR EIP712: type data, generic and hot-path digests, native secp256k1 signing and recovery.
 */
export {
  XBR_DOMAIN,
  WMP_DOMAIN,
  XBR_TYPES,
  WMP_TYPES,
  ALL_TYPES,
  domainOf,
  type Eip712Field,
  type Eip712FieldType,
  type Eip712Domain,
  type XbrPrimaryType,
  type WmpPrimaryType,
  type PrimaryType,
  type MessageMap,
  type Bytes32,
  type SmallUint,
  type ChainBinding,
  type MemberRegisterMessage,
  type MemberUnregisterMessage,
  type DomainCreateMessage,
  type NodePairMessage,
  type CatalogCreateMessage,
  type ApiPublishMessage,
  type MarketCreateMessage,
  type MarketJoinMessage,
  type MarketLeaveMessage,
  type ConsentMessage,
  type ChannelOpenMessage,
  type ChannelCloseMessage,
  type MemberLoginMessage,
  type MarketMemberLoginMessage,
  type DelegateCertificateMessage,
  type AuthorityCertificateMessage,
} from './types.js';
export { encodeType, typeHash } from './typeHash.js';
export { EIP712_DOMAIN_TYPEHASH, computeDomainSeparator, xbrDomainSeparator, wmpDomainSeparator } from './domainSeparator.js';
export { typedDataDigest } from './digest.js';
export { hashStruct, compileStructHasher, type StructHasher } from './hashStruct.js';
export { hashTypedMessage } from './hashTypedMessage.js';
export { hashChannelClose } from './hashChannelClose.js';
export { hashChannelOpen } from './hashChannelOpen.js';
export { hashConsentOnChain, hashMarketLeaveOnChain, hashApiPublishOnChain } from './onChainDigests.js';
export { checkSignature, assertNonZeroAddress, type RecoverOptions, type CheckedSignature } from './signatureChecks.js';
export { signDigest } from './signDigest.js';
export { recoverDigestSigner } from './recoverDigestSigner.js';
export { sign } from './sign.js';
export { recoverSigner } from './recoverSigner.js';
export { channelCloseMessage, signChannelClose, recoverChannelClose, type MarketBinding } from './channelClose.js';
export { signChannelOpen, recoverChannelOpen } from './channelOpen.js';
export { secp256k1Backend } from './secp256k1.js';
export { keccak256, keccakUtf8 } from './keccak.js';
export {
  EIP712_OFFER_FIELDS,
  EIP712_OFFER_TYPE,
  hashOffer,
  offerMessage,
  recoverOfferSigner,
  signOffer,
  type OfferMessage,
  type OfferTerms,
} from './offer.js';
