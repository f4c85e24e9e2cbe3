import { isUtf8 } from 'node:buffer';
import { Decoder, Encoder } from 'cbor-x';
import { WampError, WampErrorUri } from '../../schema/index.js';
import { MAX_NESTING_DEPTH as MAX_DEPTH } from './limits.js';
import type { Serializer } from './serializer.js';

/**
 * `wamp.2.cbor` on top of cbor-x, with guards cbor-x lacks:
 *
 * - Decode: a validating pass over the bytes first rejects tags (cbor-x would build Dates, Sets,
 *   records, shared references...), simple values, non-text map keys and invalid UTF-8. Only the
 *   bignum tags 2/3 pass, for integers beyond 64 bits. cbor-x returns every 64-bit-argument integer
 *   as a bigint, even 2^40; those tokens are rewritten, on a copy of the payload, to the float64 of
 *   the same 9-byte size, which cbor-x then decodes to the exact number.
 * - Encode: cbor-x writes integral numbers beyond 32 bits as float64; they are patched in place to
 *   major type 0/1 with a 64-bit argument (same size). Uint8Array must not get cbor-x's tag 64.
 *
 * Decoded byte strings are Buffers that share memory with the payload (no copy).
 */

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;
const TWO_53N = 2n ** 53n;

const encoderOptions = {
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  variableMapSize: true,
  // Without this, a Map instance would be written with tag 259, which peers (and we) reject.
  useTag259ForMaps: false,
  pack: false,
};
const encoder = new Encoder(encoderOptions);
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

function violation(message: string, cause?: unknown): WampError {
  return new WampError(WampErrorUri.protocolViolation, message, cause === undefined ? {} : { cause });
}

function truncated(length: number): WampError {
  return violation(`CBOR payload is truncated (${length} bytes)`);
}

function isUtf8At(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  if (end - start < 64) {
    while (i < end && buf[i]! < 0x80) i++;
    if (i === end) return true;
  }
  return isUtf8(buf.subarray(i, end));
}

/** Bytes following the initial byte for additional info 24..27; -1 for reserved 28..30. */
const ARGUMENT_BYTES = [1, 2, 4, 8, -1, -1, -1];

const NEEDS_INT_PATCH = 1;
const HAS_BIGNUM = 2;

// Scanner state, reused: decoding is synchronous and never re-entered.
const itemsLeft = new Float64Array(MAX_DEPTH + 1);
const isMapLevel = new Uint8Array(MAX_DEPTH + 1);
const mapParity = new Uint8Array(MAX_DEPTH + 1);

/**
 * Validates a whole payload as exactly one CBOR data item of the kinds WAMP allows. Returns flags:
 * NEEDS_INT_PATCH if a 64-bit-argument integer fits in ±2^53, HAS_BIGNUM if tag 2/3 occurs.
 */
