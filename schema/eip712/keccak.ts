/**
 * keccak256 (the Ethereum one: pad `0x01…0x80`, not SHA3-256's `0x06`) from the native `keccak`
 * package, which ethereumjs and hardhat use: about 4× @noble/hashes' `keccak_256` on EIP712-sized
 * inputs, and one keccak per struct is a third of the cost of a signature check (checked against
 * noble in keccak.test.ts).
 */
import createKeccakHash from 'keccak';

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** keccak256 of `data`, a fresh 32-byte array. */
export function keccak256(data: Uint8Array): Uint8Array {
  return createKeccakHash('keccak256').update(asBuffer(data)).digest();
}

/** keccak256 of the UTF-8 bytes of `text` (EIP712 `string` encoding, type strings). */
export function keccakUtf8(text: string): Uint8Array {
  return createKeccakHash('keccak256').update(text, 'utf8').digest();
}
