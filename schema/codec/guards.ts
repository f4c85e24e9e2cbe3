/**
 * Argument guards for WAMP procedure arguments. Each checks one argument and returns it typed, or throws
 * `WampError('wamp.error.invalid_argument', '<name>: expected <what>, got <what was passed>')`, so a
 * procedure's validation reads as a column of one-line guards:
 *
 * ```ts
 * const delegate = addressArg('delegate_adr', args[0]);
 * const keyId = uuidArg('key_id', args[2]);
 * const seq = intArg('channel_seq', args[4], { min: 1 });
 * const amount = uint256Arg('amount', args[5]);
 * const price = optional(uint256Arg)('price', kwargs['price']);
 * ```
 */
import { argumentError, describe, expectBytes } from './argument.js';
import { normalizeSignature } from './signature.js';
import { unpackUint256 } from './uint256.js';
import type { Address, Amount, NsTime, Signature65, Uuid } from './types.js';

/**
 * `value` must be a byte string (`Uint8Array`, which includes `Buffer`) of exactly `length` bytes.
 *
 * @example
 * bytesArg('buyer_pubkey', args[1], 32); // "buyer_pubkey: expected 32 bytes, got 31"
 */
export function bytesArg(name: string, value: unknown, length: number): Uint8Array {
  return expectBytes(name, value, length);
}

/**
 * `value` must be 16 bytes (a UUID in RFC 4122 byte order).
 *
 * @example
 * uuidArg('channel_oid', args[3]); // "channel_oid: expected 16 bytes, got 20"
 */
export function uuidArg(name: string, value: unknown): Uuid {
  return expectBytes(name, value, 16) as Uuid;
}

/**
 * `value` must be 20 bytes (an Ethereum address).
 *
 * @example
 * addressArg('delegate_adr', args[0]); // "delegate_adr: expected 20 bytes, got 19"
 */
export function addressArg(name: string, value: unknown): Address {
  return expectBytes(name, value, 20) as Address;
}

/**
 * `value` must be 32 bytes (big-endian uint256); returns the number as a bigint. Integers are not
 * accepted: the wire form is always 32 bytes.
 *
 * @example
 * uint256Arg('amount', args[5]); // "amount: expected 32 bytes (uint256), got a string"
 */
export function uint256Arg(name: string, value: unknown): Amount {
  return unpackUint256(expectBytes(name, value, 32, 'uint256'), name);
}

/**
 * `value` must be 65 bytes `r ‖ s ‖ v` with `v` 27/28; `v` 0/1 is accepted and normalized to 27/28.
 *
 * @example
 * signatureArg('signature', args[7]); // "signature: expected 65 bytes (signature), got 64"
 */
export function signatureArg(name: string, value: unknown): Signature65 {
  return normalizeSignature(value, name);
}

/** Bounds for {@link intArg}; both inclusive, default to the safe-integer range. */
export interface IntArgOptions {
  min?: number;
  max?: number;
}

/**
 * `value` must be an integer in [`min`, `max`] (default: the safe-integer range). A `number` must be a
 * safe integer; a `bigint` (which some decoders produce) is accepted when in range. Returns a `number`.
 *
 * @example
 * intArg('channel_type', args[6], { min: 1, max: 2 }); // "channel_type: expected an integer in [1, 2], got 3"
 */
export function intArg(name: string, value: unknown, options: IntArgOptions = {}): number {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const range = `an integer in [${min}, ${max}]`;
  let n: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw argumentError(name, 'an integer', String(value));
    n = value;
  } else if (typeof value === 'bigint') {
    if (value < BigInt(min) || value > BigInt(max)) throw argumentError(name, range, String(value));
    return Number(value);
  } else {
    throw argumentError(name, 'an integer', describe(value));
  }
  if (n < min || n > max) throw argumentError(name, range, String(n));
  return n;
}

/**
 * `value` must be a time in ns since the epoch: a `bigint` ≥ 0, or an integer `number` ≥ 0. Numbers above
 * 2^53 are taken as given (the sender has already rounded them). Returns a bigint.
 *
 * @example
 * nsTimeArg('valid_from', args[3]); // "valid_from: expected an integer ≥ 0 (ns), got a string"
 */
