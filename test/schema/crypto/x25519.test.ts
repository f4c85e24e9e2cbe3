import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519PublicKeyToX25519, ed25519SecretKeyToX25519, SealedBoxKeyPair } from '../../../schema/crypto/index.js';
import { WampError } from '../../../schema/errors.js';

await sodium.ready;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function assertInvalidArgument(fn: () => unknown, argName: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WampError, `expected WampError, got ${String(err)}`);
    assert.equal(err.uri, 'wamp.error.invalid_argument');
    assert.match(err.message, new RegExp(argName));
    return true;
  });
}

test('Ed25519 → X25519 public and secret keys equal libsodium on random keys', () => {
  for (let i = 0; i < 50; i++) {
    const kp = sodium.crypto_sign_keypair();
    assert.equal(hex(ed25519PublicKeyToX25519(kp.publicKey)), hex(sodium.crypto_sign_ed25519_pk_to_curve25519(kp.publicKey)));
    const xsk = sodium.crypto_sign_ed25519_sk_to_curve25519(kp.privateKey);
    assert.equal(hex(ed25519SecretKeyToX25519(kp.privateKey)), hex(xsk)); // 64-byte seed ‖ pk
    assert.equal(hex(ed25519SecretKeyToX25519(kp.privateKey.subarray(0, 32))), hex(xsk)); // 32-byte seed
    // the converted secret's public key is the converted public key
    assert.equal(hex(sodium.crypto_scalarmult_base(xsk)), hex(ed25519PublicKeyToX25519(kp.publicKey)));
  }
});

test('conversion is cached but returns independent copies', () => {
  const kp = sodium.crypto_sign_keypair();
  const a = ed25519PublicKeyToX25519(kp.publicKey);
  a.fill(0);
  const b = ed25519PublicKeyToX25519(kp.publicKey);
  assert.equal(hex(b), hex(sodium.crypto_sign_ed25519_pk_to_curve25519(kp.publicKey)));
});

test('node:crypto Ed25519 key pair converts to the same X25519 keys as libsodium', () => {
  for (let i = 0; i < 10; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const edPk = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const seed = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16));
    const sodiumKp = sodium.crypto_sign_seed_keypair(seed);
    assert.equal(hex(sodiumKp.publicKey), hex(edPk));
    assert.equal(hex(ed25519PublicKeyToX25519(edPk)), hex(sodium.crypto_sign_ed25519_pk_to_curve25519(edPk)));
    assert.equal(hex(ed25519SecretKeyToX25519(privateKey)), hex(sodium.crypto_sign_ed25519_sk_to_curve25519(sodiumKp.privateKey)));
    const pair = SealedBoxKeyPair.fromEd25519Secret(privateKey);
    assert.equal(hex(pair.publicKey), hex(ed25519PublicKeyToX25519(edPk)));
    assert.equal(hex(pair.exportSecretKey()), hex(sodium.crypto_sign_ed25519_sk_to_curve25519(sodiumKp.privateKey)));
  }
});

test('public key conversion rejects wrong length and type, naming the argument', () => {
  assertInvalidArgument(() => ed25519PublicKeyToX25519(new Uint8Array(31)), 'buyer_pubkey');
  assertInvalidArgument(() => ed25519PublicKeyToX25519(new Uint8Array(33), 'edKey'), 'edKey');
  assertInvalidArgument(() => ed25519PublicKeyToX25519('ab'.repeat(32) as unknown as Uint8Array), 'buyer_pubkey');
  assertInvalidArgument(() => ed25519PublicKeyToX25519(null as unknown as Uint8Array), 'buyer_pubkey');
});

test('public key conversion rejects invalid points like libsodium', () => {
  const rejectedByBoth = (pk: Uint8Array): void => {
    assertInvalidArgument(() => ed25519PublicKeyToX25519(pk), 'buyer_pubkey');
    assert.throws(() => sodium.crypto_sign_ed25519_pk_to_curve25519(pk));
  };
  // identity and other small-order points
  const identity = new Uint8Array(32);
  identity[0] = 1;
  rejectedByBoth(identity);
  rejectedByBoth(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex'));
  rejectedByBoth(Buffer.from('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex'));
  // points that do not decode (no x for this y)
  let found = 0;
  for (let i = 0; i < 200 && found < 5; i++) {
    const b = new Uint8Array(randomBytes(32));
    b[31] = b[31]! & 0x7f;
    try {
      ed25519.Point.fromBytes(b);
    } catch {
      rejectedByBoth(b);
      found++;
    }
  }
  assert.ok(found > 0);
  // a mixed-order point: valid key + an 8-torsion point
  const torsion = ed25519.Point.fromBytes(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex'));
  const mixed = ed25519.Point.fromBytes(sodium.crypto_sign_keypair().publicKey).add(torsion).toBytes();
  rejectedByBoth(mixed);
});

test('secret key conversion rejects wrong length and key types', () => {
  assertInvalidArgument(() => ed25519SecretKeyToX25519(new Uint8Array(31)), 'secret_key');
  assertInvalidArgument(() => ed25519SecretKeyToX25519(new Uint8Array(48), 'seed'), 'seed');
  assertInvalidArgument(() => ed25519SecretKeyToX25519(generateKeyPairSync('ed25519').publicKey), 'secret_key');
  assertInvalidArgument(() => ed25519SecretKeyToX25519(generateKeyPairSync('x25519').privateKey), 'secret_key');
});
