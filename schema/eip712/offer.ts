/**
 * The seller delegate's signature over an offer. The original never signed offers (65 random bytes,
 * docs/protocol.md#maker-defect-9), so there is no original type: `EIP712Offer` is ours, built like the other XBR
 * types (domain `{name: 'XBR', version: '1'}`, `chainId` and `verifyingContract` first, docs/protocol.md#differences):
 *
 * `EIP712Offer(uint256 chainId,address verifyingContract,bytes16 marketId,bytes16 keyId,bytes16 apiId,
 *  string uri,uint256 validFrom,address delegate,uint256 price,bool dynamicPrice,uint256 expires,uint32 copies)`
 *
 * It binds what a buyer pays for and when: `validFrom` as sent (0 allowed), `price` 0 and
 * `dynamicPrice` true for dynamic pricing, `expires` 0 for never, `copies` 0 for unlimited. `marketId`
 * stops replay of an offer in another market. Categories are descriptive (query filters) and not signed.
 */
import type { Address, Amount, Hash32, NsTime, Signature65, Uuid } from '../codec/types.js';
import { typedDataDigest } from './digest.js';
import { xbrDomainSeparator } from './domainSeparator.js';
import { compileStructHasher } from './hashStruct.js';
import { keccakUtf8 } from './keccak.js';
import { recoverDigestSigner } from './recoverDigestSigner.js';
import { signDigest } from './signDigest.js';
import { encodeType } from './typeHash.js';
import type { Eip712Field } from './types.js';

/** Fields of `EIP712Offer`, in order. */
export const EIP712_OFFER_FIELDS: readonly Eip712Field[] = Object.freeze([
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
  { name: 'marketId', type: 'bytes16' },
  { name: 'keyId', type: 'bytes16' },
  { name: 'apiId', type: 'bytes16' },
  { name: 'uri', type: 'string' },
  { name: 'validFrom', type: 'uint256' },
  { name: 'delegate', type: 'address' },
  { name: 'price', type: 'uint256' },
  { name: 'dynamicPrice', type: 'bool' },
  { name: 'expires', type: 'uint256' },
  { name: 'copies', type: 'uint32' },
] satisfies Eip712Field[]);

/** The `EIP712Offer` type string. */
export const EIP712_OFFER_TYPE = encodeType('EIP712Offer', EIP712_OFFER_FIELDS);

const hashOfferStruct = compileStructHasher('EIP712Offer', keccakUtf8(EIP712_OFFER_TYPE), EIP712_OFFER_FIELDS);
const XBR_SEPARATOR = xbrDomainSeparator();

/** What an offer's message and its `place_offer` terms share: which key, where, from whom, from when. */
interface OfferIdentity {
  readonly chainId: bigint;
  readonly verifyingContract: Address;
  readonly marketId: Uuid;
  readonly keyId: Uuid;
  readonly apiId: Uuid;
  readonly uri: string;
  readonly validFrom: NsTime;
  readonly delegate: Address;
}

/** An `EIP712Offer` message. */
export interface OfferMessage extends OfferIdentity {
  readonly price: Amount;
  readonly dynamicPrice: boolean;
  /** 0: never. */
  readonly expires: NsTime;
  /** 0: unlimited. */
  readonly copies: number;
}

/** The offer's terms as the optional-valued fields of `place_offer` (what both sides build the message from). */
export interface OfferTerms extends OfferIdentity {
  /** `null`: dynamic pricing. */
  readonly price: Amount | null;
  readonly expires?: NsTime | undefined;
  readonly copies?: number | undefined;
}

/** Maps optional terms to the message: absent values become 0 (and `dynamicPrice` marks a `null` price). */
export function offerMessage(terms: OfferTerms): OfferMessage {
  return {
    chainId: terms.chainId,
    verifyingContract: terms.verifyingContract,
    marketId: terms.marketId,
    keyId: terms.keyId,
    apiId: terms.apiId,
    uri: terms.uri,
    validFrom: terms.validFrom,
    delegate: terms.delegate,
    price: terms.price ?? 0n,
    dynamicPrice: terms.price === null,
    expires: terms.expires ?? 0n,
    copies: terms.copies ?? 0,
  };
}

/** The EIP712 digest of an offer message. */
export function hashOffer(message: OfferMessage): Hash32 {
  return typedDataDigest(XBR_SEPARATOR, hashOfferStruct(message));
}

/**
 * Signs an offer (what a seller delegate sends as `delegate_signature`).
 * @example const sig = signOffer(offerMessage({ chainId, verifyingContract, marketId, keyId, apiId, uri, validFrom, delegate, price }), delegateKey)
 */
export function signOffer(message: OfferMessage, privateKey: Uint8Array): Signature65 {
  return signDigest(hashOffer(message), privateKey);
}

/**
 * The address that signed an offer; throws `xbr.error.invalid_signature` for a malformed signature.
 * Compare the result with the expected delegate.
 */
export function recoverOfferSigner(message: OfferMessage, signature: Uint8Array): Address {
  return recoverDigestSigner(hashOffer(message), signature);
}
