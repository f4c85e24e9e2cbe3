/**
 * UUIDs on the wire are their 16 raw bytes in RFC 4122 order (Python `uuid.UUID.bytes`); market, channel,
 * key, api, offer, catalog and transaction ids all use it. Strings are canonical lowercase
 * `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
 */
import { randomFillSync } from 'node:crypto';
import { argumentError, describe, expectBytes, toHex } from './argument.js';
import type { Uuid } from './types.js';

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/**
 * Checks that `bytes` is 16 bytes and returns it typed as a {@link Uuid} (no copy).
 *
 * @throws WampError `wamp.error.invalid_argument` (`<name>: expected 16 bytes, got 20`).
 * @example
 * const channel = asUuid(args[0], 'channel_oid');
 */
export function asUuid(bytes: unknown, name = 'uuid'): Uuid {
  return expectBytes(name, bytes, 16) as Uuid;
}

/**
 * Parses a UUID string (hyphenated, or 32 hex digits without hyphens; any case) into its 16 bytes.
 *
 * @throws WampError `wamp.error.invalid_argument` for anything else.
 * @example
 * toHex(parseUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8')); // '6ba7b8109dad11d180b400c04fd430c8'
 */
export function parseUuid(text: string, name = 'uuid'): Uuid {
  if (typeof text !== 'string') throw argumentError(name, 'a UUID string', describe(text));
  if (!UUID_RE.test(text) || (text.length !== 36 && text.length !== 32)) {
    throw argumentError(name, 'a UUID string (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)', JSON.stringify(text.slice(0, 40)));
  }
  const hex = text.length === 36 ? text.replaceAll('-', '') : text;
  return new Uint8Array(Buffer.from(hex, 'hex')) as Uuid;
}

/**
 * Formats 16 bytes as the canonical lowercase UUID string (Python `str(uuid.UUID(bytes=...))`).
 *
 * @throws WampError `wamp.error.invalid_argument` if `bytes` is not 16 bytes.
 * @example
 * formatUuid(parseUuid('6BA7B810-9DAD-11D1-80B4-00C04FD430C8')); // '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
 */
export function formatUuid(bytes: Uint8Array, name = 'uuid'): string {
  const hex = toHex(expectBytes(name, bytes, 16));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const POOL_BYTES = 16 * 256;
const pool = new Uint8Array(POOL_BYTES);
let poolUsed = POOL_BYTES;

/**
 * A new random version-4 UUID (RFC 4122 variant), as 16 bytes, from the CSPRNG.
 *
 * @example
 * const offerId = randomUuid(); // formatUuid(offerId)[14] === '4'
 */
export function randomUuid(): Uuid {
  const b = randomBytes16();
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return b as Uuid;
}

/**
 * A new version-7 UUID (RFC 9562): the first 48 bits are the Unix time in ms, big-endian, the other 74
 * free bits come from the CSPRNG. Ids drawn later sort after earlier ones (to the ms), so a table keyed
 * by them grows at its right edge: the purchases of one commit touch one B-tree leaf, not one each.
 * @example
 * const tid = timeOrderedUuid(); // formatUuid(tid)[14] === '7'
 */
export function timeOrderedUuid(nowMs: number = Date.now()): Uuid {
  const b = randomBytes16();
  let ms = Math.floor(nowMs);
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = ((b[6] as number) & 0x0f) | 0x70;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return b as Uuid;
}

/** 16 fresh random bytes; one CSPRNG call per 256 ids instead of one per id (every purchase draws one). */
function randomBytes16(): Uint8Array {
  if (poolUsed === POOL_BYTES) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const b = pool.slice(poolUsed, poolUsed + 16);
  pool.fill(0, poolUsed, poolUsed + 16);
  poolUsed += 16;
  return b;
}
