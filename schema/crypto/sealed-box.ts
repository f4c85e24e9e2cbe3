/**
 * libsodium-compatible sealed boxes (`crypto_box_seal` / `crypto_box_seal_open`), used to hand a
 * 32-byte data key to a buyer (docs/protocol.md#sealed-key "Key sealing", docs/protocol.md#sealed-key).
 *
 * Layout: `epk(32) ‖ mac(16) ‖ ciphertext` (80 bytes for a 32-byte key), where
 * - `epk` is a fresh ephemeral X25519 public key,
 * - nonce = BLAKE2b(epk ‖ recipient_pk) with a 24-byte digest length (a BLAKE2b parameter, not a truncation),
 * - key = HSalsa20(X25519(esk, recipient_pk)) (libsodium `crypto_box_beforenm`),
 * - `mac ‖ ciphertext` = XSalsa20-Poly1305 (`crypto_secretbox`) of the message.
 *
 * Speed: X25519 key generation and Diffie-Hellman run natively in node:crypto (OpenSSL); BLAKE2b is
 * @noble/hashes; HSalsa20 and XSalsa20-Poly1305 are tweetnacl. The ephemeral public key is obtained as
 * returned by key generation itself as JWK (a separate export of a KeyObject is slower, see below); a secret
 * given from outside gets its public key as X25519(esk, 9), a native DH against the base point.
 *
 * Error URIs:
 * - `XbrErrorUri.decryptionFailed` (`xbr.error.decryption_failed`) — a sealed box that does not open: too
 *   short, tampered, sealed to another key, or with a low-order ephemeral key (docs/protocol.md#buyer uses this URI).
 * - `wamp.error.invalid_argument` — a key argument of the wrong type or length, or a recipient public key
 *   that is a low-order point; the message names the argument.
 */
import { createPublicKey, createPrivateKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { blake2b } from '@noble/hashes/blake2.js';
import { WampError } from '../errors.js';
import { XbrErrorUri } from '../error-uris.js';
import { invalidArgument, requireBytes, ed25519SecretKeyToX25519, clampX25519Secret, KEY_BYTES } from './x25519.js';

const MAC_BYTES = 16;
const NONCE_BYTES = 24;

/** Bytes a sealed box adds to the message: ephemeral public key (32) + Poly1305 MAC (16). */
const SEALED_BOX_OVERHEAD = KEY_BYTES + MAC_BYTES;
/** Length of the sealed box of a 32-byte data key (80). */
export const SEALED_KEY_BYTES = SEALED_BOX_OVERHEAD + KEY_BYTES;

/** The subset of tweetnacl's untyped `nacl.lowlevel` used here. */
interface NaclLowLevel {
  crypto_core_hsalsa20(out: Uint8Array, inp: Uint8Array, k: Uint8Array, c: Uint8Array): number;
}
const lowlevel = (nacl as unknown as { lowlevel: NaclLowLevel }).lowlevel;
const SIGMA = new Uint8Array(Buffer.from('expand 32-byte k', 'latin1'));
const ZERO16 = new Uint8Array(16);

const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

// Raw keys enter node:crypto as JWK: Node builds those with EVP_PKEY_new_raw_*_key, ~10 µs for a public
// key, while the DER (SPKI/PKCS#8) route goes through OpenSSL 3's decoders (~100 µs public, ~500 µs
// private). Keys never leave as JWK: `KeyObject.export({format: 'jwk'})` hung in a tight loop on Node
// 20.20 here, and DER export costs ~100 µs; public keys are computed as X25519(sk, 9) instead.
const b64u = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(raw) }, format: 'jwk' });
}

/**
 * Node requires `x` in a private JWK but derives the public key from `d`; any 32-byte value will do.
 * (The base64url `d` string cannot be wiped; it is built once per key pair, never per seal or open.)
 */
const DUMMY_X = b64u(new Uint8Array(KEY_BYTES));
let privateJwkWorks = true;

