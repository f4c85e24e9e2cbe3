/**
 * Crypto primitives of the key trade: sealed boxes (seller seals a data key, buyer opens it), Ed25519 →
 * X25519 conversion and payload encryption, ours against libsodium-wrappers (WASM) and a pure-tweetnacl
 * sealed box (what `tweetnacl-sealedbox-js` does). Each figure is the median of 3 fixed-duration runs
 * (1 s, quick 0.3 s) after a short warm-up; single thread.
 */
import { generateKeyPairSync } from 'node:crypto';
import nacl from 'tweetnacl';
import sodium from 'libsodium-wrappers';
import { blake2b } from '@noble/hashes/blake2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  sealBox,
  openSealedBox,
  SealedBoxKeyPair,
  ed25519PublicKeyToX25519,
  ed25519SecretKeyToX25519,
  encryptPayload,
  decryptPayload,
} from '../../schema/crypto/index.js';

type Print = (name: string, value: number, unit: string) => void;

function median3(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[1] ?? s[0] ?? Number.NaN;
}

/** ops/s of `fn`: warm-up, then the median of 3 runs of `seconds` each. */
function measure(fn: () => unknown, seconds: number): number {
  const warmEnd = performance.now() + Math.min(200, seconds * 300);
  while (performance.now() < warmEnd) for (let i = 0; i < 8; i++) fn();
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 8; i++) fn();
      n += 8;
    }
    runs.push(n / ((performance.now() - t0) / 1000));
  }
  return median3(runs);
}

/** Pure-tweetnacl sealed box (baseline): X25519 in JS. */
function tweetnaclSeal(m: Uint8Array, rpk: Uint8Array): Uint8Array {
  const ek = nacl.box.keyPair();
  const nonce = blake2b.create({ dkLen: 24 }).update(ek.publicKey).update(rpk).digest();
  const box = nacl.box(m, nonce, rpk, ek.secretKey);
  const out = new Uint8Array(32 + box.length);
  out.set(ek.publicKey);
  out.set(box, 32);
  return out;
}

function tweetnaclOpen(c: Uint8Array, rpk: Uint8Array, rsk: Uint8Array): Uint8Array | null {
  const epk = c.subarray(0, 32);
  const nonce = blake2b.create({ dkLen: 24 }).update(epk).update(rpk).digest();
  return nacl.box.open(c.subarray(32), nonce, epk, rsk);
}

/**
 * Runs the crypto figures and prints them through `print(name, value, unit)`:
 * `crypto.seal.*`, `crypto.open.*` (32-byte key), `crypto.ed2x.*`, `crypto.payload.*` (1 KiB) and
 * `*.ratio` lines (ours ÷ peer; > 1 means ours is faster).
 */
