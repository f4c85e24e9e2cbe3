import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import {
  encodeCbor,
  decodeCbor,
  encryptPayload,
  encryptPayloadWithNonce,
  decryptPayload,
  encryptBytes,
  decryptBytes,
  PAYLOAD_SERIALIZER,
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
  payload: { data: 'py-seller', counter: 1 },
  cbor: 'a264646174616970792d73656c6c657267636f756e74657201',
  key: unhex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  nonce: unhex('a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7'),
  wire:
    'a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7958e1e08758d99eab81926da485f7b4994f1d37bf6078ede0e06482e9ac413b433f8bfdb57ff6d4d31',
};

test('serializer name is "cbor"', () => {
  assert.equal(PAYLOAD_SERIALIZER, 'cbor');
});

test('docs/protocol.md#test-vectors vector: CBOR bytes equal Python cbor2', () => {
  assert.equal(hex(encodeCbor(V.payload)), V.cbor);
  assert.deepEqual(decodeCbor(unhex(V.cbor)), V.payload);
  // the 3-byte map header some JS encoders emit decodes the same
  assert.deepEqual(decodeCbor(unhex('b90002' + V.cbor.slice(2))), V.payload);
});

test('docs/protocol.md#test-vectors vector: payload ciphertext with the fixed nonce; decrypts (ours and libsodium)', () => {
  const wire = encryptPayloadWithNonce(V.key, V.payload, V.nonce);
  assert.equal(wire.length, 65);
  assert.equal(hex(wire), V.wire);
  assert.deepEqual(decryptPayload(V.key, unhex(V.wire)), V.payload);
  assert.deepEqual(decryptPayload(V.key, unhex(V.wire), 'cbor'), V.payload);
  const w = unhex(V.wire);
  assert.equal(hex(sodium.crypto_secretbox_open_easy(w.subarray(24), w.subarray(0, 24), V.key)), V.cbor);
});

test('CBOR: bytes are plain byte strings (no tag 64), no records, nested values round-trip', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  assert.equal(hex(encodeCbor(bytes)), '43010203');
  const v = { id: bytes, n: -5, big: 2n ** 70n, f: 1.5, s: 'x', a: [1, { b: null }], t: true };
  const enc = encodeCbor(v);
  const again = encodeCbor({ ...v });
  assert.equal(hex(enc), hex(again)); // no shared structures/records between calls
  const dec = decodeCbor(enc) as Record<string, unknown>;
  assert.ok(dec['id'] instanceof Uint8Array);
  assert.equal(hex(dec['id'] as Uint8Array), '010203');
  assert.equal(dec['big'], 2n ** 70n);
  assert.deepEqual(dec['a'], [1, { b: null }]);
  assert.equal(hex(encodeCbor([1, 'a'])), '820161' + '61');
});

test('random payloads: ours encrypts, libsodium opens; libsodium encrypts, ours opens', () => {
  for (let i = 0; i < 100; i++) {
    const key = rand(32);
    const payload = { seq: i, blob: rand(randomInt(0, 2000)), text: 'x'.repeat(randomInt(0, 50)) };
    const wire = encryptPayload(key, payload);
    const cbor = encodeCbor(payload);
    assert.equal(wire.length, 40 + cbor.length);
    const plain = sodium.crypto_secretbox_open_easy(wire.subarray(24), wire.subarray(0, 24), key);
    assert.equal(hex(plain), hex(cbor));
    const nonce = rand(24);
    const theirs = Buffer.concat([nonce, sodium.crypto_secretbox_easy(cbor, nonce, key)]);
    const back = decryptPayload(key, theirs) as Record<string, unknown>;
    assert.equal(back['seq'], i);
    assert.equal(hex(back['blob'] as Uint8Array), hex(payload.blob));
    const raw = rand(randomInt(0, 500));
    assert.equal(hex(decryptBytes(key, encryptBytes(key, raw))), hex(raw));
  }
});

test('decoded byte strings are copies, not views of the input or of the wiped plaintext', () => {
  const enc = encodeCbor({ b: new Uint8Array([9, 8, 7]) });
  const dec = decodeCbor(enc) as { b: Uint8Array };
  enc.fill(0);
  assert.equal(hex(dec.b), '090807');
  const big = rand(4096);
  const back = decryptPayload(V.key, encryptPayload(V.key, { big })) as { big: Uint8Array };
  assert.equal(hex(back.big), hex(big));
});

test('fresh random nonce per message', () => {
  const a = encryptPayload(V.key, V.payload);
  const b = encryptPayload(V.key, V.payload);
  assert.notEqual(hex(a.subarray(0, 24)), hex(b.subarray(0, 24)));
  assert.deepEqual(decryptPayload(V.key, a), V.payload);
});

test('tampering with any byte, a wrong key, short or garbage input: xbr.error.decryption_failed', () => {
  const wire = unhex(V.wire);
  for (let i = 0; i < wire.length; i++) {
    const t = wire.slice();
    t[i] = t[i]! ^ 0x01;
    assertUri(() => decryptPayload(V.key, t), 'xbr.error.decryption_failed');
  }
  assertUri(() => decryptPayload(rand(32), wire), 'xbr.error.decryption_failed');
  assertUri(() => decryptPayload(V.key, wire.subarray(0, 64)), 'xbr.error.decryption_failed');
  for (let n = 0; n < 40; n++) assertUri(() => decryptPayload(V.key, rand(n)), 'xbr.error.decryption_failed');
  for (let i = 0; i < 20; i++) assertUri(() => decryptPayload(V.key, rand(randomInt(40, 300))), 'xbr.error.decryption_failed');
  // an empty plaintext is valid secretbox but not CBOR
  assertUri(() => decryptPayload(V.key, encryptBytes(V.key, new Uint8Array(0))), 'xbr.error.deserialization_failed');
});

test('not CBOR after decryption, or another serializer: xbr.error.deserialization_failed', () => {
  assertUri(() => decryptPayload(V.key, encryptBytes(V.key, unhex('a2646461'))), 'xbr.error.deserialization_failed');
  assertUri(() => decryptPayload(V.key, encryptBytes(V.key, unhex('ff'))), 'xbr.error.deserialization_failed');
  assertUri(() => decryptPayload(V.key, unhex(V.wire), 'json'), 'xbr.error.deserialization_failed');
});

test('bad arguments: wamp.error.invalid_argument naming the argument', () => {
  assertUri(() => encryptPayload(rand(31), V.payload), 'wamp.error.invalid_argument', 'key');
  assertUri(() => decryptPayload(rand(33), unhex(V.wire)), 'wamp.error.invalid_argument', 'key');
  assertUri(() => encryptPayloadWithNonce(V.key, V.payload, rand(12)), 'wamp.error.invalid_argument', 'nonce');
  assertUri(() => decryptPayload(V.key, 'abc' as unknown as Uint8Array), 'wamp.error.invalid_argument', 'ciphertext');
  assertUri(() => encryptPayload(V.key, () => 1), 'wamp.error.invalid_argument', 'payload');
});
