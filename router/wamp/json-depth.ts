/**
 * The nesting depth of JSON text, measured without parsing it. JSON.parse has no depth limit and
 * lossless-json recurses once per level (a deep enough payload overflows the stack), so the JSON
 * decoder asks this first, as the msgpack and CBOR decoders bound depth in their validating pass.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** What a byte does outside strings: opens a level (+1), closes one (-1), starts a string, or nothing (0). */
const OPENS = 1;
const CLOSES = -1;
const STARTS_STRING = 2;
const BYTE_ROLE = new Int8Array(256);
BYTE_ROLE[0x5b] = OPENS; // [
BYTE_ROLE[0x7b] = OPENS; // {
BYTE_ROLE[0x5d] = CLOSES; // ]
BYTE_ROLE[0x7d] = CLOSES; // }
BYTE_ROLE[QUOTE] = STARTS_STRING;

/**
 * Keys and short values end within a few bytes, where a loop here is cheaper than a native search;
 * longer strings (text, base64 bytes) are skipped with `indexOf`.
 */
const SHORT_STRING = 32;

/**
 * Whether the JSON text in `payload` (UTF-8) nests arrays and objects more than `maxDepth` levels
 * deep, the outermost value being level 1. One iterative pass that stops at the first level too
 * many; brackets inside strings do not count. Only valid JSON gets an exact answer; for anything
 * else the parser reports the error.
 *
 * Each level takes two bytes (its brackets): callers may skip payloads shorter than 2·(maxDepth + 1).
 * @example jsonNestsDeeperThan(Buffer.from('[[1]]'), 1) // true
 */
export function jsonNestsDeeperThan(payload: Buffer, maxDepth: number): boolean {
  const end = payload.length;
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const role = BYTE_ROLE[payload[i]!]!;
    if (role === 0) continue;
    if (role === STARTS_STRING) {
      i = stringEnd(payload, i + 1);
      if (i === -1) return false;
    } else {
      depth += role;
      if (depth > maxDepth) return true;
    }
  }
  return false;
}

/** Index of the quote that ends the string whose content starts at `start`; -1 if it never ends. */
function stringEnd(payload: Buffer, start: number): number {
  const shortEnd = Math.min(payload.length, start + SHORT_STRING);
  let i = start;
  for (; i < shortEnd; i++) {
    const byte = payload[i];
    if (byte === QUOTE) return i;
    if (byte === BACKSLASH) i++; // the escaped byte cannot end the string
  }
  // `i` is past whole escapes here, so counting backslashes back to it is exact.
  for (let from = i; ; ) {
    const quote = payload.indexOf(QUOTE, from);
    if (quote === -1) return -1;
    let backslashes = 0;
    while (quote - backslashes - 1 >= from && payload[quote - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote; // `\"` is escaped, `\\"` is not
    from = quote + 1;
  }
}
