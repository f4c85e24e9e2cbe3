/**
 * Readers of WAMP values a peer sent back: each checks one value and returns it typed, or throws
 * `wamp.error.invalid_argument` naming where it was (`receipt.signature: expected 65 bytes, got 64`). The
 * result types of the maker API (`results.ts`) are the types these readers produce, so a shape is written
 * once and read the same by the maker's tests, the delegates and anyone else.
 *
 * Integers are read the way binary serializers deliver them: msgpack and CBOR give a small integer as a
 * `number` and a large one as a `bigint`, so every integer reader takes both and returns one type.
 */
import { argumentError, describe, expectBytes } from '../codec/index.js';

/** Reads the value found at `path`. */
export type Reader<T> = (path: string, value: unknown) => T;

/** The type a reader returns. */
export type Read<R> = R extends Reader<infer T> ? T : never;

/** A byte string of exactly `length` bytes (any length when omitted); always a plain `Uint8Array` copy. */
export function bytes(length?: number, label?: string): Reader<Uint8Array> {
  return (path, value) => {
    if (length !== undefined) return new Uint8Array(expectBytes(path, value, length, label));
    if (!(value instanceof Uint8Array)) throw argumentError(path, 'bytes', describe(value));
    return new Uint8Array(value);
  };
}

/** 32 bytes: a big-endian uint256 (an amount, a block number) as sent; `unpackUint256` makes it a bigint. */
export const uint256Bytes: Reader<Uint8Array> = bytes(32, 'uint256');

/** A safe integer (a `bigint` within the safe range is taken too), as a `number`. */
export const int: Reader<number> = (path, value) => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  throw argumentError(path, 'an integer', describe(value));
};

/**
 * An integer of any size, as a `bigint`. An integral `number` is taken too, also beyond 2^53: some decoders
 * (wampy's CBOR) hand a 64-bit integer over as a float, so a ns timestamp arrives rounded to the float's
 * precision; the rounding is the decoder's. No amount is read here (amounts are 32-byte uint256).
 */
export const bigInt: Reader<bigint> = (path, value) => {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw argumentError(path, 'an integer', describe(value));
};

/** A string. */
export const str: Reader<string> = (path, value) => {
  if (typeof value === 'string') return value;
  throw argumentError(path, 'a string', describe(value));
};

/** A boolean. */
export const bool: Reader<boolean> = (path, value) => {
  if (typeof value === 'boolean') return value;
  throw argumentError(path, 'a boolean', describe(value));
};

/** `null` (an absent key reads as `null` too) or what `reader` reads. */
export function nullable<T>(reader: Reader<T>): Reader<T | null> {
  return (path, value) => (value === null || value === undefined ? null : reader(path, value));
}

/** A list, every item read by `item`. */
export function list<T>(item: Reader<T>): Reader<T[]> {
  return (path, value) => {
    if (!Array.isArray(value)) throw argumentError(path, 'a list', describe(value));
    return value.map((v, i) => item(`${path}[${i}]`, v));
  };
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Map);
}

/** A dict of string keys, every value read by `item`. */
export function record<T>(item: Reader<T>): Reader<Record<string, T>> {
  return (path, value) => {
    if (!isDict(value)) throw argumentError(path, 'a dict', describe(value));
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(value)) out[k] = item(`${path}.${k}`, v);
    return out;
  };
}

/** The fields of a dict, each with its reader. */
export type Shape = Readonly<Record<string, Reader<unknown>>>;

/** What a dict of `S` reads as. */
export type ShapeOf<S extends Shape> = { -readonly [K in keyof S]: Read<S[K]> };

/**
 * A dict with the fields of `shape`: each read by its reader (a missing key is read as `undefined`, so only
 * `nullable` fields may be left out). Keys the shape does not name are dropped: a newer peer may send more.
 */
export function dict<S extends Shape>(shape: S): Reader<ShapeOf<S>> {
  const fields = Object.entries(shape);
  return (path, value) => {
    if (!isDict(value)) throw argumentError(path, 'a dict', describe(value));
    const out: Record<string, unknown> = {};
    for (const [k, read] of fields) out[k] = read(`${path}.${k}`, value[k]);
    return out as ShapeOf<S>;
  };
}
