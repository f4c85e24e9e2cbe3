import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { blake2b } from '@noble/hashes/blake2.js';
import {
  sealBox,
  sealBoxWithEphemeralSecret,
  openSealedBox,
  SealedBoxKeyPair,
  SEALED_KEY_BYTES,
  ed25519PublicKeyToX25519,
} from '../../../schema/crypto/index.js';
import { WampError } from '../../../schema/errors.js';

await sodium.ready;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

function assertUri(fn: () => unknown, uri: string, argName?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WampError, `expected WampError, got ${String(err)}`);
    assert.equal(err.uri, uri);
    if (argName !== undefined) assert.match(err.message, new RegExp(argName));
    return true;
  });
}

// docs/protocol.md#test-vectors
const V = {
  key: unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  rsk: new Uint8Array(32).fill(0x42),
  rpk: '132c442be010fbd57e72603328aa76e71fccc1503aae219327d14d9c9993f472',
  esk: new Uint8Array(32).fill(0x24),
  epk: '04bcd2e0d00f2cce5fe8f1c6c2fbec5c07fa56e3aa5c88a5689975d88b3fce05',
  nonce: '93f86caff8c19948ab098472e23e27aa10d5c12a4954f6ed',
  sealed:
    '04bcd2e0d00f2cce5fe8f1c6c2fbec5c07fa56e3aa5c88a5689975d88b3fce05e703f1c13efe8943992ed8009ed0ffa892ca726fc4aedefc4f1e2f21ae1fc973e5482a7536009c8fef5f25b7117843fa',
};

test('docs/protocol.md#test-vectors vector: key pairs, BLAKE2b-192 nonce, sealed box (both directions)', () => {
  assert.equal(hex(SealedBoxKeyPair.fromSecretKey(V.rsk).publicKey), V.rpk);
  assert.equal(hex(SealedBoxKeyPair.fromSecretKey(V.esk).publicKey), V.epk);
  assert.equal(hex(blake2b(Buffer.concat([unhex(V.epk), unhex(V.rpk)]), { dkLen: 24 })), V.nonce);
  assert.equal(hex(sealBoxWithEphemeralSecret(V.key, unhex(V.rpk), V.esk)), V.sealed);
  assert.equal(hex(openSealedBox(unhex(V.sealed), unhex(V.rpk), V.rsk)), hex(V.key));
  assert.equal(hex(SealedBoxKeyPair.fromSecretKey(V.rsk).open(unhex(V.sealed))), hex(V.key));
  assert.equal(hex(sodium.crypto_box_seal_open(unhex(V.sealed), unhex(V.rpk), V.rsk)), hex(V.key));
});

test('seal a 32-byte key: 80 bytes, fresh ephemeral key each time', () => {
  const kp = SealedBoxKeyPair.generate();
  const a = sealBox(V.key, kp.publicKey);
  const b = sealBox(V.key, kp.publicKey);
  assert.equal(a.length, SEALED_KEY_BYTES);
  assert.equal(a.length, 80);
  assert.notEqual(hex(a.subarray(0, 32)), hex(b.subarray(0, 32)));
  assert.equal(hex(kp.open(a)), hex(V.key));
  assert.equal(sealBox(new Uint8Array(0), kp.publicKey).length, 48);
});

test('interop: ours seals, libsodium opens (random keys and messages)', () => {
  for (let i = 0; i < 100; i++) {
    const kp = sodium.crypto_box_keypair();
    const msg = rand(i === 0 ? 0 : randomInt(1, 300));
    const sealed = sealBox(msg, kp.publicKey);
    assert.equal(sealed.length, msg.length + 48);
    assert.equal(hex(sodium.crypto_box_seal_open(sealed, kp.publicKey, kp.privateKey)), hex(msg));
  }
});

test('interop: libsodium seals, ours opens (function and key-pair forms)', () => {
  for (let i = 0; i < 100; i++) {
    const kp = sodium.crypto_box_keypair();
    const msg = rand(randomInt(0, 300));
    const sealed = sodium.crypto_box_seal(msg, kp.publicKey);
    assert.equal(hex(openSealedBox(sealed, kp.publicKey, kp.privateKey)), hex(msg));
    assert.equal(hex(SealedBoxKeyPair.fromSecretKey(kp.privateKey).open(sealed)), hex(msg));
  }
});

test('interop: ours generates the key pair, libsodium seals to it', () => {
  for (let i = 0; i < 20; i++) {
    const kp = SealedBoxKeyPair.generate();
    const sk = kp.exportSecretKey();
    assert.equal(hex(sodium.crypto_scalarmult_base(sk)), hex(kp.publicKey));
    const sealed = sodium.crypto_box_seal(V.key, kp.publicKey);
    assert.equal(hex(kp.open(sealed)), hex(V.key));
    assert.equal(hex(openSealedBox(sealed, kp.publicKey, sk)), hex(V.key));
  }
});

