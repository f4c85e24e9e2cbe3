/**
 * Arithmetic in GF(2^255 − 19) for the Ed25519 → X25519 public key conversion (edwards-to-montgomery.ts).
 *
 * Why not BigInt: a BigInt multiply-and-reduce costs ~0.5 µs, and the conversion needs three 252-bit
 * exponentiations (~800 multiplications); here a squaring costs ~35 ns and a multiplication ~65 ns.
 *
 * An element is 12 limbs in a Float64Array; limb k weighs 2^⌈21.25·k⌉ (widths 22, 21, 21, 21, repeated
 * three times), so the limbs cover exactly 255 bits and 2^255 ≡ 19 folds the upper half of a product back
 * with a factor 19. The product of limbs i and j weighs either the weight of limb (i + j) mod 12 or twice it
 * (⌈x⌉ + ⌈y⌉ − ⌈x + y⌉ ∈ {0, 1}); the factors 2, 19 and 38 below are those weights (4 and 76 in a
 * squaring, which adds each cross product twice).
 *
 * Exactness: every function returns "carried" limbs, |limb k| ≤ 2^(w_k − 1) + 2^14 (signed, round-to-nearest
 * carries), so each column of a product is an integer below 2^49 in magnitude, far inside the 2^53 that
 * doubles hold exactly. A carry rounds c to the nearest multiple of 2^w by adding and subtracting
 * 1.5·2^(52+w) (the sum's unit in the last place is 2^w), which is cheaper than Math.floor; three carry
 * chains run interleaved to shorten the dependency chain of a squaring.
 *
 * Not constant-time (early exits, data-dependent normalisation): only public keys go through here.
 */

/** A field element: 12 carried limbs (see above). */
export type Fe = Float64Array;

const LIMBS = 12;
/** Bit width of each limb, and 2^width. */
const WIDTH = [22, 21, 21, 21, 22, 21, 21, 21, 22, 21, 21, 21] as const;
const SIZE = WIDTH.map((w) => 2 ** w);
const M22 = 1.5 * 2 ** 74;
const M21 = 1.5 * 2 ** 73;
const R22 = 2 ** -22;
const R21 = 2 ** -21;
/** Carry out of the top limb: 2^255 ≡ 19. */
const R21X19 = 19 * 2 ** -21;

/** A new element holding the small non-negative integer `n` (< 2^21). */
export function fe(n = 0): Fe {
  const a = new Float64Array(LIMBS);
  a[0] = n;
  return a;
}

/** Carries limbs of magnitude below 2^52 in place (sequential, for the rare additions). */
function carry(a: Fe): void {
  for (let k = 0; k < LIMBS; k++) {
    const m = WIDTH[k] === 22 ? M22 : M21;
    const r = a[k]! + m - m;
    a[k] = a[k]! - r;
    if (k < LIMBS - 1) a[k + 1] = a[k + 1]! + r * (WIDTH[k] === 22 ? R22 : R21);
    else a[0] = a[0]! + r * R21X19;
  }
  const r = a[0]! + M22 - M22;
  a[0] = a[0]! - r;
  a[1] = a[1]! + r * R22;
}

/**
 * Loads 32 little-endian bytes ignoring bit 255, like libsodium's fe25519_frombytes: values ≥ p are kept
 * as they are (they are congruent to their reduction, which every later operation works modulo).
 */
export function feFromBytes(o: Fe, bytes: Uint8Array): Fe {
  let acc = 0;
  let bits = 0;
  let i = 0;
  for (let k = 0; k < LIMBS; k++) {
    const w = WIDTH[k]!;
    while (bits < w) {
      acc |= (i === 31 ? bytes[31]! & 0x7f : bytes[i]!) << bits;
      i++;
      bits += 8;
    }
    o[k] = acc & (SIZE[k]! - 1);
    acc >>>= w;
    bits -= w;
  }
  carry(o);
  return o;
}

