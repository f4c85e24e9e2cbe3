/**
 * uint256 on the wire: exactly 32 bytes, big-endian, left zero-padded (Python `pack_uint256`). Used for
 * every amount, balance and price. Packing and unpacking work on four 64-bit words, with no hex strings.
 */
import { argumentError, describe, expectBytes } from './argument.js';
import type { Amount } from './types.js';

/** 2^256 − 1, the largest uint256. */
export const UINT256_MAX: bigint = (1n << 256n) - 1n;

const MASK64 = 0xffff_ffff_ffff_ffffn;

/**
 * Packs `value` as 32 big-endian bytes. The result is a `Buffer` from Node's allocation pool (like
 * `Buffer.from`), so `out.buffer` may be larger than 32 bytes: use `out` itself, or copy it to keep it long.
 *
 * @param name - argument name used in the error message (default `value`).
 * @throws WampError `wamp.error.invalid_argument` if `value` is not a bigint in [0, 2^256).
 * @example
 * packUint256(10n ** 18n).toString('hex'); // '00…0de0b6b3a7640000'
 */
export function packUint256(value: Amount, name = 'value'): Buffer {
  if (typeof value !== 'bigint') throw argumentError(name, 'a bigint in [0, 2^256)', describe(value));
  if (value < 0n || value > UINT256_MAX) throw argumentError(name, 'a bigint in [0, 2^256)', String(value));
  // DataView.setBigUint64 + BigInt.asUintN is ~3x faster than Buffer.writeBigUInt64BE on full-width values.
  const out = Buffer.allocUnsafe(32);
  const view = new DataView(out.buffer, out.byteOffset, 32);
  if (value <= MASK64) {
    view.setBigUint64(0, 0n);
    view.setBigUint64(8, 0n);
    view.setBigUint64(16, 0n);
    view.setBigUint64(24, value);
    return out;
  }
  view.setBigUint64(0, value >> 192n);
  view.setBigUint64(8, BigInt.asUintN(64, value >> 128n));
  view.setBigUint64(16, BigInt.asUintN(64, value >> 64n));
  view.setBigUint64(24, BigInt.asUintN(64, value));
  return out;
}

/**
 * Unpacks 32 big-endian bytes into a bigint. Unlike Python's `unpack_uint256`, `None` and empty input
 * are rejected: the wire carries exactly 32 bytes.
 *
 * @param name - argument name used in the error message (default `value`).
 * @throws WampError `wamp.error.invalid_argument` if `bytes` is not a Uint8Array of 32 bytes.
 * @example
 * unpackUint256(packUint256(42n)); // 42n
 */
export function unpackUint256(bytes: Uint8Array, name = 'value'): Amount {
  const b = expectBytes(name, bytes, 32, 'uint256');
  const view = new DataView(b.buffer, b.byteOffset, 32);
  // Amounts usually fit 64 bits: test the high 24 bytes as numbers before building any bigint.
  const high = view.getUint32(0) | view.getUint32(4) | view.getUint32(8) | view.getUint32(12) | view.getUint32(16) | view.getUint32(20);
  const w3 = view.getBigUint64(24);
  if (high === 0) return w3;
  const w0 = view.getBigUint64(0);
  const w1 = view.getBigUint64(8);
  const w2 = view.getBigUint64(16);
  return (w0 << 192n) | (w1 << 128n) | (w2 << 64n) | w3;
}