test('Ed25519 buyer key: seal to the converted key, open with the Ed25519-derived pair (and libsodium)', () => {
  for (let i = 0; i < 20; i++) {
    const ed = sodium.crypto_sign_keypair();
    const xpk = ed25519PublicKeyToX25519(ed.publicKey);
    const sealed = sealBox(V.key, xpk);
    assert.equal(sealed.length, 80);
    assert.equal(hex(SealedBoxKeyPair.fromEd25519Secret(ed.privateKey).open(sealed)), hex(V.key));
    const xsk = sodium.crypto_sign_ed25519_sk_to_curve25519(ed.privateKey);
    assert.equal(hex(sodium.crypto_box_seal_open(sealed, sodium.crypto_sign_ed25519_pk_to_curve25519(ed.publicKey), xsk)), hex(V.key));
    const back = sodium.crypto_box_seal(V.key, sodium.crypto_sign_ed25519_pk_to_curve25519(ed.publicKey));
    assert.equal(hex(SealedBoxKeyPair.fromEd25519Secret(ed.privateKey.subarray(0, 32)).open(back)), hex(V.key));
  }
});

test('tampering with any byte makes opening fail with the documented URI', () => {
  const kp = SealedBoxKeyPair.generate();
  const sk = kp.exportSecretKey();
  const sealed = sealBox(V.key, kp.publicKey);
  for (let i = 0; i < sealed.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const t = sealed.slice();
      t[i] = t[i]! ^ bit;
      assertUri(() => kp.open(t), 'xbr.error.decryption_failed');
      assertUri(() => openSealedBox(t, kp.publicKey, sk), 'xbr.error.decryption_failed');
    }
  }
  // truncated or extended
  assertUri(() => kp.open(sealed.subarray(0, 79)), 'xbr.error.decryption_failed');
  assertUri(() => kp.open(Buffer.concat([sealed, new Uint8Array([0])])), 'xbr.error.decryption_failed');
});

test('wrong recipient fails (ours and libsodium)', () => {
  const a = SealedBoxKeyPair.generate();
  const b = SealedBoxKeyPair.generate();
  const sealed = sealBox(V.key, a.publicKey);
  assertUri(() => b.open(sealed), 'xbr.error.decryption_failed');
  const bsk = b.exportSecretKey();
  assertUri(() => openSealedBox(sealed, b.publicKey, bsk), 'xbr.error.decryption_failed');
  // right secret, wrong public key (the nonce depends on it)
  assertUri(() => openSealedBox(sealed, b.publicKey, a.exportSecretKey()), 'xbr.error.decryption_failed');
  assert.throws(() => sodium.crypto_box_seal_open(sealed, b.publicKey, bsk));
});

test('short and garbage inputs fail with the documented URI', () => {
  const kp = SealedBoxKeyPair.generate();
  for (let n = 0; n < 48; n++) assertUri(() => kp.open(rand(n)), 'xbr.error.decryption_failed');
  for (let i = 0; i < 50; i++) assertUri(() => kp.open(rand(randomInt(48, 200))), 'xbr.error.decryption_failed');
  // low-order ephemeral key (all zero): X25519 output would be zero
  const zeroEpk = new Uint8Array(80);
  assertUri(() => kp.open(zeroEpk), 'xbr.error.decryption_failed');
  const sealed = sealBox(V.key, kp.publicKey);
  sealed.fill(0, 0, 32);
  assertUri(() => kp.open(sealed), 'xbr.error.decryption_failed');
  assertUri(() => kp.open('x'.repeat(80) as unknown as Uint8Array), 'wamp.error.invalid_argument', 'sealed');
});

test('bad arguments are wamp.error.invalid_argument naming the argument', () => {
  const kp = SealedBoxKeyPair.generate();
  assertUri(() => sealBox(V.key, new Uint8Array(31)), 'wamp.error.invalid_argument', 'recipient_pubkey');
  assertUri(() => sealBox(V.key, new Uint8Array(32)), 'wamp.error.invalid_argument', 'recipient_pubkey'); // low order
  assertUri(() => sealBox('key' as unknown as Uint8Array, kp.publicKey), 'wamp.error.invalid_argument', 'message');
  assertUri(() => openSealedBox(rand(80), new Uint8Array(33), rand(32)), 'wamp.error.invalid_argument', 'recipient_pubkey');
  assertUri(() => openSealedBox(rand(80), kp.publicKey, rand(16)), 'wamp.error.invalid_argument', 'recipient_secret');
  assertUri(() => SealedBoxKeyPair.fromSecretKey(rand(64)), 'wamp.error.invalid_argument', 'secret_key');
});

test('openSealedBox caches the native key per array but notices changed bytes', () => {
  const a = sodium.crypto_box_keypair();
  const b = sodium.crypto_box_keypair();
  const sk = a.privateKey.slice();
  assert.equal(hex(openSealedBox(sodium.crypto_box_seal(V.key, a.publicKey), a.publicKey, sk)), hex(V.key));
  sk.set(b.privateKey);
  assert.equal(hex(openSealedBox(sodium.crypto_box_seal(V.key, b.publicKey), b.publicKey, sk)), hex(V.key));
});
