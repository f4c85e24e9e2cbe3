/** Signs an XBR/WMP typed message. */
import type { Signature65 } from '../codec/types.js';
import { hashTypedMessage } from './hashTypedMessage.js';
import { signDigest } from './signDigest.js';
import type { MessageMap, PrimaryType } from './types.js';

/**
 * 65-byte `r ‖ s ‖ v` (v 27/28) over the EIP712 digest of `message`; identical to ethers
 * `Wallet.signTypedData` and Python `sign_eip712_*` for the same key and message.
 * @example const sig = sign('EIP712ChannelClose', msg, delegateKey32)
 */
export function sign<P extends PrimaryType>(primaryType: P, message: MessageMap[P], privateKey: Uint8Array): Signature65 {
  return signDigest(hashTypedMessage(primaryType, message), privateKey);
}