/** The canonical (fully reduced, < p) little-endian encoding of `a`. */
export function feToBytes(a: Fe): Uint8Array {
  const v = canonicalLimbs(a);
  const out = new Uint8Array(32);
  let acc = 0;
  let bits = 0;
  let i = 0;
  for (let k = 0; k < LIMBS; k++) {
    acc |= v[k]! << bits;
    bits += WIDTH[k]!;
    while (bits >= 8) {
      out[i++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  out[31] = acc;
  return out;
}

const canonical = new Float64Array(LIMBS);

/** Limbs of `a` reduced into [0, p), each in [0, 2^width), in a scratch array valid until the next call. */
function canonicalLimbs(a: Fe): Float64Array {
  const v = canonical;
  v.set(a);
  // Floor carries make every limb non-negative, the top carry wrapping as ·19. Carried limbs move at most a
  // unit or two between neighbours per pass, so after three passes the value is in [0, 2^255).
  for (let pass = 0; pass < 3; pass++) {
    for (let k = 0; k < LIMBS; k++) {
      const q = Math.floor(v[k]! / SIZE[k]!);
      v[k] = v[k]! - q * SIZE[k]!;
      if (k < LIMBS - 1) v[k + 1] = v[k + 1]! + q;
      else v[0] = v[0]! + 19 * q;
    }
  }
  // v ≥ p ⇔ v + 19 ≥ 2^255: if adding 19 carries out of the top limb, the sum minus 2^255 is v − p.
  let q = 19;
  for (let k = 0; k < LIMBS && q !== 0; k++) q = v[k]! + q >= SIZE[k]! ? 1 : 0;
  if (q === 0) return v;
  q = 19;
  for (let k = 0; k < LIMBS; k++) {
    const t = v[k]! + q;
    q = t >= SIZE[k]! ? 1 : 0;
    v[k] = t - q * SIZE[k]!;
  }
  return v;
}

const difference = new Float64Array(LIMBS);

/** Whether `a` and `b` are the same field element. */
export function feEquals(a: Fe, b: Fe): boolean {
  for (let k = 0; k < LIMBS; k++) difference[k] = a[k]! - b[k]!;
  const v = canonicalLimbs(difference);
  for (let k = 0; k < LIMBS; k++) if (v[k] !== 0) return false;
  return true;
}

/** o = a + b. */
export function feAdd(o: Fe, a: Fe, b: Fe): Fe {
  for (let k = 0; k < LIMBS; k++) o[k] = a[k]! + b[k]!;
  carry(o);
  return o;
}

/** o = a − b. */
export function feSub(o: Fe, a: Fe, b: Fe): Fe {
  for (let k = 0; k < LIMBS; k++) o[k] = a[k]! - b[k]!;
  carry(o);
  return o;
}

/** o = a · b (o may alias a or b). */
export function feMul(o: Fe, a: Fe, b: Fe): Fe {
  const a0 = a[0]!, a1 = a[1]!, a2 = a[2]!, a3 = a[3]!, a4 = a[4]!, a5 = a[5]!, a6 = a[6]!, a7 = a[7]!, a8 = a[8]!, a9 = a[9]!, a10 = a[10]!, a11 = a[11]!;
  const b0 = b[0]!, b1 = b[1]!, b2 = b[2]!, b3 = b[3]!, b4 = b[4]!, b5 = b[5]!, b6 = b[6]!, b7 = b[7]!, b8 = b[8]!, b9 = b[9]!, b10 = b[10]!, b11 = b[11]!;
  const b1x2 = 2 * b1, b1x38 = 38 * b1;
  const b2x2 = 2 * b2, b2x19 = 19 * b2, b2x38 = 38 * b2;
  const b3x2 = 2 * b3, b3x19 = 19 * b3, b3x38 = 38 * b3;
  const b4x19 = 19 * b4;
  const b5x2 = 2 * b5, b5x19 = 19 * b5, b5x38 = 38 * b5;
  const b6x2 = 2 * b6, b6x19 = 19 * b6, b6x38 = 38 * b6;
  const b7x2 = 2 * b7, b7x19 = 19 * b7, b7x38 = 38 * b7;
  const b8x19 = 19 * b8;
  const b9x2 = 2 * b9, b9x19 = 19 * b9, b9x38 = 38 * b9;
  const b10x2 = 2 * b10, b10x19 = 19 * b10, b10x38 = 38 * b10;
  const b11x19 = 19 * b11, b11x38 = 38 * b11;
  let c0 = a0 * b0 + a1 * b11x38 + a2 * b10x38 + a3 * b9x38 + a4 * b8x19 + a5 * b7x38 + a6 * b6x38 + a7 * b5x38 + a8 * b4x19 + a9 * b3x38 + a10 * b2x38 + a11 * b1x38;
  let c1 = a0 * b1 + a1 * b0 + a2 * b11x19 + a3 * b10x19 + a4 * b9x19 + a5 * b8x19 + a6 * b7x19 + a7 * b6x19 + a8 * b5x19 + a9 * b4x19 + a10 * b3x19 + a11 * b2x19;
  let c2 = a0 * b2 + a1 * b1x2 + a2 * b0 + a3 * b11x19 + a4 * b10x19 + a5 * b9x38 + a6 * b8x19 + a7 * b7x19 + a8 * b6x19 + a9 * b5x38 + a10 * b4x19 + a11 * b3x19;
  let c3 = a0 * b3 + a1 * b2x2 + a2 * b1x2 + a3 * b0 + a4 * b11x19 + a5 * b10x38 + a6 * b9x38 + a7 * b8x19 + a8 * b7x19 + a9 * b6x38 + a10 * b5x38 + a11 * b4x19;
  let c4 = a0 * b4 + a1 * b3x2 + a2 * b2x2 + a3 * b1x2 + a4 * b0 + a5 * b11x38 + a6 * b10x38 + a7 * b9x38 + a8 * b8x19 + a9 * b7x38 + a10 * b6x38 + a11 * b5x38;
  let c5 = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0 + a6 * b11x19 + a7 * b10x19 + a8 * b9x19 + a9 * b8x19 + a10 * b7x19 + a11 * b6x19;
  let c6 = a0 * b6 + a1 * b5x2 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1x2 + a6 * b0 + a7 * b11x19 + a8 * b10x19 + a9 * b9x38 + a10 * b8x19 + a11 * b7x19;
  let c7 = a0 * b7 + a1 * b6x2 + a2 * b5x2 + a3 * b4 + a4 * b3 + a5 * b2x2 + a6 * b1x2 + a7 * b0 + a8 * b11x19 + a9 * b10x38 + a10 * b9x38 + a11 * b8x19;
  let c8 = a0 * b8 + a1 * b7x2 + a2 * b6x2 + a3 * b5x2 + a4 * b4 + a5 * b3x2 + a6 * b2x2 + a7 * b1x2 + a8 * b0 + a9 * b11x38 + a10 * b10x38 + a11 * b9x38;
  let c9 = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0 + a10 * b11x19 + a11 * b10x19;
  let c10 = a0 * b10 + a1 * b9x2 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5x2 + a6 * b4 + a7 * b3 + a8 * b2 + a9 * b1x2 + a10 * b0 + a11 * b11x19;
  let c11 = a0 * b11 + a1 * b10x2 + a2 * b9x2 + a3 * b8 + a4 * b7 + a5 * b6x2 + a6 * b5x2 + a7 * b4 + a8 * b3 + a9 * b2x2 + a10 * b1x2 + a11 * b0;
  let r: number;
  r = c0 + M22 - M22; c0 -= r; c1 += r * R22;
  r = c4 + M22 - M22; c4 -= r; c5 += r * R22;
  r = c8 + M22 - M22; c8 -= r; c9 += r * R22;
  r = c1 + M21 - M21; c1 -= r; c2 += r * R21;
  r = c5 + M21 - M21; c5 -= r; c6 += r * R21;
  r = c9 + M21 - M21; c9 -= r; c10 += r * R21;
  r = c2 + M21 - M21; c2 -= r; c3 += r * R21;
  r = c6 + M21 - M21; c6 -= r; c7 += r * R21;
  r = c10 + M21 - M21; c10 -= r; c11 += r * R21;
  r = c3 + M21 - M21; c3 -= r; c4 += r * R21;
  r = c7 + M21 - M21; c7 -= r; c8 += r * R21;
  r = c11 + M21 - M21; c11 -= r; c0 += r * R21X19;
  r = c0 + M22 - M22; c0 -= r; c1 += r * R22;
  r = c4 + M22 - M22; c4 -= r; c5 += r * R22;
  r = c8 + M22 - M22; c8 -= r; c9 += r * R22;
  o[0] = c0; o[1] = c1; o[2] = c2; o[3] = c3; o[4] = c4; o[5] = c5; o[6] = c6; o[7] = c7; o[8] = c8; o[9] = c9; o[10] = c10; o[11] = c11;
  return o;
}

/** o = a^(2^n) (n ≥ 1 squarings; o may alias a). The limbs stay in locals across the n squarings. */
export function feSqrN(o: Fe, a: Fe, n: number): Fe {
  let a0 = a[0]!, a1 = a[1]!, a2 = a[2]!, a3 = a[3]!, a4 = a[4]!, a5 = a[5]!, a6 = a[6]!, a7 = a[7]!, a8 = a[8]!, a9 = a[9]!, a10 = a[10]!, a11 = a[11]!;
  let c0: number, c1: number, c2: number, c3: number, c4: number, c5: number, c6: number, c7: number, c8: number, c9: number, c10: number, c11: number;
  let r: number;
  for (let i = 0; i < n; i++) {
    const a1x2 = 2 * a1;
    const a2x2 = 2 * a2, a2x4 = 4 * a2;
    const a3x2 = 2 * a3, a3x4 = 4 * a3;
    const a4x2 = 2 * a4;
    const a5x2 = 2 * a5, a5x4 = 4 * a5;
    const a6x2 = 2 * a6, a6x4 = 4 * a6, a6x38 = 38 * a6;
    const a7x2 = 2 * a7, a7x4 = 4 * a7, a7x19 = 19 * a7, a7x38 = 38 * a7, a7x76 = 76 * a7;
    const a8x2 = 2 * a8, a8x19 = 19 * a8, a8x38 = 38 * a8;
    const a9x2 = 2 * a9, a9x4 = 4 * a9, a9x38 = 38 * a9, a9x76 = 76 * a9;
    const a10x2 = 2 * a10, a10x4 = 4 * a10, a10x38 = 38 * a10, a10x76 = 76 * a10;
    const a11x2 = 2 * a11, a11x19 = 19 * a11, a11x38 = 38 * a11, a11x76 = 76 * a11;
    c0 = a0 * a0 + a1 * a11x76 + a2 * a10x76 + a3 * a9x76 + a4 * a8x38 + a5 * a7x76 + a6 * a6x38;
    c1 = a0 * a1x2 + a2 * a11x38 + a3 * a10x38 + a4 * a9x38 + a5 * a8x38 + a6 * a7x38;
    c2 = a0 * a2x2 + a1 * a1x2 + a3 * a11x38 + a4 * a10x38 + a5 * a9x76 + a6 * a8x38 + a7 * a7x19;
    c3 = a0 * a3x2 + a1 * a2x4 + a4 * a11x38 + a5 * a10x76 + a6 * a9x76 + a7 * a8x38;
    c4 = a0 * a4x2 + a1 * a3x4 + a2 * a2x2 + a5 * a11x76 + a6 * a10x76 + a7 * a9x76 + a8 * a8x19;
    c5 = a0 * a5x2 + a1 * a4x2 + a2 * a3x2 + a6 * a11x38 + a7 * a10x38 + a8 * a9x38;
    c6 = a0 * a6x2 + a1 * a5x4 + a2 * a4x2 + a3 * a3 + a7 * a11x38 + a8 * a10x38 + a9 * a9x38;
    c7 = a0 * a7x2 + a1 * a6x4 + a2 * a5x4 + a3 * a4x2 + a8 * a11x38 + a9 * a10x76;
    c8 = a0 * a8x2 + a1 * a7x4 + a2 * a6x4 + a3 * a5x4 + a4 * a4 + a9 * a11x76 + a10 * a10x38;
    c9 = a0 * a9x2 + a1 * a8x2 + a2 * a7x2 + a3 * a6x2 + a4 * a5x2 + a10 * a11x38;
    c10 = a0 * a10x2 + a1 * a9x4 + a2 * a8x2 + a3 * a7x2 + a4 * a6x2 + a5 * a5x2 + a11 * a11x19;
    c11 = a0 * a11x2 + a1 * a10x4 + a2 * a9x4 + a3 * a8x2 + a4 * a7x2 + a5 * a6x4;
    r = c0 + M22 - M22; c0 -= r; c1 += r * R22;
    r = c4 + M22 - M22; c4 -= r; c5 += r * R22;
    r = c8 + M22 - M22; c8 -= r; c9 += r * R22;
    r = c1 + M21 - M21; c1 -= r; c2 += r * R21;
    r = c5 + M21 - M21; c5 -= r; c6 += r * R21;
    r = c9 + M21 - M21; c9 -= r; c10 += r * R21;
    r = c2 + M21 - M21; c2 -= r; c3 += r * R21;
    r = c6 + M21 - M21; c6 -= r; c7 += r * R21;
    r = c10 + M21 - M21; c10 -= r; c11 += r * R21;
    r = c3 + M21 - M21; c3 -= r; c4 += r * R21;
    r = c7 + M21 - M21; c7 -= r; c8 += r * R21;
    r = c11 + M21 - M21; c11 -= r; c0 += r * R21X19;
    r = c0 + M22 - M22; c0 -= r; c1 += r * R22;
    r = c4 + M22 - M22; c4 -= r; c5 += r * R22;
    r = c8 + M22 - M22; c8 -= r; c9 += r * R22;
    a0 = c0; a1 = c1; a2 = c2; a3 = c3; a4 = c4; a5 = c5; a6 = c6; a7 = c7; a8 = c8; a9 = c9; a10 = c10; a11 = c11;
  }
  o[0] = a0; o[1] = a1; o[2] = a2; o[3] = a3; o[4] = a4; o[5] = a5; o[6] = a6; o[7] = a7; o[8] = a8; o[9] = a9; o[10] = a10; o[11] = a11;
  return o;
}

const powScratch = [fe(), fe(), fe()] as const;

/** o = z^((p − 5)/8) = z^(2^252 − 3), the exponent of square roots for p ≡ 5 (mod 8) (ref10's addition chain). */
export function fePow22523(o: Fe, z: Fe): Fe {
  const [t0, t1, t2] = powScratch;
  feSqrN(t0, z, 1); // z^2
  feSqrN(t1, t0, 2); // z^8
  feMul(t1, z, t1); // z^9
  feMul(t0, t0, t1); // z^11
  feSqrN(t0, t0, 1); // z^22
  feMul(t0, t1, t0); // z^(2^5 − 1)
  feSqrN(t1, t0, 5);
  feMul(t0, t1, t0); // z^(2^10 − 1)
  feSqrN(t1, t0, 10);
  feMul(t1, t1, t0); // z^(2^20 − 1)
  feSqrN(t2, t1, 20);
  feMul(t1, t2, t1); // z^(2^40 − 1)
  feSqrN(t1, t1, 10);
  feMul(t0, t1, t0); // z^(2^50 − 1)
  feSqrN(t1, t0, 50);
  feMul(t1, t1, t0); // z^(2^100 − 1)
  feSqrN(t2, t1, 100);
  feMul(t1, t2, t1); // z^(2^200 − 1)
  feSqrN(t1, t1, 50);
  feMul(t0, t1, t0); // z^(2^250 − 1)
  feSqrN(t0, t0, 2); // z^(2^252 − 4)
  return feMul(o, t0, z); // z^(2^252 − 3)
}
