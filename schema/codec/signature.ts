/**
 * 65-byte Ethereum signatures `r(32) ‖ s(32) ‖ v(1)`. The wire form has `v` ∈ {27, 28}; `v` ∈ {0, 1} (what
 * some signers emit, and what the contracts also accept) is taken and normalized to 27/28.
 */
import { argumentError, expectBytes } from './argument.js';
import type { Signature65 } from './types.js';

/** The parts of a 65-byte signature. `r` and `s` are views into the input, not copies. */
export interface SignatureParts {
  r: Uint8Array;
  s: Uint8Array;
  v: 27 | 28;
}

/**
 * Checks a 65-byte signature and returns it with `v` ∈ {27, 28}. Input with `v` 27/28 is returned as is
 * (no copy); `v` 0/1 gives a copy with 27 added. Does not check that `r`, `s` are in range or recoverable:
 * recovery does that.
 *
 * @throws WampError `wamp.error.invalid_argument`: `<name>: expected 65 bytes (signature), got 64`, or
 *   `<name>: expected v = 27 or 28 (or 0/1), got 29`.
 * @example
 * const sig = normalizeSignature(args[7], 'signature');
 */
export function normalizeSignature(value: unknown, name = 'signature'): Signature65 {
  const sig = expectBytes(name, value, 65, 'signature');
  const v = sig[64] as number;
  if (v === 27 || v === 28) return sig as Signature65;
  if (v === 0 || v === 1) {
    const copy = new Uint8Array(sig);
    copy[64] = v + 27;
    return copy as Signature65;
  }
  throw argumentError(name, 'v = 27 or 28 (or 0/1)', String(v));
}

/**
 * Splits a signature into `r`, `s` and `v` (normalized to 27/28).
 *
 * @throws WampError `wamp.error.invalid_argument` as {@link normalizeSignature}.
 * @example
 * const { r, s, v } = splitSignature(sig); // v === 27 || v === 28
 */
export function splitSignature(value: Uint8Array, name = 'signature'): SignatureParts {
  const sig = normalizeSignature(value, name);
  return { r: sig.subarray(0, 32), s: sig.subarray(32, 64), v: sig[64] as 27 | 28 };
}

/**
 * Joins `r`, `s` (32 bytes each) and `v` (27/28, or 0/1 which is normalized) into 65 bytes.
 *
 * @throws WampError `wamp.error.invalid_argument` for wrong lengths or `v`.
 * @example
 * joinSignature(r, s, 27).length; // 65
 */
export function joinSignature(r: Uint8Array, s: Uint8Array, v: number): Signature65 {
  expectBytes('r', r, 32);
  expectBytes('s', s, 32);
  const out = new Uint8Array(65);
  out.set(r, 0);
  out.set(s, 32);
  if (v === 0 || v === 1) out[64] = v + 27;
  else if (v === 27 || v === 28) out[64] = v;
  else throw argumentError('v', '27 or 28 (or 0/1)', String(v));
  return out as Signature65;
}
