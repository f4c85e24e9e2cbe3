/**
 * The shared wording of argument errors: `<name>: expected <what>, got <what was passed>`, always under
 * `wamp.error.invalid_argument`. Every codec and guard of this folder throws through here, so a WAMP peer
 * sees one message format whichever check failed.
 */
import { WampError } from '../errors.js';
import { WampErrorUri } from '../error-uris.js';

/**
 * Describes a value for the "got …" part of an argument error, without echoing its contents.
 *
 * Byte strings give their length (`20 bytes`, `1 byte`); strings `a string`; numbers `a number`;
 * bigints `a bigint`; booleans `a boolean`; arrays `a list`; `null` and `undefined` themselves;
 * other objects `an object` (or `an ArrayBuffer`, `a Map`).
 *
 * @example
 * describe(new Uint8Array(20)); // '20 bytes'
 * describe('0xab');             // 'a string'
 */
export function describe(value: unknown): string {
  if (value instanceof Uint8Array) return value.length === 1 ? '1 byte' : `${value.length} bytes`;
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'bigint':
      return 'a bigint';
    case 'boolean':
      return 'a boolean';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      if (Array.isArray(value)) return 'a list';
      if (value instanceof ArrayBuffer) return 'an ArrayBuffer';
      if (value instanceof Map) return 'a Map';
      return 'an object';
  }
}

/**
 * Names a value's type the JavaScript way: `typeof`, or for an object its constructor's name (`string`,
 * `number`, `Uint8Array`, `Object`, `null`). The wording of the key conversions in `schema/crypto`.
 */
export function describeTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Shows a found value itself in a message: strings quoted (long ones cut), other scalars as `String`
 * gives them, containers named. `describe` names an argument's kind; this shows the value. The
 * vocabulary is the input's:
 * - `'json'` (the node config file): `nothing` for a missing value, `an array`, `an object` (byte strings
 *   too), strings over 60 characters cut to 57 and `...`;
 * - `'wamp'` (WAMP options and meta arguments): `undefined`, `a list`, `a dict`, `N bytes`, strings over
 *   40 characters cut to 40 and `…`;
 * - `'message'` (the router's checks of a decoded WAMP message, where the decoded JavaScript shape is the
 *   point): `array(N)`, `bytes(N)`, `object` or `object(Map)`, bigints as `5n`, strings cut to 40 and `...`.
 *
 * @example
 * showValue('exact', 'json');    // '"exact"'
 * showValue([1], 'wamp');        // 'a list'
 * showValue(new Map(), 'message'); // 'object(Map)'
 */
export function showValue(value: unknown, vocabulary: 'json' | 'wamp' | 'message'): string {
  if (vocabulary === 'message') return showDecoded(value);
  const json = vocabulary === 'json';
  if (typeof value === 'string') {
    if (json) return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (value === undefined) return json ? 'nothing' : 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return json ? 'an array' : 'a list';
  if (value instanceof Uint8Array && !json) return `${value.length} bytes`;
  if (typeof value === 'object') return json ? 'an object' : 'a dict';
  return String(value);
}

function showDecoded(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
    case 'bigint':
      return `${value}n`;
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return `array(${value.length})`;
      if (value instanceof Uint8Array) return `bytes(${value.length})`;
      return Object.getPrototypeOf(value) === Object.prototype ? 'object' : `object(${(value as object).constructor?.name ?? 'null prototype'})`;
    default:
      return String(value);
  }
}

/**
 * Builds the `wamp.error.invalid_argument` error for argument `name`: message
 * `<name>: expected <expected>, got <got>`. The argument name is also in `kwargs.argument`.
 *
 * @example
 * throw argumentError('channel_oid', '16 bytes', '20');
 * // WampError wamp.error.invalid_argument "channel_oid: expected 16 bytes, got 20"
 */
export function argumentError(name: string, expected: string, got: string): WampError {
  return new WampError(WampErrorUri.invalidArgument, `${name}: expected ${expected}, got ${got}`, {
    kwargs: { argument: name },
  });
}

/**
 * Checks that `value` is a `Uint8Array` (a `Buffer` is one) of exactly `length` bytes and returns it.
 * `label` is added to the expectation, e.g. `(uint256)` → `expected 32 bytes (uint256)`.
 * A byte string of the wrong length is reported by its length alone (`got 20`), anything else by
 * {@link describe} (`got a string`).
 *
 * @example
 * expectBytes('delegate_adr', value, 20); // throws "delegate_adr: expected 20 bytes, got 19"
 */
export function expectBytes(name: string, value: unknown, length: number, label?: string): Uint8Array {
  if (value instanceof Uint8Array && value.length === length) return value;
  const expected = label === undefined ? `${length} bytes` : `${length} bytes (${label})`;
  throw argumentError(name, expected, value instanceof Uint8Array ? String(value.length) : describe(value));
}

/** Lowercase hex of `bytes` without a `0x` prefix (no copy of the bytes). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
