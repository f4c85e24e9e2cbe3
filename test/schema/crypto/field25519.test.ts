// GF(2^255 − 19) in 12 float limbs (schema/crypto/field25519.ts) against BigInt arithmetic, including
// inputs whose limbs sit at the bound every function guarantees (the exactness argument's worst case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Fe, fe, feAdd, feEquals, feFromBytes, feMul, fePow22523, feSqrN, feSub, feToBytes } from '../../../schema/crypto/field25519.js';

const P = 2n ** 255n - 19n;
const WIDTH = [22, 21, 21, 21, 22, 21, 21, 21, 22, 21, 21, 21];
const POS = WIDTH.map((_, k) => WIDTH.slice(0, k).reduce((a, b) => a + b, 0));
const mod = (n: bigint): bigint => ((n % P) + P) % P;
const toBig = (a: Fe): bigint => mod(WIDTH.reduce((acc, _, k) => acc + (BigInt(a[k]!) << BigInt(POS[k]!)), 0n));
const bytesOf = (n: bigint): Uint8Array => {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return b;
};
const bigOf = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const modPow = (b: bigint, e: bigint): bigint => {
  let r = 1n;
  for (let x = mod(b); e > 0n; e >>= 1n, x = (x * x) % P) if (e & 1n) r = (r * x) % P;
  return r;
};
const load = (n: bigint): Fe => feFromBytes(fe(), bytesOf(n));

/** Limbs all at ±(2^(w−1) + 2^14), the largest a carried element may have. */
const extreme = (sign: 1 | -1): Fe => Float64Array.from(WIDTH, (w, k) => (k % 2 === 0 ? sign : -sign) * (2 ** (w - 1) + 2 ** 14));

function assertCarried(a: Fe): void {
  for (let k = 0; k < 12; k++) assert.ok(Math.abs(a[k]!) <= 2 ** (WIDTH[k]! - 1) + 2 ** 14, `limb ${k} = ${a[k]}`);
}

const samples = (): bigint[] => [
  0n,
  1n,
  2n,
  19n,
  P - 1n,
  P - 2n,
  2n ** 254n,
  2n ** 255n - 20n,
  ...Array.from({ length: 300 }, () => mod(bigOf(new Uint8Array(randomBytes(32))))),
];

test('from/to bytes: canonical output, non-canonical input (bit 255 ignored, values ≥ p reduced)', () => {
  for (const n of samples()) assert.equal(bigOf(feToBytes(load(n))), n);
  for (let n = P; n < 2n ** 255n; n++) {
    const raw = bytesOf(n);
    assert.equal(bigOf(feToBytes(feFromBytes(fe(), raw))), n - P);
    raw[31] = raw[31]! | 0x80;
    assert.equal(bigOf(feToBytes(feFromBytes(fe(), raw))), n - P);
  }
  assert.equal(bigOf(feToBytes(extreme(1))), toBig(extreme(1)));
  assert.equal(bigOf(feToBytes(extreme(-1))), toBig(extreme(-1)));
});

test('add, sub, mul, squarings and equality agree with BigInt and keep limbs carried', () => {
  const xs = samples();
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = xs[(i * 7 + 3) % xs.length]!;
    const a = load(x);
    const b = load(y);
    for (const [out, want] of [
      [feAdd(fe(), a, b), mod(x + y)],
      [feSub(fe(), a, b), mod(x - y)],
      [feMul(fe(), a, b), mod(x * y)],
      [feSqrN(fe(), a, 1), mod(x * x)],
      [feSqrN(fe(), a, 5), modPow(x, 32n)],
    ] as const) {
      assertCarried(out);
      assert.equal(toBig(out), want);
    }
    assert.equal(feEquals(a, load(x)), true);
    assert.equal(feEquals(a, feAdd(fe(), a, fe(1))), false);
  }
  // worst-case limbs: the column sums are largest here
  for (const s of [1, -1] as const) {
    const a = extreme(s);
    const b = extreme(-1);
    assert.equal(toBig(feMul(fe(), a, b)), mod(toBig(a) * toBig(b)));
    assert.equal(toBig(feMul(fe(), a, a)), mod(toBig(a) * toBig(a)));
    assert.equal(toBig(feSqrN(fe(), a, 1)), mod(toBig(a) * toBig(a)));
    assertCarried(feMul(fe(), a, b));
  }
  assert.equal(feEquals(load(0n), feFromBytes(fe(), bytesOf(P))), true);
});

test('fePow22523 is z^((p − 5)/8)', () => {
  for (const n of samples().slice(0, 40)) assert.equal(toBig(fePow22523(fe(), load(n))), modPow(n, (P - 5n) / 8n));
});
