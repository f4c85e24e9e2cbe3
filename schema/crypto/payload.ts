/**
 * Payload encryption for XBR data events (docs/protocol.md#payload-encryption `KeySeries.encrypt`, docs/protocol.md#buyer `unwrap`; docs/protocol.md#differences):
 * the payload is CBOR-encoded, then sealed with XSalsa20-Poly1305 (`crypto_secretbox`, tweetnacl) under
 * the 32-byte data key. Wire form: `nonce(24) ‖ mac(16) ‖ ciphertext` (length 40 + len(cbor)); the nonce
 * is fresh random (node:crypto) per message. The serializer name sent beside it is {@link PAYLOAD_SERIALIZER}.
 *
 * Error URIs:
 * - `XbrErrorUri.decryptionFailed` (`xbr.error.decryption_failed`) — too short, tampered, wrong key;
 * - `XbrErrorUri.deserializationFailed` (`xbr.error.deserialization_failed`) — decrypts but is not CBOR,
 *   or the serializer name is not `'cbor'`;
 * - `wamp.error.invalid_argument` — a key of the wrong length or a payload CBOR cannot encode.
 */
import { randomFillSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { Encoder } from 'cbor-x';
import { WampError } from '../errors.js';
import { XbrErrorUri } from '../error-uris.js';
import { invalidArgument, requireBytes } from './x25519.js';

/** The only payload serializer name (docs/protocol.md#payload-encryption): sent as `enc_ser` beside each ciphertext. */
export const PAYLOAD_SERIALIZER = 'cbor';
/** Length of a data key (`crypto_secretbox` key). */
export const DATA_KEY_BYTES = 32;
/** Length of the random nonce prefixed to every payload ciphertext. */
const PAYLOAD_NONCE_BYTES = 24;
/** Bytes added to the CBOR: nonce (24) + Poly1305 MAC (16). */
export const PAYLOAD_OVERHEAD = 40;

// Plain CBOR as Python cbor2 emits it: definite-length maps with minimal headers (variableMapSize), JS
// objects ↔ maps, Uint8Array ↔ byte strings without tag 64, no record extension, no shared structures.
// Decoded byte strings are copies (copyBuffers), never views into the input or the decrypted plaintext.
const cbor = new Encoder({
  copyBuffers: true,
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  tagUint8Array: false,
  pack: false,
  bundleStrings: false,
  structuredClone: false,
});

/**
 * CBOR-encodes a value as the payload serializer does.
 * @throws WampError `wamp.error.invalid_argument` when the value cannot be encoded
 */
export function encodeCbor(value: unknown): Uint8Array {
  try {
    return cbor.encode(value);
  } catch (err) {
    throw invalidArgument('payload', `cannot be CBOR-encoded: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/**
 * Decodes CBOR produced by {@link encodeCbor} or any plain encoder (cbor2, libsodium peers).
 * Byte strings decode to fresh Uint8Arrays (copies, not views of `bytes`), maps with string keys to plain objects.
 * @throws WampError `xbr.error.deserialization_failed` on malformed or trailing data
 */
export function decodeCbor(bytes: Uint8Array): unknown {
  try {
    return cbor.decode(bytes);
  } catch (err) {
    throw new WampError(XbrErrorUri.deserializationFailed, `payload is not valid CBOR: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * Encrypts a payload under a data key: `nonce(24) ‖ mac(16) ‖ secretbox(cbor(payload))`.
 * @param key - the 32-byte data key
 * @param payload - any CBOR-encodable value
 * @throws WampError `wamp.error.invalid_argument` for a bad key or an unencodable payload
 */
export function encryptPayload(key: Uint8Array, payload: unknown): Uint8Array {
  const nonce = new Uint8Array(PAYLOAD_NONCE_BYTES);
  randomFillSync(nonce);
  return encryptPayloadWithNonce(key, payload, nonce);
}

/**
 * {@link encryptPayload} with a caller-chosen nonce. Deterministic; **only for test vectors** — reusing a
 * nonce under one key breaks confidentiality.
 */
export function encryptPayloadWithNonce(key: Uint8Array, payload: unknown, nonce: Uint8Array): Uint8Array {
  return encryptBytesWithNonce(key, encodeCbor(payload), nonce);
}

/**
 * Encrypts raw bytes (no CBOR) in the payload wire form `nonce(24) ‖ mac(16) ‖ ciphertext`.
 * @throws WampError `wamp.error.invalid_argument` for a bad key or plaintext
 */
export function encryptBytes(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(PAYLOAD_NONCE_BYTES);
  randomFillSync(nonce);
  return encryptBytesWithNonce(key, plaintext, nonce);
}

function encryptBytesWithNonce(key: Uint8Array, plaintext: Uint8Array, nonce: Uint8Array): Uint8Array {
  requireBytes(key, DATA_KEY_BYTES, 'key');
  requireBytes(nonce, PAYLOAD_NONCE_BYTES, 'nonce');
  if (!(plaintext instanceof Uint8Array)) throw invalidArgument('plaintext', 'expected bytes');
  const box = nacl.secretbox(plaintext, nonce, key);
  const out = new Uint8Array(PAYLOAD_NONCE_BYTES + box.length);
  out.set(nonce, 0);
  out.set(box, PAYLOAD_NONCE_BYTES);
  return out;
}

/**
 * Decrypts the payload wire form back to raw bytes (no CBOR decoding).
 * @throws WampError `xbr.error.decryption_failed` when too short, tampered or under another key;
 *   `wamp.error.invalid_argument` for a key of the wrong length
 */
export function decryptBytes(key: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  requireBytes(key, DATA_KEY_BYTES, 'key');
  if (!(ciphertext instanceof Uint8Array)) throw invalidArgument('ciphertext', 'expected bytes');
  if (ciphertext.length < PAYLOAD_OVERHEAD) {
    throw new WampError(XbrErrorUri.decryptionFailed, `payload ciphertext too short: ${ciphertext.length} bytes, at least ${PAYLOAD_OVERHEAD} required`);
  }
  const m = nacl.secretbox.open(ciphertext.subarray(PAYLOAD_NONCE_BYTES), ciphertext.subarray(0, PAYLOAD_NONCE_BYTES), key);
  if (m === null) throw new WampError(XbrErrorUri.decryptionFailed, 'payload does not decrypt: wrong key or tampered');
  return m;
}

/**
 * Decrypts and CBOR-decodes a payload (the buyer's `unwrap`).
 * @param key - the 32-byte data key
 * @param ciphertext - `nonce(24) ‖ mac(16) ‖ ciphertext`
 * @param serializer - the serializer name received beside the ciphertext (default `'cbor'`)
 * @throws WampError `xbr.error.decryption_failed` (short, tampered, wrong key),
 *   `xbr.error.deserialization_failed` (not CBOR, or serializer ≠ `'cbor'`),
 *   `wamp.error.invalid_argument` (key of the wrong length)
 */
export function decryptPayload(key: Uint8Array, ciphertext: Uint8Array, serializer: string = PAYLOAD_SERIALIZER): unknown {
  if (serializer !== PAYLOAD_SERIALIZER) {
    throw new WampError(XbrErrorUri.deserializationFailed, `unsupported payload serializer "${String(serializer)}" (only "${PAYLOAD_SERIALIZER}")`);
  }
  const plain = decryptBytes(key, ciphertext);
  try {
    return decodeCbor(plain);
  } finally {
    plain.fill(0); // safe: decoded byte strings are copies (copyBuffers)
  }
}
