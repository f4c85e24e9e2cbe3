/** Sign/recover wrappers for `EIP712ChannelClose` over the hot-path encoder. */
import type { Address, Signature65 } from '../codec/types.js';
import { hashChannelClose } from './hashChannelClose.js';
import { recoverDigestSigner } from './recoverDigestSigner.js';
import { signDigest } from './signDigest.js';
import type { RecoverOptions } from './signatureChecks.js';
import type { ChannelCloseMessage } from './types.js';

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