function privateKeyObject(secret: Uint8Array): KeyObject {
  if (privateJwkWorks) {
    try {
      return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(secret), x: DUMMY_X }, format: 'jwk' });
    } catch {
      privateJwkWorks = false; // a Node that checks x against d: use the (slower) PKCS#8 route
    }
  }
  const der = Buffer.concat([PKCS8_X25519_PREFIX, secret]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

const BASE_POINT = (() => {
  const u = new Uint8Array(KEY_BYTES);
  u[0] = 9;
  return publicKeyObject(u);
})();

// Recipient public keys repeat (one buyer key, many purchases): cache their KeyObjects. Public data only.
const RECIPIENT_CACHE_MAX = 1024;
const recipientCache = new Map<string, KeyObject>();

function recipientKeyObject(pk: Uint8Array): KeyObject {
  const id = Buffer.from(pk.buffer, pk.byteOffset, KEY_BYTES).toString('latin1');
  let ko = recipientCache.get(id);
  if (ko === undefined) {
    ko = publicKeyObject(pk);
    if (recipientCache.size >= RECIPIENT_CACHE_MAX) {
      const oldest = recipientCache.keys().next();
      if (oldest.done !== true) recipientCache.delete(oldest.value);
    }
    recipientCache.set(id, ko);
  }
  return ko;
}

/** X25519 then HSalsa20 = libsodium `crypto_box_beforenm`. Returns undefined for an all-zero shared secret. */
function beforenm(privateKey: KeyObject, publicKey: KeyObject): Uint8Array | undefined {
  let s: Buffer;
  try {
    s = diffieHellman({ privateKey, publicKey }); // OpenSSL refuses an all-zero (low-order) result
  } catch {
    return undefined;
  }
  const k = new Uint8Array(32);
  lowlevel.crypto_core_hsalsa20(k, ZERO16, s, SIGMA);
  s.fill(0);
  return k;
}

function sealNonce(epk: Uint8Array, rpk: Uint8Array): Uint8Array {
  return blake2b.create({ dkLen: NONCE_BYTES }).update(epk).update(rpk).digest();
}

function rawPublicOf(privateKey: KeyObject): Uint8Array {
  const pk = diffieHellman({ privateKey, publicKey: BASE_POINT });
  return new Uint8Array(pk.buffer, pk.byteOffset, KEY_BYTES);
}

type JwkPairGenerator = (type: 'x25519', options: { publicKeyEncoding: { format: 'jwk' } }) => { privateKey: KeyObject; publicKey: { x?: string } };

function sealWith(message: Uint8Array, recipientPublicKey: Uint8Array, esk: KeyObject, epk: Uint8Array): Uint8Array {
  const k = beforenm(esk, recipientKeyObject(recipientPublicKey));
  if (k === undefined) throw invalidArgument('recipient_pubkey', 'X25519 public key is a low-order point');
  const box = nacl.secretbox(message, sealNonce(epk, recipientPublicKey), k);
  k.fill(0);
  const out = new Uint8Array(KEY_BYTES + box.length);
  out.set(epk, 0);
  out.set(box, KEY_BYTES);
  return out;
}

/**
 * Seals `message` to an X25519 public key (libsodium `crypto_box_seal`).
 *
 * @param message - the plaintext (a 32-byte data key in XBR)
 * @param recipientPublicKey - the recipient's X25519 public key (32 bytes); for an Ed25519 buyer key,
 *   convert it first with `ed25519PublicKeyToX25519`
 * @returns `epk(32) ‖ mac(16) ‖ ciphertext`, `message.length + 48` bytes (80 for a 32-byte key)
 * @throws WampError `wamp.error.invalid_argument` for a bad `message` or `recipient_pubkey`
 */
export function sealBox(message: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) throw invalidArgument('message', 'expected bytes');
  requireBytes(recipientPublicKey, KEY_BYTES, 'recipient_pubkey');
  // The public half comes out of key generation as JWK: ~40 µs for both, against ~90 µs for a KeyObject pair
  // plus X25519(esk, 9) (measured on Node 20.20; the separate `export` call is what hangs or costs, not this).
  // (@types/node has no overload for a JWK public half with a KeyObject private half.)
  const { privateKey, publicKey } = (generateKeyPairSync as unknown as JwkPairGenerator)('x25519', { publicKeyEncoding: { format: 'jwk' } });
  const epk = publicKey.x === undefined ? undefined : Buffer.from(publicKey.x, 'base64url');
  return sealWith(message, recipientPublicKey, privateKey, epk?.length === KEY_BYTES ? new Uint8Array(epk.buffer, epk.byteOffset, KEY_BYTES) : rawPublicOf(privateKey));
}

/**
 * Seals with a caller-chosen ephemeral secret. Deterministic; **only for test vectors** — real sealing
 * must use {@link sealBox}, whose ephemeral key is fresh for every box.
 */
export function sealBoxWithEphemeralSecret(message: Uint8Array, recipientPublicKey: Uint8Array, ephemeralSecretKey: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) throw invalidArgument('message', 'expected bytes');
  requireBytes(recipientPublicKey, KEY_BYTES, 'recipient_pubkey');
  const esk = privateKeyObject(requireBytes(ephemeralSecretKey, KEY_BYTES, 'ephemeral_secret'));
  return sealWith(message, recipientPublicKey, esk, rawPublicOf(esk));
}