export function nsTimeArg(name: string, value: unknown): NsTime {
  if (typeof value === 'bigint') {
    if (value < 0n) throw argumentError(name, 'an integer ≥ 0 (ns)', String(value));
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw argumentError(name, 'an integer ≥ 0 (ns)', String(value));
    return BigInt(value);
  }
  throw argumentError(name, 'an integer ≥ 0 (ns)', describe(value));
}

/** Limits for {@link stringArg}. */
export interface StringArgOptions {
  /** Largest accepted length in UTF-16 code units. */
  maxLength: number;
  /** If given, the whole string must match (anchor the pattern yourself). */
  pattern?: RegExp;
}

/**
 * `value` must be a string of at most `maxLength` characters, matching `pattern` if given.
 *
 * @example
 * stringArg('uri', args[2], { maxLength: 255, pattern: /^([\da-z_]+\.)*([\da-z_]*)$/ });
 * // "uri: expected a string matching /^([\da-z_]+\.)*([\da-z_]*)$/, got "A.b""
 */
export function stringArg(name: string, value: unknown, options: StringArgOptions): string {
  if (typeof value !== 'string') throw argumentError(name, 'a string', describe(value));
  if (value.length > options.maxLength) {
    throw argumentError(name, `at most ${options.maxLength} characters`, `${value.length}`);
  }
  if (options.pattern !== undefined) {
    options.pattern.lastIndex = 0;
    if (!options.pattern.test(value)) {
      const shown = value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
      throw argumentError(name, `a string matching ${String(options.pattern)}`, shown);
    }
  }
  return value;
}

/**
 * `value` must be `true` or `false` (no truthiness).
 *
 * @example
 * boolArg('is_final', args[4]); // "is_final: expected a boolean, got a number"
 */
export function boolArg(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw argumentError(name, 'a boolean', describe(value));
  return value;
}

/** Options for {@link listArg}. */
export interface ListArgOptions {
  /** Largest accepted number of items. */
  maxLength?: number;
}

/**
 * `value` must be a list (array); each item is checked by `item` under the name `<name>[<i>]`.
 *
 * @example
 * listArg('channels', args[0], uuidArg, { maxLength: 100 }); // "channels[1]: expected 16 bytes, got 4"
 */
export function listArg<T>(
  name: string,
  value: unknown,
  item: (name: string, value: unknown) => T,
  options: ListArgOptions = {},
): T[] {
  if (!Array.isArray(value)) throw argumentError(name, 'a list', describe(value));
  if (options.maxLength !== undefined && value.length > options.maxLength) {
    throw argumentError(name, `at most ${options.maxLength} items`, `${value.length}`);
  }
  return value.map((v: unknown, i) => item(`${name}[${i}]`, v));
}

/**
 * `value` must be a plain object (a WAMP dict, e.g. kwargs or `categories`); each value is checked by
 * `item` under the name `<name>.<key>`. Returns a new object with the checked values.
 *
 * @example
 * dictArg('categories', kwargs['categories'], (n, v) => stringArg(n, v, { maxLength: 256 }));
 */
export function dictArg<T>(
  name: string,
  value: unknown,
  item: (name: string, value: unknown) => T,
  options: ListArgOptions = {},
): Record<string, T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array || value instanceof Map) {
    throw argumentError(name, 'a dict', describe(value));
  }
  const entries = Object.entries(value);
  if (options.maxLength !== undefined && entries.length > options.maxLength) {
    throw argumentError(name, `at most ${options.maxLength} entries`, `${entries.length}`);
  }
  // fromEntries defines own properties, so a `__proto__` key cannot change the prototype.
  return Object.fromEntries(entries.map(([k, v]) => [k, item(`${name}.${k}`, v)]));
}

/**
 * Makes a guard accept an absent argument: `undefined` or `null` (Python `None`) gives `undefined`,
 * anything else goes through `guard`.
 *
 * @example
 * const expires = optional(nsTimeArg)('expires', kwargs['expires']); // bigint | undefined
 */
export function optional<A extends unknown[], T>(
  guard: (name: string, value: unknown, ...rest: A) => T,
): (name: string, value: unknown, ...rest: A) => T | undefined {
  return (name, value, ...rest) => (value === undefined || value === null ? undefined : guard(name, value, ...rest));
}
