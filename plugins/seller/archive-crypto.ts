/**
 * Encryption at rest of archived data keys. The archive key is HKDF-SHA256 over the delegate's 32-byte
 * private key (empty salt, fixed info string), so whoever holds the delegate key can reopen the archive and
 * nobody else can read it. Each record is a secretbox (random nonce) over `keyId ‖ apiId ‖ created ‖ key`:
 * sealing the ids and time together with the key means a record copied under another key id, or with its
 * clear-text index fields edited, fails to verify instead of yielding the wrong key.
 */
import { hkdfSync } from 'node:crypto';
import { expectBytes } from '../../schema/codec/index.js';
import { decryptBytes, encryptBytes, DATA_KEY_BYTES, PAYLOAD_OVERHEAD } from '../../schema/crypto/index.js';

/** HKDF info string; changing it would orphan every existing archive. */
export const ARCHIVE_KEY_INFO = 'xbr-edge/seller/key-archive/v1';
/** Plaintext of the check record that tells a wrong delegate key from a corrupt record. */
const CHECK_PLAINTEXT = new TextEncoder().encode('xbr-edge seller key archive check v1');

const RECORD_PLAIN_BYTES = 16 + 16 + 8 + DATA_KEY_BYTES;
/** Length of a sealed key record. */
export const SEALED_RECORD_BYTES = PAYLOAD_OVERHEAD + RECORD_PLAIN_BYTES;

/**
 * Derives the 32-byte archive key from the delegate's private key.
 * @throws WampError `wamp.error.invalid_argument` unless `delegateKey` is 32 bytes
 * @example const k = deriveArchiveKey(sellerKey); // same delegate key → same archive key
 */
export function deriveArchiveKey(delegateKey: Uint8Array): Uint8Array {
  expectBytes('delegateKey', delegateKey, 32);
  return new Uint8Array(hkdfSync('sha256', delegateKey, new Uint8Array(0), ARCHIVE_KEY_INFO, 32));
}

/** A fresh check record for a new archive. */
export function sealCheck(archiveKey: Uint8Array): Uint8Array {
  return encryptBytes(archiveKey, CHECK_PLAINTEXT);
}

/** True when the check record was sealed under `archiveKey`. */
export function checkOpens(archiveKey: Uint8Array, check: Uint8Array): boolean {
  try {
    const plain = decryptBytes(archiveKey, check);
    return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength).equals(CHECK_PLAINTEXT);
  } catch {
    return false; // any failure to open means "not this key"; the caller raises the clear error
  }
}

/** Seals one key record. */
export function sealRecord(archiveKey: Uint8Array, keyId: Uint8Array, apiId: Uint8Array, created: bigint, key: Uint8Array): Uint8Array {
  const plain = Buffer.alloc(RECORD_PLAIN_BYTES);
  plain.set(keyId, 0);
  plain.set(apiId, 16);
  plain.writeBigUInt64BE(created, 32);
  plain.set(key, 40);
  try {
    return encryptBytes(archiveKey, plain);
  } finally {
    plain.fill(0);
  }
}

/**
 * Opens a key record and checks that it belongs to `keyId`/`apiId`/`created`; returns the key, or
 * undefined when it does not open or does not match (the caller reports it).
 */
export function openRecord(archiveKey: Uint8Array, sealed: Uint8Array, keyId: Uint8Array, apiId: Uint8Array, created: bigint): Uint8Array | undefined {
  let plain: Buffer;
  try {
    const m = decryptBytes(archiveKey, sealed);
    plain = Buffer.from(m.buffer, m.byteOffset, m.byteLength); // a view, so the fill below wipes the plaintext
  } catch {
    return undefined;
  }
  try {
    if (plain.length !== RECORD_PLAIN_BYTES) return undefined;
    if (!plain.subarray(0, 16).equals(keyId) || !plain.subarray(16, 32).equals(apiId) || plain.readBigUInt64BE(32) !== created) return undefined;
    return new Uint8Array(plain.subarray(40));
  } finally {
    plain.fill(0);
  }
}
