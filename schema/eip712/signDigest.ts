/** Signs a 32-byte digest with native secp256k1 (RFC 6979, low-s): 65 bytes `r ‖ s ‖ v`, v ∈ {27, 28}. */
import type { Signature65 } from '../codec/types.js';
import { invalidArgument } from './errors.js';
import { secp } from './secp256k1.js';

/**
 * `r ‖ s ‖ v` over `digest` with `privateKey` (32 bytes). Deterministic: equal to ethers' and Python's.
 * Throws `wamp.error.invalid_argument` for a bad key or digest (the key is never printed).
 * @example const sig = signDigest(hashChannelClose(msg), key32)
 */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Signature65 {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw invalidArgument('digest', 'expected 32 bytes');
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) throw invalidArgument('privateKey', 'expected 32 bytes');
  if (!secp.privateKeyVerify(privateKey)) throw invalidArgument('privateKey', 'not a valid secp256k1 private key');
  const { signature, recid } = secp.ecdsaSign(digest, privateKey);
  const out = new Uint8Array(65);
  out.set(signature, 0);
  out[64] = 27 + recid;
  return out as Signature65;
}
