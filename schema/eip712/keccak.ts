/**
 * keccak256 (the Ethereum one: pad `0x01…0x80`, not SHA3-256's `0x06`) from the native `keccak`
 * package, which ethereumjs and hardhat use: about 4× @noble/hashes' `keccak_256` on EIP712-sized
 * inputs, and one keccak per struct is a third of the cost of a signature check (checked against
 * noble in keccak.test.ts).
 *
 * The package's `createKeccakHash()` wraps the native state in a new Transform stream per hash, which
 * costs as much as the hash itself on these inputs; the hot path drives the native state directly (one
 * reused state: every call is synchronous and re-initializes it). Where the add-on cannot be loaded, the
 * package's own (JS) implementation is used.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import createKeccakHash from 'keccak';

interface KeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

/** keccak256 = Keccak[rate 1088, capacity 512] with the original (0x01) padding, 32-byte output. */
const RATE = 1088;
const CAPACITY = 512;

function nativeState(): KeccakState | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('keccak/package.json');
    const State = createRequire(pkg)('node-gyp-build')(dirname(pkg)) as unknown;
    if (typeof State !== 'function') return undefined;
    return new (State as new () => KeccakState)();
  } catch {
    return undefined;
  }
}

const state = nativeState();

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** keccak256 of `data`, a fresh 32-byte array. */
export function keccak256(data: Uint8Array): Uint8Array {
  if (state === undefined) return createKeccakHash('keccak256').update(asBuffer(data)).digest();
  state.initialize(RATE, CAPACITY);
  state.absorb(asBuffer(data));
  return state.squeeze(32);
}

/** keccak256 of the UTF-8 bytes of `text` (EIP712 `string` encoding, type strings). */
export function keccakUtf8(text: string): Uint8Array {
  return keccak256(Buffer.from(text, 'utf8'));
}