function openWith(sealed: Uint8Array, recipientPublicKey: Uint8Array, privateKey: KeyObject): Uint8Array {
  if (!(sealed instanceof Uint8Array)) throw invalidArgument('sealed', 'expected bytes');
  if (sealed.length < SEALED_BOX_OVERHEAD) {
    throw new WampError(XbrErrorUri.decryptionFailed, `sealed box too short: ${sealed.length} bytes, at least ${SEALED_BOX_OVERHEAD} required`);
  }
  const epk = sealed.subarray(0, KEY_BYTES);
  let k: Uint8Array | undefined;
  try {
    k = beforenm(privateKey, publicKeyObject(epk));
  } catch {
    k = undefined;
  }
  if (k === undefined) throw new WampError(XbrErrorUri.decryptionFailed, 'sealed box does not open: invalid ephemeral key');
  const m = nacl.secretbox.open(sealed.subarray(KEY_BYTES), sealNonce(epk, recipientPublicKey), k);
  k.fill(0);
  if (m === null) throw new WampError(XbrErrorUri.decryptionFailed, 'sealed box does not open: wrong key or tampered');
  return m;
}

// Building a private KeyObject from raw bytes costs ~50 µs, as much as the DH itself; cache it per
// secret-key array (weakly, and re-checked against a copy of the bytes).
const secretCache = new WeakMap<Uint8Array, { copy: Uint8Array; key: KeyObject }>();

function cachedPrivateKeyObject(sk: Uint8Array): KeyObject {
  const hit = secretCache.get(sk);
  if (hit !== undefined && Buffer.compare(hit.copy, sk) === 0) return hit.key;
  const key = privateKeyObject(sk);
  secretCache.set(sk, { copy: sk.slice(), key });
  return key;
}

/**
 * Opens a sealed box (libsodium `crypto_box_seal_open`). For many opens with one key prefer
 * {@link SealedBoxKeyPair}, which keeps the native key object.
 *
 * @param sealed - `epk(32) ‖ mac(16) ‖ ciphertext`
 * @param recipientPublicKey - the recipient's X25519 public key (32 bytes; part of the nonce)
 * @param recipientSecretKey - the recipient's X25519 secret key (32 bytes)
 * @returns the plaintext
 * @throws WampError `XbrErrorUri.decryptionFailed` (`xbr.error.decryption_failed`) when the box is too
 *   short, tampered or sealed to another key; `wamp.error.invalid_argument` for a key of the wrong length
 */
export function openSealedBox(sealed: Uint8Array, recipientPublicKey: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array {
  requireBytes(recipientPublicKey, KEY_BYTES, 'recipient_pubkey');
  requireBytes(recipientSecretKey, KEY_BYTES, 'recipient_secret');
  return openWith(sealed, recipientPublicKey, cachedPrivateKeyObject(recipientSecretKey));
}

/**
 * An X25519 key pair that receives sealed boxes (the buyer's receive key). Holds the secret as a native
 * node:crypto `KeyObject`, so opening costs one native DH.
 */
export class SealedBoxKeyPair {
  /** The X25519 public key to send as `buyer_pubkey` (or, for an Ed25519-derived pair, its X25519 form). */
  readonly publicKey: Uint8Array;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    this.publicKey = rawPublicOf(privateKey).slice();
  }

  /** A fresh random X25519 key pair (node:crypto CSPRNG). */
  static generate(): SealedBoxKeyPair {
    return new SealedBoxKeyPair(generateKeyPairSync('x25519').privateKey);
  }

  /**
   * From a raw 32-byte X25519 secret key (clamped on use, as X25519 always does).
   * @throws WampError `wamp.error.invalid_argument` for a wrong length
   */
  static fromSecretKey(secretKey: Uint8Array): SealedBoxKeyPair {
    return new SealedBoxKeyPair(privateKeyObject(requireBytes(secretKey, KEY_BYTES, 'secret_key')));
  }

  /**
   * From an Ed25519 secret (32-byte seed, 64-byte `seed ‖ pk`, or node:crypto private KeyObject): the pair
   * whose public key equals `ed25519PublicKeyToX25519(edPublicKey)`, i.e. the one a seller seals to when
   * given this Ed25519 key as `buyer_pubkey`.
   */
  static fromEd25519Secret(edSecret: Uint8Array | KeyObject): SealedBoxKeyPair {
    const sk = ed25519SecretKeyToX25519(edSecret);
    try {
      return new SealedBoxKeyPair(privateKeyObject(clampX25519Secret(sk)));
    } finally {
      sk.fill(0);
    }
  }

  /** The raw 32-byte X25519 secret key (exported from the native key; wipe it after use). */
  exportSecretKey(): Uint8Array {
    const der = this.#privateKey.export({ format: 'der', type: 'pkcs8' });
    const out = new Uint8Array(der.subarray(PKCS8_X25519_PREFIX.length, PKCS8_X25519_PREFIX.length + KEY_BYTES));
    der.fill(0);
    return out;
  }

  /**
   * Opens a sealed box addressed to this key pair.
   * @throws WampError `XbrErrorUri.decryptionFailed` (`xbr.error.decryption_failed`) on any failure to open
   */
  open(sealed: Uint8Array): Uint8Array {
    return openWith(sealed, this.publicKey, this.#privateKey);
  }
}
