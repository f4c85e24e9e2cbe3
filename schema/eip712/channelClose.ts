/** `EIP712ChannelClose`: the message of a market's channel state, and sign/recover over the hot-path encoder. */
import type { Address, Signature65, Uuid } from '../codec/types.js';
import { hashChannelClose } from './hashChannelClose.js';
import { recoverDigestSigner } from './recoverDigestSigner.js';
import { signDigest } from './signDigest.js';
import type { RecoverOptions } from './signatureChecks.js';
import type { ChainBinding, ChannelCloseMessage } from './types.js';

/**
 * What every channel signature of a market is bound to, as the maker's `get_config` reports it: the
 * verifying chain and contract (`XBRNetwork.verifyingChain()`, the XBRNetwork address) and the market.
 */
export interface MarketBinding extends ChainBinding {
  readonly marketId: Uuid;
}

/**
 * The EIP712ChannelClose message of an off-chain state of `channelId` in the market of `binding`: what the
 * buyer, the seller and the maker sign and check.
 * @example signChannelClose(channelCloseMessage(binding, closeAt, channelId, seq, remaining, false), key)
 */
export function channelCloseMessage(
  binding: MarketBinding,
  closeAt: bigint,
  channelId: Uuid,
  channelSeq: number,
  balance: bigint,
  isFinal: boolean,
): ChannelCloseMessage {
  return { chainId: binding.chainId, verifyingContract: binding.verifyingContract, closeAt, marketId: binding.marketId, channelId, channelSeq, balance, isFinal };
}

/**
 * Signs a channel close / off-chain payment.
 * @example const sig = signChannelClose(msg, delegateKey32)
 */
export function signChannelClose(message: ChannelCloseMessage, privateKey: Uint8Array): Signature65 {
  return signDigest(hashChannelClose(message), privateKey);
}

/**
 * The signer of a channel close / off-chain payment (see `recoverSigner` for the errors).
 * @example const buyerDelegate = recoverChannelClose(msg, sig)
 */
export function recoverChannelClose(message: ChannelCloseMessage, signature: Uint8Array, options?: RecoverOptions): Address {
  return recoverDigestSigner(hashChannelClose(message), signature, options);
}