export async function benchCrypto(print: Print, quick: boolean): Promise<void> {
  await sodium.ready;
  const secs = quick ? 0.3 : 1;
  const key = new Uint8Array(32).map((_, i) => i);

  // sealed boxes, 32-byte data key
  const recipient = SealedBoxKeyPair.generate();
  const rsk = recipient.exportSecretKey();
  const rpk = recipient.publicKey;
  const sealed = sealBox(key, rpk);

  const sealOurs = measure(() => sealBox(key, rpk), secs);
  print('crypto.seal.ours', sealOurs, 'ops/s');
  const sealSodium = measure(() => sodium.crypto_box_seal(key, rpk), secs);
  print('crypto.seal.libsodium', sealSodium, 'ops/s');
  const sealNacl = measure(() => tweetnaclSeal(key, rpk), quick ? 0.2 : 0.5);
  print('crypto.seal.tweetnacl', sealNacl, 'ops/s');
  print('crypto.seal.ratio_vs_libsodium', sealOurs / sealSodium, 'x');
  print('crypto.seal.ratio_vs_tweetnacl', sealOurs / sealNacl, 'x');

  const openOurs = measure(() => recipient.open(sealed), secs);
  print('crypto.open.ours', openOurs, 'ops/s');
  const openOursFn = measure(() => openSealedBox(sealed, rpk, rsk), secs);
  print('crypto.open.ours_function', openOursFn, 'ops/s');
  const openSodium = measure(() => sodium.crypto_box_seal_open(sealed, rpk, rsk), secs);
  print('crypto.open.libsodium', openSodium, 'ops/s');
  const openNacl = measure(() => tweetnaclOpen(sealed, rpk, rsk), quick ? 0.2 : 0.5);
  print('crypto.open.tweetnacl', openNacl, 'ops/s');
  print('crypto.open.ratio_vs_libsodium', openOurs / openSodium, 'x');
  print('crypto.open.ratio_vs_tweetnacl', openOurs / openNacl, 'x');

  // Ed25519 → X25519. Uncached ("first sight" of a buyer key): cycle through 2048 distinct keys, twice
  // the converter's 1024-entry LRU cache, so every call misses (an LRU evicts each key before it recurs).
  const edKeys: Uint8Array[] = [];
  for (let i = 0; i < 2048; i++) {
    edKeys.push(new Uint8Array(generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12)));
  }
  if (new Set(edKeys.map((key) => Buffer.from(key).toString('hex'))).size !== edKeys.length) throw new Error('duplicate Ed25519 bench keys');
  let k = 0;
  const next = (): Uint8Array => edKeys[k++ & 2047]!;
  const ed2xOurs = measure(() => ed25519PublicKeyToX25519(next()), secs);
  print('crypto.ed2x.pub.ours', ed2xOurs, 'ops/s');
  const ed2xCached = measure(() => ed25519PublicKeyToX25519(edKeys[0]!), secs);
  print('crypto.ed2x.pub.ours_cached', ed2xCached, 'ops/s');
  const ed2xNoble = measure(() => ed25519.utils.toMontgomery(next()), secs);
  print('crypto.ed2x.pub.noble_toMontgomery_no_subgroup_check', ed2xNoble, 'ops/s');
  const ed2xSodium = measure(() => sodium.crypto_sign_ed25519_pk_to_curve25519(next()), secs);
  print('crypto.ed2x.pub.libsodium', ed2xSodium, 'ops/s');
  print('crypto.ed2x.pub.ratio_vs_libsodium', ed2xOurs / ed2xSodium, 'x');
  // goal: a buyer's first purchase converts its key (uncached) at least as fast as libsodium (≥ 1)
  print('ed2x.first_sight_vs_libsodium', ed2xOurs / ed2xSodium, 'x');
  const edKp = sodium.crypto_sign_keypair();
  const ed2xSkOurs = measure(() => ed25519SecretKeyToX25519(edKp.privateKey), secs);
  print('crypto.ed2x.secret.ours', ed2xSkOurs, 'ops/s');
  const ed2xSkSodium = measure(() => sodium.crypto_sign_ed25519_sk_to_curve25519(edKp.privateKey), secs);
  print('crypto.ed2x.secret.libsodium', ed2xSkSodium, 'ops/s');
  print('crypto.ed2x.secret.ratio_vs_libsodium', ed2xSkOurs / ed2xSkSodium, 'x');

  // seller's full per-purchase cost for an Ed25519 buyer key seen before: convert (cached) + seal
  const sellerSeal = measure(() => sealBox(key, ed25519PublicKeyToX25519(edKeys[0]!)), secs);
  print('crypto.seal.ours_ed25519_buyer', sellerSeal, 'ops/s');

  // payload: 1 KiB of bytes in a map, CBOR + secretbox, encrypt then decrypt
  const blob = new Uint8Array(1024).map((_, i) => i & 255);
  const payload = { data: blob, counter: 1 };
  const payOurs = measure(() => decryptPayload(key, encryptPayload(key, payload)), secs);
  print('crypto.payload.ours.1KiB', payOurs, 'ops/s');
  const nonce = new Uint8Array(24);
  const paySodium = measure(() => sodium.crypto_secretbox_open_easy(sodium.crypto_secretbox_easy(blob, nonce, key), nonce, key), secs);
  print('crypto.payload.libsodium_secretbox_only.1KiB', paySodium, 'ops/s');
  print('crypto.payload.ratio_vs_libsodium', payOurs / paySodium, 'x');
}
