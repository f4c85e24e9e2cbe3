/** The final EIP712 step: `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash)`. */
import type { Hash32 } from '../codec/types.js';
import { keccak256 } from './keccak.js';

const scratch = new Uint8Array(66);
scratch[0] = 0x19;
scratch[1] = 0x01;

/**
 * The signable digest of a struct hash under a domain separator.
 * @example typedDataDigest(xbrDomainSeparator(), structHash) // 32 bytes
 */
export function typedDataDigest(domainSeparator: Uint8Array, structHash: Uint8Array): Hash32 {
  scratch.set(domainSeparator, 2);
  scratch.set(structHash, 34);
  return keccak256(scratch) as Hash32;
}
