// The fast Ed25519 → X25519 conversion must accept and reject exactly what libsodium's
// crypto_sign_ed25519_pk_to_curve25519 does and return the same bytes: its subgroup test replaces [ℓ]P = O
// by a point halving and a 4-Tate pairing (see schema/crypto/edwards-to-montgomery.ts), so these tests are
// what shows the shortcut equals libsodium. Independent oracles: libsodium-wrappers (accept/reject, bytes)
// and noble (decodability, small order, torsion freeness: the rejection reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { edwardsToMontgomery, type EdwardsRejection } from '../../../schema/crypto/edwards-to-montgomery.js';
import { ed25519PublicKeyToX25519 } from '../../../schema/crypto/index.js';
import { WampError } from '../../../schema/errors.js';

await sodium.ready;

const Point = ed25519.Point;
const P = 2n ** 255n - 19n;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const withSignBit = (b: Uint8Array, bit: 0 | 1): Uint8Array => {
  const c = b.slice();
  c[31] = (c[31]! & 0x7f) | (bit << 7);
  return c;
};
const littleEndian = (n: bigint): Uint8Array => {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return b;
};

function sodiumConvert(pk: Uint8Array): string | undefined {
  try {
    return hex(sodium.crypto_sign_ed25519_pk_to_curve25519(pk));
  } catch {
    return undefined;
  }
}

/** `pk` decoded as libsodium does (noble's zip215 mode reduces y ≥ p; the sign bit does not matter). */
function decodeLikeSodium(pk: Uint8Array): InstanceType<typeof Point> | undefined {
  try {
    return Point.fromBytes(withSignBit(pk, 0), true);
  } catch {
    return undefined;
  }
}

/** The reason libsodium rejects `pk`, from noble: blocklist (y of a torsion point), decoding, subgroup. */
function expectedRejection(pk: Uint8Array): EdwardsRejection {
  const point = decodeLikeSodium(pk);
  if (point === undefined) return 'not-on-curve';
  if (point.isSmallOrder()) return 'small-order';
  assert.equal(point.isTorsionFree(), false, `${hex(pk)} is torsion-free but libsodium rejects it`);
  return 'not-in-subgroup';
}

/** Asserts that ours and libsodium agree on `pk`: same bytes, or both reject (with the expected reason). */
function assertSameAsSodium(pk: Uint8Array): 'accepted' | EdwardsRejection {
  const ours = edwardsToMontgomery(pk);
  const theirs = sodiumConvert(pk);
  if (theirs === undefined) {
    assert.equal(typeof ours, 'string', `libsodium rejects ${hex(pk)}, ours accepts it`);
    assert.equal(ours, expectedRejection(pk), `rejection reason of ${hex(pk)}`);
    return ours as EdwardsRejection;
  }
  assert.notEqual(typeof ours, 'string', `libsodium accepts ${hex(pk)}, ours rejects it (${String(ours)})`);
  assert.equal(hex(ours as Uint8Array), theirs, `output for ${hex(pk)}`);
  return 'accepted';
}

const randomValidKey = (): Uint8Array => sodium.crypto_sign_keypair().publicKey;

test('random valid keys: same X25519 bytes as libsodium, with either sign bit', () => {
  for (let i = 0; i < 3000; i++) {
    const pk = randomValidKey();
    assert.equal(assertSameAsSodium(pk), 'accepted');
    // bit 255 only picks ±x: libsodium ignores it for the output, and so do we
    assert.equal(assertSameAsSodium(withSignBit(pk, ((pk[31]! >> 7) ^ 1) as 0 | 1)), 'accepted');
  }
});

test('every small-order encoding (8 torsion points, both sign bits, non-canonical y = p, p + 1) is rejected as small order', () => {
  const encodings = [...ED25519_TORSION_SUBGROUP.map(fromHex), littleEndian(P), littleEndian(P + 1n)];
  for (const e of encodings) {
    for (const bit of [0, 1] as const) {
      const pk = withSignBit(e, bit);
      assert.equal(assertSameAsSodium(pk), 'small-order', hex(pk));
    }
  }
});

