import { isUtf8 } from 'node:buffer';
import { parse as losslessParse } from 'lossless-json';
import { WampError, WampErrorUri } from '../../schema/index.js';
import { jsonNestsDeeperThan } from './json-depth.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import type { Serializer } from './serializer.js';

/**
 * `wamp.2.json`. Bytes travel as `"\u0000" + base64`; integers beyond 2^53 travel as plain JSON
 * integers and come back as `bigint`. Both decode and encode take a fast path through the native
 * JSON functions and only fall back to slower exact code when the payload needs it. Nesting is
 * bounded by MAX_NESTING_DEPTH, as in the msgpack and CBOR decoders.
 */

const TWO_53 = 2n ** 53n;
const MINUS_TWO_53 = -TWO_53;

/**
 * JSON.parse rounds integers beyond 2^53 and turns huge exponents into Infinity. Any integer
 * literal with 15 digits or fewer is below 2^53, and a finite double never needs a 3-digit
 * exponent above 308, so text without these patterns is safe for the native parser. False
 * positives (a long digit run inside a string) only cost the slow path.
 */
const NEEDS_LOSSLESS = /\d{16}|[eE][+-]?\d{3}/;

/**
 * Standard base64 with mandatory padding (as autobahn-python and autobahn-js produce it), together
 * with a length that is a multiple of 4. A grouped pattern like (?:[...]{4})* would backtrack per
 * group: slow on large payloads and a stack overflow beyond ~10 MB.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const MAX_ENCODE_DEPTH = 10_000;

/**
 * The shortest payload that can nest deeper than the limit: each level takes two bytes ('[' and ']').
 * Shorter payloads, the messages that make up routing load, skip the depth walk entirely.
 */
const SHORTEST_TOO_DEEP = 2 * (MAX_NESTING_DEPTH + 1);

function violation(message: string, cause?: unknown): WampError {
  return new WampError(WampErrorUri.protocolViolation, message, cause === undefined ? {} : { cause });
}

function parseNumber(text: string): number | bigint {
  // Integer literals have neither '.' nor an exponent; only long ones can exceed 2^53.
  if (text.length >= 16 && !/[.eE]/.test(text)) {
    const big = BigInt(text);
    return big <= TWO_53 && big >= MINUS_TWO_53 ? Number(big) : big;
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw violation(`JSON number ${text.length > 40 ? `${text.slice(0, 40)}...` : text} is out of range`);
  return value;
}

const lastKeyWins = ({ newValue }: { newValue: unknown }): unknown => newValue;

function decodeBytes(text: string): Buffer {
  const b64 = text.slice(1);
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) throw violation('JSON binary string ("\\u0000" + base64) has invalid base64');
  return Buffer.from(b64, 'base64');
}

/** Replaces `"\u0000..."` strings by Buffers, in place (the value was just parsed and is ours). */
function reviveBytes(value: unknown): unknown {
  if (typeof value === 'string') return value.charCodeAt(0) === 0 ? decodeBytes(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' ? item !== null : typeof item === 'string' && item.charCodeAt(0) === 0) value[i] = reviveBytes(item);
    }
    return value;
  }
  const dict = value as Record<string, unknown>;
  for (const key in dict) {
    const item = dict[key];
    if (typeof item === 'object' ? item !== null : typeof item === 'string' && item.charCodeAt(0) === 0) {
      const revived = reviveBytes(item);
      // Plain assignment to "__proto__" would call the inherited setter and swap the prototype.
      if (key === '__proto__') Object.defineProperty(dict, key, { value: revived, writable: true, enumerable: true, configurable: true });
      else dict[key] = revived;
    }
  }
  return value;
}

/** True if the native JSON.stringify would get the value wrong (bigint throws, bytes turn into objects). */
/**
 * Integral doubles beyond 2^53 (e.g. a msgpack float64 2^60): JSON.stringify prints 1152921504606847000,
 * which integer-aware readers take as an integer 24 away from the value sent.
 */
const isUnsafeInteger = (n: number): boolean => Number.isInteger(n) && Math.abs(n) > 2 ** 53;

function needsCustomEncoding(value: unknown, depth: number): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value === 'number') return isUnsafeInteger(value);
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_ENCODE_DEPTH) throw new RangeError(`message nested deeper than ${MAX_ENCODE_DEPTH} levels`);
  if (ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if ((typeof item === 'object' && item !== null) || typeof item === 'bigint' || typeof item === 'number') {
        if (needsCustomEncoding(item, depth + 1)) return true;
      }
    }
    return false;
  }
  const dict = value as Record<string, unknown>;
  for (const key in dict) {
    const item = dict[key];
    if ((typeof item === 'object' && item !== null) || typeof item === 'bigint' || typeof item === 'number') {
      if (needsCustomEncoding(item, depth + 1)) return true;
    }
  }
  return false;
}

function bytesToJson(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return `"\\u0000${buf.toString('base64')}"`;
}

const skipped = (value: unknown): boolean =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** JSON.stringify semantics plus bigint as integer literal and Uint8Array as WAMP byte string. */
function stringify(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) return 'null';
      // Exponent form keeps it a float for every reader (Python, lossless parsers) at its exact value.
      return isUnsafeInteger(value) ? value.toExponential() : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value === null) return 'null';
  if (depth > MAX_ENCODE_DEPTH) throw new RangeError(`message nested deeper than ${MAX_ENCODE_DEPTH} levels`);
  if (value instanceof Uint8Array) return bytesToJson(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += skipped(item) ? 'null' : stringify(item, depth + 1);
    }
    return `${out}]`;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return stringify(toJSON.call(value), depth + 1);
  const dict = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(dict)) {
    const item = dict[key];
    if (skipped(item)) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${stringify(item, depth + 1)}`;
    first = false;
  }
  return `${out}}`;
}

function encodeText(message: readonly unknown[]): string {
  try {
    return needsCustomEncoding(message, 0) ? stringify(message, 0) : JSON.stringify(message);
  } catch (err) {
    throw new WampError(WampErrorUri.invalidPayload, `cannot serialize message to JSON: ${(err as Error).message}`, { cause: err });
  }
}

export const jsonSerializer: Serializer = Object.freeze({
  name: 'json',
  binary: false,

  encode(message: readonly unknown[]): Buffer {
    return Buffer.from(encodeText(message), 'utf8');
  },

  encodeText,

  decode(payload: Buffer): unknown {
    if (!isUtf8(payload)) throw violation('JSON payload is not valid UTF-8');
    if (payload.length >= SHORTEST_TOO_DEEP && jsonNestsDeeperThan(payload, MAX_NESTING_DEPTH)) {
      throw violation(`JSON payload is nested deeper than ${MAX_NESTING_DEPTH} levels`);
    }
    const text = payload.toString('utf8');
    let value: unknown;
    try {
      value = NEEDS_LOSSLESS.test(text)
        ? losslessParse(text, undefined, { parseNumber, onDuplicateKey: lastKeyWins })
        : JSON.parse(text);
    } catch (err) {
      if (err instanceof WampError) throw err;
      throw violation(`invalid JSON: ${(err as Error).message}`, err);
    }
    // "\u0000" can only reach a parsed string through this escape: JSON forbids raw control characters.
    if (text.includes('\\u0000')) {
      try {
        value = reviveBytes(value);
      } catch (err) {
        if (err instanceof WampError) throw err;
        throw violation(`invalid JSON message: ${(err as Error).message}`, err);
      }
    }
    return value;
  },
});
