/**
 * Checks on a 65-byte `r ‖ s ‖ v` signature before recovery, each failing with
 * `xbr.error.invalid_signature` and a message saying what was wrong:
 * - length must be 65;
 * - `v` must be 27 or 28 (the wire format, docs/protocol.md#differences). `v` ∈ {0, 1} — which the contracts accept — is
 *   rejected unless `acceptV01` is set: every known signer emits 27/28, and one byte string per signature
 *   keeps signatures usable as identifiers;
 * - `r` and `s` must be in [1, n−1];
 * - `s` must be ≤ n/2 (EIP-2 low-s). OpenZeppelin `ECDSA.recover` applies this exact bound; ethers v6
 *   rejects `s` with its top bit set ("non-canonical s"), which catches all but ≈2⁻¹²⁸ of malleated
 *   signatures. The XBR contracts themselves do not check `s` (docs/protocol.md#contract-signatures).
 */
import { invalidSignature } from './errors.js';

/** Options of signature recovery. */
export interface RecoverOptions {
  /** Also accept `v` ∈ {0, 1} (as the contracts do). Default false. */
  readonly acceptV01?: boolean;
}

/** The curve order n, big-endian. */
const N = hex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
/** ⌊n/2⌋, big-endian. */
const HALF_N = hex('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0');

/** The compact `r ‖ s` (a view) and recovery id of a checked signature. */
export interface CheckedSignature {
  readonly compact: Uint8Array;
  readonly recid: 0 | 1;
}

/**
 * Validates a 65-byte signature and splits it for recovery.
 * @example const { compact, recid } = checkSignature(sig65)
 */
export function checkSignature(signature: unknown, options?: RecoverOptions): CheckedSignature {
  if (!(signature instanceof Uint8Array)) throw invalidSignature(`signature must be 65 bytes, got ${typeof signature}`);
  if (signature.length !== 65) throw invalidSignature(`signature must be 65 bytes, got ${signature.length}`);
  const v = signature[64] as number;
  let recid: 0 | 1;
  if (v === 27 || v === 28) recid = v === 27 ? 0 : 1;
  else if ((v === 0 || v === 1) && options?.acceptV01 === true) recid = v;
  else throw invalidSignature(`signature v must be 27 or 28, got ${v}`);
  if (isZero(signature, 0) || compare(signature, 0, N) >= 0) throw invalidSignature('signature r is out of range');
  if (isZero(signature, 32) || compare(signature, 32, N) >= 0) throw invalidSignature('signature s is out of range');
  if (compare(signature, 32, HALF_N) > 0) throw invalidSignature('signature s is in the upper half of the curve order (EIP-2)');
  return { compact: signature.subarray(0, 64), recid };
}

/** Throws when a recovered address is the zero address (what a failed `ecrecover` returns on-chain). */
export function assertNonZeroAddress(address: Uint8Array): void {
  for (let i = 0; i < address.length; i++) if (address[i] !== 0) return;
  throw invalidSignature('signature recovers to the zero address');
}

function compare(a: Uint8Array, off: number, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const x = a[off + i] as number;
    const y = b[i] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function isZero(a: Uint8Array, off: number): boolean {
  for (let i = 0; i < 32; i++) if (a[off + i] !== 0) return false;
  return true;
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}
