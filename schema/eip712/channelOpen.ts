/** Sign/recover wrappers for `EIP712ChannelOpen` over the hot-path encoder. */
import type { Address, Signature65 } from '../codec/types.js';
import { hashChannelOpen } from './hashChannelOpen.js';
import { recoverDigestSigner } from './recoverDigestSigner.js';
import { signDigest } from './signDigest.js';
import type { RecoverOptions } from './signatureChecks.js';
import type { ChannelOpenMessage } from './types.js';

/**
 * Signs a channel open.
 * @example const sig = signChannelOpen(msg, actorKey32)
 */
export function signChannelOpen(message: ChannelOpenMessage, privateKey: Uint8Array): Signature65 {
  return signDigest(hashChannelOpen(message), privateKey);
}

/**
 * The signer of a channel open (see `recoverSigner` for the errors).
 * @example const actor = recoverChannelOpen(msg, sig)
 */
export function recoverChannelOpen(message: ChannelOpenMessage, signature: Uint8Array, options?: RecoverOptions): Address {
  return recoverDigestSigner(hashChannelOpen(message), signature, options);
}
