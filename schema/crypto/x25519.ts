/**
 * Ed25519 → X25519 key conversion (buyer keys, docs/protocol.md#differences): the buyer's `buyer_pubkey` is its Ed25519
 * (WAMP-cryptosign) public key; the seller converts it to X25519 to seal the data key to it, and the
 * buyer converts its Ed25519 secret to the matching X25519 secret to open the sealed box.
 *
 * Both conversions produce the same bytes as libsodium's `crypto_sign_ed25519_pk_to_curve25519` and
 * `crypto_sign_ed25519_sk_to_curve25519`.
 */
import { createHash, KeyObject } from 'node:crypto';
import { describeTypeName } from '../codec/argument.js';
import { WampError } from '../errors.js';
import { WampErrorUri } from '../error-uris.js';
import { type EdwardsRejection, edwardsToMontgomery } from './edwards-to-montgomery.js';

/** Length in bytes of Ed25519 and X25519 public keys, X25519 secret keys and Ed25519 seeds. */
export const KEY_BYTES = 32;

/** Thrown-error helper: `wamp.error.invalid_argument` naming the argument. */
export function invalidArgument(argName: string, message: string, cause?: unknown): WampError {
  return new WampError(
    WampErrorUri.invalidArgument,
    `invalid argument "${argName}": ${message}`,
    cause === undefined ? { kwargs: { argument: argName } } : { kwargs: { argument: argName }, cause },
  );
}

/** Checks that `value` is a Uint8Array of exactly `length` bytes, else throws `wamp.error.invalid_argument`. */
export function requireBytes(value: unknown, length: number, argName: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgument(argName, `expected ${length} bytes, got ${describeTypeName(value)}`);
  if (value.length !== length) throw invalidArgument(argName, `expected ${length} bytes, got ${value.length}`);
  return value;
}

// Conversions of public keys are pure and a buyer buys many keys with one public key, so the conversion
// (three field exponentiations, ~30 µs; see edwards-to-montgomery.ts) is cached. Public data only.
const PK_CACHE_MAX = 1024;
const pkCache = new Map<string, Uint8Array>();

const REJECTION_MESSAGES: Record<EdwardsRejection, string> = {
  // The original autobahn buyers send a raw X25519 key here: say what is expected instead.
  'not-on-curve':
    'not a valid Ed25519 public key (point does not decode); send the Ed25519 public key you authenticate with, not an X25519 key',
  'small-order': 'Ed25519 public key has small order',
  'not-in-subgroup': 'Ed25519 public key is not in the prime-order subgroup',
};

/**
 * Converts a 32-byte Ed25519 public key to the X25519 (Curve25519 Montgomery-u) public key of the same
 * secret, exactly as libsodium's `crypto_sign_ed25519_pk_to_curve25519`: the point must not have small
 * order (libsodium's blocklist), must decode (as libsodium does: y ≥ p is reduced, the sign bit is
 * irrelevant) and must lie in the prime-order subgroup; the output is u = (1 + y)/(1 − y).
 *
 * @param edPublicKey - the Ed25519 public key (32 bytes)
 * @param argName - argument name used in the error message (default `"buyer_pubkey"`)
 * @returns a fresh 32-byte X25519 public key
 * @throws WampError `wamp.error.invalid_argument` (message names `argName`) for a wrong type or length,
 *   a small-order point, a non-decodable point, or a point outside the prime-order subgroup
 */
export function ed25519PublicKeyToX25519(edPublicKey: Uint8Array, argName = 'buyer_pubkey'): Uint8Array {
  requireBytes(edPublicKey, KEY_BYTES, argName);
  const cacheKey = Buffer.from(edPublicKey.buffer, edPublicKey.byteOffset, KEY_BYTES).toString('hex');
  const hit = pkCache.get(cacheKey);
  if (hit !== undefined) {
    pkCache.delete(cacheKey); // LRU: move to the back
    pkCache.set(cacheKey, hit);
    return hit.slice();
  }
  const u = edwardsToMontgomery(edPublicKey);
  if (typeof u === 'string') throw invalidArgument(argName, REJECTION_MESSAGES[u]);
  if (pkCache.size >= PK_CACHE_MAX) {
    const oldest = pkCache.keys().next();
    if (oldest.done !== true) pkCache.delete(oldest.value);
  }
  pkCache.set(cacheKey, u.slice());
  return u;
}

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX_LEN = 16;

/**
 * Converts an Ed25519 secret to the X25519 secret key of the same key pair, exactly as libsodium's
 * `crypto_sign_ed25519_sk_to_curve25519`: the first 32 bytes of SHA-512(seed), clamped.
 *
 * @param edSecret - the 32-byte Ed25519 seed, the 64-byte `seed ‖ public key` secret key of
 *   libsodium/tweetnacl, or a node:crypto Ed25519 private `KeyObject`
 * @param argName - argument name used in the error message (default `"secret_key"`)
 * @returns a fresh 32-byte (clamped) X25519 secret key; the caller should wipe it when done
 * @throws WampError `wamp.error.invalid_argument` for a wrong type, length or key type
 */
export function ed25519SecretKeyToX25519(edSecret: Uint8Array | KeyObject, argName = 'secret_key'): Uint8Array {
  let seed: Uint8Array;
  let wipe: Uint8Array | undefined;
  if (edSecret instanceof KeyObject) {
    if (edSecret.type !== 'private' || edSecret.asymmetricKeyType !== 'ed25519') {
      throw invalidArgument(argName, `expected an Ed25519 private key, got a ${edSecret.type} ${edSecret.asymmetricKeyType ?? ''} key`);
    }
    const der = edSecret.export({ format: 'der', type: 'pkcs8' });
    seed = der.subarray(PKCS8_ED25519_PREFIX_LEN, PKCS8_ED25519_PREFIX_LEN + KEY_BYTES);
    wipe = der;
  } else if (edSecret instanceof Uint8Array && (edSecret.length === 32 || edSecret.length === 64)) {
    seed = edSecret.subarray(0, KEY_BYTES);
  } else {
    throw invalidArgument(
      argName,
      `expected a 32-byte Ed25519 seed or 64-byte secret key, got ${edSecret instanceof Uint8Array ? `${edSecret.length} bytes` : describeTypeName(edSecret)}`,
    );
  }
  const h = createHash('sha512').update(seed).digest();
  wipe?.fill(0);
  const out = new Uint8Array(h.subarray(0, KEY_BYTES));
  h.fill(0);
  clampX25519Secret(out);
  return out;
}

/** Clamps an X25519 scalar in place (RFC 7748: clear bits 0–2 and 255, set bit 254). */
export function clampX25519Secret(secret: Uint8Array): Uint8Array {
  secret[0] = secret[0]! & 248;
  secret[31] = (secret[31]! & 127) | 64;
  return secret;
}