function validate(buf: Buffer): number {
  const end = buf.length;
  let flags = 0;
  let pos = 0;
  let depth = 0;
  itemsLeft[0] = 1;
  isMapLevel[0] = 0;
  for (;;) {
    while (itemsLeft[depth] === 0) {
      if (depth === 0) {
        if (pos !== end) throw violation(`CBOR payload has ${end - pos} trailing bytes after the message`);
        return flags;
      }
      depth--;
    }
    if (pos >= end) throw truncated(end);
    const initial = buf[pos]!;
    if (initial === 0xff) {
      if (itemsLeft[depth] !== Infinity) throw violation(`unexpected CBOR break code at offset ${pos}`);
      if (isMapLevel[depth] === 1 && mapParity[depth] === 1) throw violation(`CBOR map at offset ${pos} ends between a key and its value`);
      pos++;
      depth--;
      continue;
    }
    const major = initial >> 5;
    const info = initial & 0x1f;
    const isKey = isMapLevel[depth] === 1 && mapParity[depth] === 0;
    if (isMapLevel[depth] === 1) mapParity[depth] = mapParity[depth]! ^ 1;
    itemsLeft[depth]!--;
    if (isKey && major !== 3) throw violation(`CBOR map key at offset ${pos} is not a text string (major type ${major})`);

    let arg = info;
    let header = 1;
    if (info >= 24) {
      if (info === 31) {
        header = 0; // indefinite length, checked per major type below
      } else {
        const bytes = ARGUMENT_BYTES[info - 24]!;
        if (bytes < 0) throw violation(`CBOR payload uses reserved additional information ${info} at offset ${pos}`);
        header = 1 + bytes;
        if (pos + header > end) throw truncated(end);
        if (bytes === 1) arg = buf[pos + 1]!;
        else if (bytes === 2) arg = buf.readUInt16BE(pos + 1);
        else if (bytes === 4) arg = buf.readUInt32BE(pos + 1);
        else arg = buf.readUInt32BE(pos + 1) * TWO_32 + buf.readUInt32BE(pos + 5); // may round; exact below 2^53
      }
    }

    switch (major) {
      case 0:
      case 1:
        if (header === 0) throw violation(`invalid CBOR integer encoding at offset ${pos}`);
        // Positive: value = arg <= 2^53. Negative: value = -1 - arg >= -2^53. The rounded `arg` can
        // only reach 2^53 from an exact 2^53 or from above, so compare the high word exactly.
        if (header === 9) {
          const high = buf.readUInt32BE(pos + 1);
          const low = buf.readUInt32BE(pos + 5);
          const limitHigh = 0x200000; // 2^53 / 2^32
          if (major === 0 ? high < limitHigh || (high === limitHigh && low === 0) : high < limitHigh) flags |= NEEDS_INT_PATCH;
        }
        pos += header;
        continue;
      case 2:
      case 3: {
        if (header === 0) throw violation(`indefinite-length CBOR strings are not supported (offset ${pos})`);
        const start = pos + header;
        pos = start + arg;
        if (pos > end) throw truncated(end);
        if (major === 3 && !isUtf8At(buf, start, pos)) throw violation(`CBOR text string at offset ${start - header} is not valid UTF-8`);
        continue;
      }
      case 4:
      case 5:
        pos += header === 0 ? 1 : header;
        // Every array or map is a level, an empty one too (as in the JSON and MessagePack decoders).
        if (depth === MAX_DEPTH) throw violation(`CBOR payload is nested deeper than ${MAX_DEPTH} levels`);
        if (header === 0 || arg > 0) {
          depth++;
          itemsLeft[depth] = header === 0 ? Infinity : major === 5 ? arg * 2 : arg;
          isMapLevel[depth] = major === 5 ? 1 : 0;
          mapParity[depth] = 0;
        }
        continue;
      case 6: {
        // Bignums (2, 3) carry integers beyond 64 bits; tag 64 (RFC 8746 uint8 array) is how cbor-x,
        // and so wampy, sends every Uint8Array. Each wraps one definite byte string.
        if (header === 0 || (arg !== 2 && arg !== 3 && arg !== 64)) {
          throw violation(`CBOR tags are not allowed (tag ${header === 0 ? '?' : arg} at offset ${pos}); only bignums (tags 2, 3) and byte arrays (tag 64) are`);
        }
        const isBignum = arg !== 64;
        pos += header;
        if (pos >= end) throw truncated(end);
        const inner = buf[pos]!;
        const innerInfo = inner & 0x1f;
        if (inner >> 5 !== 2 || innerInfo === 31 || innerInfo > 27) throw violation(`CBOR tag ${arg} at offset ${pos} does not hold a byte string`);
        let length = innerInfo;
        let innerHeader = 1;
        if (innerInfo >= 24) {
          innerHeader = 1 + ARGUMENT_BYTES[innerInfo - 24]!;
          if (pos + innerHeader > end) throw truncated(end);
          length = innerInfo === 24 ? buf[pos + 1]! : innerInfo === 25 ? buf.readUInt16BE(pos + 1) : innerInfo === 26 ? buf.readUInt32BE(pos + 1) : Infinity;
        }
        pos += innerHeader + length;
        if (pos > end) throw truncated(end);
        if (isBignum) flags |= HAS_BIGNUM;
        continue;
      }
      default: // 7: simple values and floats
        if ((info >= 20 && info <= 23) || (info >= 25 && info <= 27)) {
          pos += header;
          continue;
        }
        throw violation(`CBOR simple value ${info === 24 ? (pos + 1 < end ? buf[pos + 1] : '?') : info} at offset ${pos} is not allowed`);
    }
  }
}

