/** The EIP712 digest of any XBR/WMP message (generic path; see `hashChannelClose` for the hot path). */
import type { Hash32 } from '../codec/types.js';
import { typedDataDigest } from './digest.js';
import { domainSeparatorRef } from './domainSeparator.js';
import { hashStruct } from './hashStruct.js';
import type { MessageMap, PrimaryType } from './types.js';

/**
 * `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message))` with the domain of `primaryType`
 * (XBR, or WMP for the certificate types). Throws `wamp.error.invalid_argument` naming a bad field.
 * @example
 * const digest = hashTypedMessage('EIP712ChannelClose', { chainId: 1n, verifyingContract, closeAt: 1n,
 *   marketId, channelId, channelSeq: 1, balance: 88n * 10n ** 18n, isFinal: false });
 */
export function hashTypedMessage<P extends PrimaryType>(primaryType: P, message: MessageMap[P]): Hash32 {
  return typedDataDigest(domainSeparatorRef(primaryType), hashStruct(primaryType, message));
}
