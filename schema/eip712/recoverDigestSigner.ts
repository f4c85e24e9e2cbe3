/** Recovers the Ethereum address that signed a 32-byte digest (native secp256k1 + keccak). */
import type { Address } from '../codec/types.js';
import { invalidArgument, invalidSignature } from './errors.js';
import { keccak256 } from './keccak.js';
import { secp } from './secp256k1.js';
import { assertNonZeroAddress, checkSignature, type RecoverOptions } from './signatureChecks.js';

/**
 * The 20-byte address whose key produced `signature` over `digest`. Rejects (`xbr.error.invalid_signature`)
 * a wrong length, `v` ∉ {27, 28}, `r`/`s` out of range, high `s`, an unrecoverable signature and the zero
 * address — see `checkSignature`.
 * @example const signer = recoverDigestSigner(digest, sig65)
 */
export function recoverDigestSigner(digest: Uint8Array, signature: Uint8Array, options?: RecoverOptions): Address {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw invalidArgument('digest', 'expected 32 bytes');
  const { compact, recid } = checkSignature(signature, options);
  let pub: Uint8Array;
  try {
    pub = secp.ecdsaRecover(compact, recid, digest, false);
  } catch {
    throw invalidSignature('signature does not recover to a public key');
  }
  const address = keccak256(pub.subarray(1)).slice(12);
  assertNonZeroAddress(address);
  return address as Address;
}
