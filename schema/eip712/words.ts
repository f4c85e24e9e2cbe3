/**
 * Writers for one 32-byte EIP712 word (`encodeData` of an atomic or dynamic field), shared by the generic
 * encoder and the fixed-layout hot paths. Each checks its value and throws `wamp.error.invalid_argument`
 * naming the field; none allocates except the keccak of `string`/`bytes`.
 */
import { describe } from '../codec/index.js';
import { invalidArgument } from './errors.js';
import { keccak256, keccakUtf8 } from './keccak.js';

/** Writes one field value as a 32-byte word at `off`; `name` is used in error messages. */
export type WordWriter = (out: Uint8Array, view: DataView, off: number, value: unknown, name: string) => void;

const MASK64 = (1n << 64n) - 1n;

/** uintN (N ≤ 256) from a bigint or a non-negative safe integer; big-endian, left-padded. */
export function writeUint(out: Uint8Array, view: DataView, off: number, value: unknown, bits: number, name: string): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw invalidArgument(name, `expected uint${bits}, got ${value}`);
    if (bits < 53 && value >= 2 ** bits) throw invalidArgument(name, `uint${bits} out of range: ${value}`);
    out.fill(0, off, off + 24);
    view.setUint32(off + 24, Math.floor(value / 0x100000000));
    view.setUint32(off + 28, value >>> 0);
    return;
  }
  if (typeof value !== 'bigint') throw invalidArgument(name, `expected uint${bits} as bigint or integer, got ${describe(value)}`);
  if (value < 0n || value >> BigInt(bits) !== 0n) throw invalidArgument(name, `uint${bits} out of range: ${value}`);
  if (value <= MASK64) {
    out.fill(0, off, off + 24);
    view.setBigUint64(off + 24, value);
    return;
  }
  view.setBigUint64(off + 24, value & MASK64);
  view.setBigUint64(off + 16, (value >> 64n) & MASK64);
  view.setBigUint64(off + 8, (value >> 128n) & MASK64);
  view.setBigUint64(off, value >> 192n);
}

/** `address`: exactly 20 bytes, left-padded to 32. */
export function writeAddress(out: Uint8Array, off: number, value: unknown, name: string): void {
  if (!(value instanceof Uint8Array) || value.length !== 20) throw invalidArgument(name, `expected a 20-byte address, got ${describe(value)}`);
  out.fill(0, off, off + 12);
  out.set(value, off + 12);
}

/** `bytesN`: exactly N bytes, right-padded with zeros to 32. */
export function writeFixedBytes(out: Uint8Array, off: number, value: unknown, size: number, name: string): void {
  if (!(value instanceof Uint8Array) || value.length !== size) throw invalidArgument(name, `expected bytes${size} (${size} bytes), got ${describe(value)}`);
  out.set(value, off);
  out.fill(0, off + size, off + 32);
}

/** `bool`: 0 or 1. */
export function writeBool(out: Uint8Array, off: number, value: unknown, name: string): void {
  if (typeof value !== 'boolean') throw invalidArgument(name, `expected a boolean, got ${describe(value)}`);
  out.fill(0, off, off + 31);
  out[off + 31] = value ? 1 : 0;
}

/** `string`: keccak256 of the UTF-8 bytes. */
function writeString(out: Uint8Array, off: number, value: unknown, name: string): void {
  if (typeof value !== 'string') throw invalidArgument(name, `expected a string, got ${describe(value)}`);
  out.set(keccakUtf8(value), off);
}

/** `bytes` (dynamic): keccak256 of the bytes. */
function writeDynamicBytes(out: Uint8Array, off: number, value: unknown, name: string): void {
  if (!(value instanceof Uint8Array)) throw invalidArgument(name, `expected bytes, got ${describe(value)}`);
  out.set(keccak256(value), off);
}

/** The writer for an atomic or dynamic EIP712 type name (`uint8`…`uint256`, `bytes1`…`bytes32`, `bytes`, `address`, `bool`, `string`). */
export function wordWriterFor(type: string): WordWriter {
  if (type === 'address') return (out, _v, off, value, name) => writeAddress(out, off, value, name);
  if (type === 'bool') return (out, _v, off, value, name) => writeBool(out, off, value, name);
  if (type === 'string') return (out, _v, off, value, name) => writeString(out, off, value, name);
  if (type === 'bytes') return (out, _v, off, value, name) => writeDynamicBytes(out, off, value, name);
  const uint = /^uint(\d+)$/.exec(type);
  if (uint) {
    const bits = Number(uint[1]);
    if (bits % 8 !== 0 || bits < 8 || bits > 256) throw new Error(`bad EIP712 type ${type}`);
    return (out, view, off, value, name) => writeUint(out, view, off, value, bits, name);
  }
  const fixed = /^bytes(\d+)$/.exec(type);
  if (fixed) {
    const size = Number(fixed[1]);
    if (size < 1 || size > 32) throw new Error(`bad EIP712 type ${type}`);
    return (out, _v, off, value, name) => writeFixedBytes(out, off, value, size, name);
  }
  throw new Error(`unsupported EIP712 type ${type} (XBR types use no structs or arrays)`);
}
