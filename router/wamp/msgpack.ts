import { isUtf8 } from 'node:buffer';
import { Packr, Unpackr } from 'msgpackr';
import { WampError, WampErrorUri } from '../../schema/index.js';
import { MAX_NESTING_DEPTH as MAX_DEPTH } from './limits.js';
import type { Serializer } from './serializer.js';

/**
 * `wamp.2.msgpack` on top of msgpackr, with two guards msgpackr lacks:
 *
 * - Decode: msgpackr silently accepts what a WAMP peer must not send (extension types become
 *   Dates/Sets/records, integer map keys become strings, invalid UTF-8 becomes U+FFFD, 0xC1 becomes
 *   an object). An allocation-free validating pass over the bytes runs first and rejects all that.
 * - Encode: msgpackr writes integral numbers beyond 32 bits as float64 and has no option to change
 *   it, yet WAMP ids are random up to 2^53 and Python peers would receive floats. The float64 and
 *   the int64 forms are both 9 bytes, so the packed buffer is patched in place; a native `indexOf`
 *   skips the token walk for the many messages without any 0xCB byte.
 *
 * Decoded byte strings are Buffers that share memory with the payload (no copy).
 */

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;

const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, variableMapSize: true });
// 'auto' (number up to ±2^53, bigint beyond) is implemented but missing from msgpackr's typings.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'auto' as 'bigint' });

function violation(message: string, cause?: unknown): WampError {
  return new WampError(WampErrorUri.protocolViolation, message, cause === undefined ? {} : { cause });
}

const hex = (byte: number): string => `0x${byte.toString(16).padStart(2, '0')}`;

/**
 * Bytes of a token that are fixed by its first byte (header plus fixed payload); 0 where the size
 * depends on a length field or the byte is handled apart.
 */
const FIXED_SIZE = new Uint8Array(256);
for (let b = 0; b < 0x80; b++) FIXED_SIZE[b] = 1;
for (let b = 0xe0; b < 0x100; b++) FIXED_SIZE[b] = 1;
for (const [b, n] of [
  [0xc0, 1], [0xc2, 1], [0xc3, 1], [0xca, 5], [0xcb, 9], [0xcc, 2], [0xcd, 3], [0xce, 5], [0xcf, 9],
  [0xd0, 2], [0xd1, 3], [0xd2, 5], [0xd3, 9], [0xd4, 3], [0xd5, 4], [0xd6, 6], [0xd7, 10], [0xd8, 18],
] as const) FIXED_SIZE[b] = n;

// Scanner state, reused: decoding is synchronous and never re-entered.
const itemsLeft = new Float64Array(MAX_DEPTH + 1);
const isMapLevel = new Uint8Array(MAX_DEPTH + 1);

function isUtf8At(buf: Buffer, start: number, end: number): boolean {
  let i = start;
  if (end - start < 64) {
    while (i < end && buf[i]! < 0x80) i++;
    if (i === end) return true;
  }
  return isUtf8(buf.subarray(i, end));
}