test('mixed-order points P + T, for every torsion point T ≠ O, are rejected as outside the subgroup', () => {
  const torsion = ED25519_TORSION_SUBGROUP.map((h) => Point.fromBytes(fromHex(h))).filter((t) => !t.equals(Point.ZERO));
  assert.equal(torsion.length, 7);
  for (let i = 0; i < 100; i++) {
    const base = Point.fromBytes(randomValidKey());
    for (const t of torsion) {
      const mixed = base.add(t).toBytes();
      assert.equal(assertSameAsSodium(mixed), 'not-in-subgroup', hex(mixed));
      assert.equal(assertSameAsSodium(withSignBit(mixed, ((mixed[31]! >> 7) ^ 1) as 0 | 1)), 'not-in-subgroup');
    }
  }
});

test('non-canonical y (p ≤ y < 2^255) and x = 0 with the sign bit set behave as in libsodium', () => {
  for (let y = P; y < 2n ** 255n; y++) {
    for (const bit of [0, 1] as const) assertSameAsSodium(withSignBit(littleEndian(y), bit));
  }
  // x = 0 only for y = ±1; "−0" encodings are small order for libsodium, not undecodable
  assert.equal(assertSameAsSodium(withSignBit(littleEndian(1n), 1)), 'small-order');
  assert.equal(assertSameAsSodium(withSignBit(littleEndian(P - 1n), 1)), 'small-order');
});

test('random 32-byte strings: same accept/reject set and reasons as libsodium (about half do not decode)', () => {
  const seen = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const outcome = assertSameAsSodium(new Uint8Array(randomBytes(32)));
    seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  }
  // a random y decodes half the time and then lies in the subgroup 1/8 of the time
  assert.ok((seen.get('not-on-curve') ?? 0) > 1500, JSON.stringify([...seen]));
  assert.ok((seen.get('not-in-subgroup') ?? 0) > 1200, JSON.stringify([...seen]));
  assert.ok((seen.get('accepted') ?? 0) > 100, JSON.stringify([...seen]));
});

test('multiples k·G of a point of order 8ℓ: accepted exactly when 8 divides k', () => {
  // walks every class of E/8E (E(F_p) ≅ Z/8ℓ) with non-torsion points of order ℓ, 2ℓ, 4ℓ and 8ℓ
  const generator = Point.fromBytes(randomValidKey()).add(Point.fromBytes(fromHex(ED25519_TORSION_SUBGROUP[1]!))); // order 8ℓ
  for (let k = 1n; k <= 64n; k++) {
    const q = generator.multiply(k);
    assert.equal(assertSameAsSodium(q.toBytes()) === 'accepted', k % 8n === 0n, `k = ${k}`);
  }
});

test('ed25519PublicKeyToX25519 keeps the error URI, the argument name and the specific reason', () => {
  const reason = (pk: Uint8Array): string => {
    try {
      ed25519PublicKeyToX25519(pk, 'buyer_pubkey');
    } catch (err) {
      assert.ok(err instanceof WampError);
      assert.equal(err.uri, 'wamp.error.invalid_argument');
      assert.equal(err.kwargs['argument'], 'buyer_pubkey');
      return err.message;
    }
    return 'accepted';
  };
  assert.match(reason(fromHex(ED25519_TORSION_SUBGROUP[1]!)), /^invalid argument "buyer_pubkey": Ed25519 public key has small order$/);
  const mixed = Point.fromBytes(randomValidKey()).add(Point.fromBytes(fromHex(ED25519_TORSION_SUBGROUP[4]!))).toBytes();
  assert.match(reason(mixed), /^invalid argument "buyer_pubkey": Ed25519 public key is not in the prime-order subgroup$/);
  let undecodable: Uint8Array | undefined;
  while (undecodable === undefined) {
    const b = new Uint8Array(randomBytes(32));
    if (decodeLikeSodium(b) === undefined) undecodable = b;
  }
  assert.match(reason(undecodable), /point does not decode\); send the Ed25519 public key you authenticate with, not an X25519 key$/);
  const valid = randomValidKey();
  assert.equal(reason(valid), 'accepted');
  assert.equal(hex(ed25519PublicKeyToX25519(valid)), sodiumConvert(valid));
});
