/**
 * Binary key encoding for LMDB sub-databases opened with `keyEncoding: 'binary'` (bytewise order, so a
 * key starting 0x00 sorts first and is never skipped by a range). Composite keys are fixed-width fields
 * concatenated, like the original's zlmdb layouts (docs/protocol.md#key-layouts): ids 16 bytes, addresses 20 bytes, ns
 * timestamps 8-byte big-endian unsigned, so bytewise order equals (field1, field2, ...) order.
 */
import type { Address, NsTime, Uuid } from '../codec/types.js';
import { storageError } from '../storage-errors.js';

const U64_MAX = (1n << 64n) - 1n;

/** One field of a composite key. */
export type KeyPart =
  | { readonly kind: 'bytes'; readonly value: Uint8Array; readonly length: number }
  | { readonly kind: 'u64'; readonly value: bigint }
  | { readonly kind: 'u32'; readonly value: number }
  | { readonly kind: 'u8'; readonly value: number };

/**
 * Fixed-width bytes field; throws `xbr.error.storage` when `value` is not exactly `length` bytes.
 * @example key(bytes(adr, 20), u64(ts))
 */
export function bytes(value: Uint8Array, length: number): KeyPart {
  return { kind: 'bytes', value, length };
}
/** 16-byte id field. */
export const uuid = (value: Uuid | Uint8Array): KeyPart => bytes(value, 16);
/** 20-byte address field. */
export const address = (value: Address | Uint8Array): KeyPart => bytes(value, 20);
/** 32-byte hash / public key field. */
export const bytes32 = (value: Uint8Array): KeyPart => bytes(value, 32);
/** Unsigned 64-bit big-endian field (ns timestamps, block numbers); exact beyond 2^53. */
export const u64 = (value: NsTime | bigint): KeyPart => ({ kind: 'u64', value });
/** Unsigned 32-bit big-endian field. */
export const u32 = (value: number): KeyPart => ({ kind: 'u32', value });
/** Unsigned 8-bit field (enum values). */
export const u8 = (value: number): KeyPart => ({ kind: 'u8', value });

function width(p: KeyPart): number {
  switch (p.kind) {
    case 'bytes':
      return p.length;
    case 'u64':
      return 8;
    case 'u32':
      return 4;
    case 'u8':
      return 1;
  }
}

/**
 * Concatenates key parts into one Buffer (the LMDB key).
 * @example key(address(delegate), u64(channel.timestamp)) // 28 bytes
 */
export function key(...parts: KeyPart[]): Buffer {
  let total = 0;
  for (const p of parts) total += width(p);
  const out = Buffer.alloc(total);
  let off = 0;
  for (const p of parts) {
    switch (p.kind) {
      case 'bytes':
        if (!(p.value instanceof Uint8Array) || p.value.length !== p.length) {
          throw storageError(`key field must be ${p.length} bytes, got ${p.value instanceof Uint8Array ? p.value.length : typeof p.value}`);
        }
        out.set(p.value, off);
        break;
      case 'u64':
        if (typeof p.value !== 'bigint' || p.value < 0n || p.value > U64_MAX) throw storageError(`key field must be a uint64 bigint, got ${String(p.value)}`);
        out.writeBigUInt64BE(p.value, off);
        break;
      case 'u32':
        if (!Number.isInteger(p.value) || p.value < 0 || p.value > 0xffffffff) throw storageError(`key field must be a uint32, got ${p.value}`);
        out.writeUInt32BE(p.value, off);
        break;
      case 'u8':
        if (!Number.isInteger(p.value) || p.value < 0 || p.value > 0xff) throw storageError(`key field must be a uint8, got ${p.value}`);
        out.writeUInt8(p.value, off);
        break;
    }
    off += width(p);
  }
  return out;
}

/** A UTF-8 string key (e.g. IPFS hashes); the empty string is refused. */
export function stringKey(value: string): Buffer {
  if (typeof value !== 'string' || value.length === 0) throw storageError('string key must be a non-empty string');
  return Buffer.from(value, 'utf8');
}

/**
 * The half-open range `[prefix, next(prefix))` covering every key that starts with `prefix`.
 * `end` is undefined when the prefix is all 0xff (the range runs to the end of the table).
 */
export function prefixRange(prefix: Uint8Array): { start: Buffer; end: Buffer | undefined } {
  const start = Buffer.from(prefix);
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i] = (end[i] as number) + 1;
      return { start, end: end.subarray(0, i + 1) };
    }
  }
  return { start, end: undefined };
}

/** Reads the uint64 big-endian field at `offset` of a key. */
export function readU64(keyBytes: Uint8Array, offset: number): bigint {
  return Buffer.from(keyBytes.buffer, keyBytes.byteOffset, keyBytes.byteLength).readBigUInt64BE(offset);
}