/** Validates a whole payload as exactly one MessagePack value of the kinds WAMP allows. */
function validate(buf: Buffer): void {
  const end = buf.length;
  let pos = 0;
  let depth = 0;
  itemsLeft[0] = 1;
  isMapLevel[0] = 0;
  for (;;) {
    while (itemsLeft[depth] === 0) {
      if (depth === 0) {
        if (pos !== end) throw violation(`MessagePack payload has ${end - pos} trailing bytes after the message`);
        return;
      }
      depth--;
    }
    if (pos >= end) throw violation(`MessagePack payload is truncated (${end} bytes)`);
    const isKey = isMapLevel[depth] === 1 && itemsLeft[depth]! % 2 === 0;
    itemsLeft[depth]!--;
    const b = buf[pos]!;
    let strLength = -1;
    let headerSize = 1;
    let children = 0;
    let map = false;
    if (b >= 0xa0 && b <= 0xbf) {
      strLength = b & 0x1f;
    } else if (b === 0xd9 || b === 0xda || b === 0xdb) {
      headerSize = b === 0xd9 ? 2 : b === 0xda ? 3 : 5;
      if (pos + headerSize > end) throw violation(`MessagePack payload is truncated (${end} bytes)`);
      strLength = b === 0xd9 ? buf[pos + 1]! : b === 0xda ? buf.readUInt16BE(pos + 1) : buf.readUInt32BE(pos + 1);
    } else if (isKey) {
      throw violation(`MessagePack map key at offset ${pos} is not a string (type byte ${hex(b)})`);
    }
    if (strLength >= 0) {
      const start = pos + headerSize;
      pos = start + strLength;
      if (pos > end) throw violation(`MessagePack payload is truncated (${end} bytes)`);
      if (!isUtf8At(buf, start, pos)) throw violation(`MessagePack string at offset ${start - headerSize} is not valid UTF-8`);
      continue;
    }
    if (b <= 0x7f || b >= 0xe0) {
      pos++;
      continue;
    }
    if (b <= 0x9f) {
      children = b & 0x0f;
      map = b <= 0x8f;
      pos++;
    } else {
      switch (b) {
        case 0xc1:
          throw violation(`MessagePack payload uses the reserved type byte 0xc1 at offset ${pos}`);
        case 0xc4:
        case 0xc5:
        case 0xc6: {
          headerSize = b === 0xc4 ? 2 : b === 0xc5 ? 3 : 5;
          if (pos + headerSize > end) throw violation(`MessagePack payload is truncated (${end} bytes)`);
          pos += headerSize + (b === 0xc4 ? buf[pos + 1]! : b === 0xc5 ? buf.readUInt16BE(pos + 1) : buf.readUInt32BE(pos + 1));
          if (pos > end) throw violation(`MessagePack payload is truncated (${end} bytes)`);
          continue;
        }
        case 0xd4:
          // fixext1 type 0 with data 0 is how msgpackr's default pack (used by JS clients such as
          // wampy) writes `undefined`; it is the one extension value accepted and decodes to undefined.
          if (pos + 3 <= end && buf[pos + 1] === 0 && buf[pos + 2] === 0) {
            pos += 3;
            continue;
          }
          throw violation(`MessagePack extension types are not allowed (fixext at offset ${pos})`);
        case 0xc7:
        case 0xc8:
        case 0xc9:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8:
          throw violation(`MessagePack extension types are not allowed (type byte ${hex(b)} at offset ${pos})`);
        case 0xdc:
        case 0xde:
          if (pos + 3 > end) throw violation(`MessagePack payload is truncated (${end} bytes)`);
          children = buf.readUInt16BE(pos + 1);
          map = b === 0xde;
          pos += 3;
          break;
        case 0xdd:
        case 0xdf:
          if (pos + 5 > end) throw violation(`MessagePack payload is truncated (${end} bytes)`);
          children = buf.readUInt32BE(pos + 1);
          map = b === 0xdf;
          pos += 5;
          break;
        default: {
          // nil, booleans, floats, fixed-width integers
          pos += FIXED_SIZE[b]!;
          if (pos > end) throw violation(`MessagePack payload is truncated (${end} bytes)`);
          continue;
        }
      }
    }
    // Every array or map is a level, an empty one too (as in the JSON and CBOR decoders).
    if (depth === MAX_DEPTH) throw violation(`MessagePack payload is nested deeper than ${MAX_DEPTH} levels`);
    if (children > 0) {
      depth++;
      itemsLeft[depth] = map ? children * 2 : children;
      isMapLevel[depth] = map ? 1 : 0;
    }
  }
}

/** Rewrites float64 tokens holding integers up to ±2^53 as uint64/int64 tokens of the same size. */
function patchIntegralFloats(buf: Buffer): void {
  if (buf.indexOf(0xcb) === -1) return;
  const end = buf.length;
  let pos = 0;
  while (pos < end) {
    const b = buf[pos]!;
    const fixed = FIXED_SIZE[b]!;
    if (b === 0xcb) {
      const value = buf.readDoubleBE(pos + 1);
      if (Number.isInteger(value) && value <= TWO_53 && value >= -TWO_53 && value !== 0) {
        const high = Math.floor(value / TWO_32);
        buf[pos] = value > 0 ? 0xcf : 0xd3;
        buf.writeInt32BE(high, pos + 1);
        buf.writeUInt32BE(value - high * TWO_32, pos + 5);
      }
      pos += 9;
    } else if (fixed !== 0) {
      pos += fixed;
    } else if (b >= 0xa0 && b <= 0xbf) {
      pos += 1 + (b & 0x1f);
    } else if (b <= 0x9f) {
      pos += 1; // fixmap / fixarray header; the elements follow as tokens of their own
    } else {
      switch (b) {
        case 0xc4: case 0xd9: pos += 2 + buf[pos + 1]!; break;
        case 0xc5: case 0xda: pos += 3 + buf.readUInt16BE(pos + 1); break;
        case 0xc6: case 0xdb: pos += 5 + buf.readUInt32BE(pos + 1); break;
        case 0xc7: pos += 3 + buf[pos + 1]!; break;
        case 0xc8: pos += 4 + buf.readUInt16BE(pos + 1); break;
        case 0xc9: pos += 6 + buf.readUInt32BE(pos + 1); break;
        case 0xdc: case 0xde: pos += 3; break;
        case 0xdd: case 0xdf: pos += 5; break;
        default: throw new Error(`unexpected MessagePack byte ${hex(b)} in packed output at offset ${pos}`);
      }
    }
  }
}

export const msgpackSerializer: Serializer = Object.freeze({
  name: 'msgpack',
  binary: true,

  encode(message: readonly unknown[]): Buffer {
    let buf: Buffer;
    try {
      buf = packr.pack(message);
    } catch (err) {
      throw new WampError(WampErrorUri.invalidPayload, `cannot serialize message to MessagePack: ${(err as Error).message}`, { cause: err });
    }
    patchIntegralFloats(buf);
    return buf;
  },

  decode(payload: Buffer): unknown {
    validate(payload);
    try {
      return unpackr.unpack(payload);
    } catch (err) {
      throw violation(`invalid MessagePack payload: ${(err as Error).message}`, err);
    }
  },
});
