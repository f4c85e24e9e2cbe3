/** Recovers the signer of an XBR/WMP typed message. */
import type { Address } from '../codec/types.js';
import { hashTypedMessage } from './hashTypedMessage.js';
import { recoverDigestSigner } from './recoverDigestSigner.js';
import type { RecoverOptions } from './signatureChecks.js';
import type { MessageMap, PrimaryType } from './types.js';

/**
 * The 20-byte address that signed `message`. Throws `xbr.error.invalid_signature` for a malformed or
 * non-canonical signature (see `checkSignature`) and `wamp.error.invalid_argument` for a malformed message.
 * Compare the result with the expected signer; a valid signature by someone else recovers to another address.
 * @example if (!equalBytes(recoverSigner('EIP712ChannelClose', msg, sig), delegate)) throw …
 */
export function recoverSigner<P extends PrimaryType>(
  primaryType: P,
  message: MessageMap[P],
  signature: Uint8Array,
  options?: RecoverOptions,
): Address {
  return recoverDigestSigner(hashTypedMessage(primaryType, message), signature, options);
}