/**
 * Walks the tokens of well-formed CBOR and rewrites 9-byte items in place: with `toInts`, integral
 * float64s within ±2^53 become integers; otherwise 64-bit-argument integers within ±2^53 become
 * float64s. Both forms are 9 bytes, so offsets never move.
 */
function patch(buf: Buffer, toInts: boolean): void {
  const end = buf.length;
  let pos = 0;
  while (pos < end) {
    const initial = buf[pos]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    let header = 1;
    let arg = info;
    if (info >= 24 && info <= 27) {
      header = 1 + ARGUMENT_BYTES[info - 24]!;
      arg = info === 24 ? buf[pos + 1]!
        : info === 25 ? buf.readUInt16BE(pos + 1)
        : info === 26 ? buf.readUInt32BE(pos + 1)
        : buf.readUInt32BE(pos + 1) * TWO_32 + buf.readUInt32BE(pos + 5);
    }
    if (header === 9 && (major <= 1 || major === 7)) {
      if (toInts && initial === 0xfb) {
        const value = buf.readDoubleBE(pos + 1);
        if (Number.isInteger(value) && value <= TWO_53 && value >= -TWO_53 && value !== 0) {
          const magnitude = value > 0 ? value : -1 - value;
          buf[pos] = value > 0 ? 0x1b : 0x3b;
          buf.writeUInt32BE(Math.floor(magnitude / TWO_32), pos + 1);
          buf.writeUInt32BE(magnitude % TWO_32, pos + 5);
        }
      } else if (!toInts && major <= 1) {
        const high = buf.readUInt32BE(pos + 1);
        const low = buf.readUInt32BE(pos + 5);
        // Exact while high < 2^21 (magnitude < 2^53); 2^53 itself only as a positive value.
        if (high < 0x200000 || (major === 0 && high === 0x200000 && low === 0)) {
          const magnitude = high * TWO_32 + low;
          buf[pos] = 0xfb;
          buf.writeDoubleBE(major === 0 ? magnitude : -1 - magnitude, pos + 1);
        }
      }
      pos += 9;
      continue;
    }
    pos += header;
    if ((major === 2 || major === 3) && info !== 31) pos += arg;
  }
}

/** Turns bigints within ±2^53 into numbers, in place; only needed after a (non-minimal) bignum. */
function normalizeBigints(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= TWO_53N && value >= -TWO_53N ? Number(value) : value;
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalizeBigints(value[i]);
    return value;
  }
  const dict = value as Record<string, unknown>;
  for (const key of Object.keys(dict)) {
    const item = dict[key];
    if (typeof item === 'bigint' || (typeof item === 'object' && item !== null)) {
      Object.defineProperty(dict, key, { value: normalizeBigints(item), writable: true, enumerable: true, configurable: true });
    }
  }
  return value;
}

export const cborSerializer: Serializer = Object.freeze({
  name: 'cbor',
  binary: true,

  encode(message: readonly unknown[]): Buffer {
    let buf: Buffer;
    try {
      buf = encoder.encode(message);
    } catch (err) {
      throw new WampError(WampErrorUri.invalidPayload, `cannot serialize message to CBOR: ${(err as Error).message}`, { cause: err });
    }
    if (buf.indexOf(0xfb) !== -1) patch(buf, true);
    return buf;
  },

  decode(payload: Buffer): unknown {
    const flags = validate(payload);
    let source = payload;
    if (flags & NEEDS_INT_PATCH) {
      // Never write into the caller's buffer: it may be logged or forwarded as is.
      source = Buffer.allocUnsafe(payload.length);
      payload.copy(source);
      patch(source, false);
    }
    let value: unknown;
    try {
      value = decoder.decode(source);
    } catch (err) {
      throw violation(`invalid CBOR payload: ${(err as Error).message}`, err);
    }
    return flags & HAS_BIGNUM ? normalizeBigints(value) : value;
  },
});
