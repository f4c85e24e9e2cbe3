import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { toBeArray, zeroPadValue } from 'ethers';
import { UINT256_MAX, packUint256, unpackUint256 } from '../../../schema/codec/uint256.js';
import { invalidArgument, vectors } from './vectors.js';

describe('uint256', () => {
  it('packs and unpacks the vectors', () => {
    for (const { value, hex } of vectors.uint256) {
      assert.equal(packUint256(BigInt(value)).toString('hex'), hex, value);
      assert.equal(unpackUint256(Buffer.from(hex, 'hex')), BigInt(value), hex);
    }
  });

  it('handles the boundaries 0 and 2^256 − 1', () => {
    assert.deepEqual([...packUint256(0n)], new Array(32).fill(0));
    assert.deepEqual([...packUint256(UINT256_MAX)], new Array(32).fill(0xff));
    assert.equal(unpackUint256(new Uint8Array(32)), 0n);
    assert.equal(unpackUint256(new Uint8Array(32).fill(0xff)), UINT256_MAX);
  });

  it('rejects 2^256, negatives and non-bigints', () => {
    assert.throws(() => packUint256(UINT256_MAX + 1n), invalidArgument(`value: expected a bigint in [0, 2^256), got ${UINT256_MAX + 1n}`));
    assert.throws(() => packUint256(-1n, 'amount'), invalidArgument('amount: expected a bigint in [0, 2^256), got -1'));
    assert.throws(() => packUint256(5 as unknown as bigint), invalidArgument('value: expected a bigint in [0, 2^256), got a number'));
  });

  it('unpacks only exactly 32 bytes', () => {
    assert.throws(() => unpackUint256(new Uint8Array(31), 'balance'), invalidArgument('balance: expected 32 bytes (uint256), got 31'));
    assert.throws(() => unpackUint256(new Uint8Array(33)), invalidArgument('value: expected 32 bytes (uint256), got 33'));
    assert.throws(() => unpackUint256('00' as unknown as Uint8Array), invalidArgument('value: expected 32 bytes (uint256), got a string'));
  });

  it('reads a 32-byte view at an offset inside a larger buffer', () => {
    const big = Buffer.alloc(40, 0xaa);
    packUint256(123456789n).copy(big, 5);
    assert.equal(unpackUint256(big.subarray(5, 37)), 123456789n);
  });

  it('agrees with ethers on random values of every width', () => {
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes(1 + (i % 32));
      const v = BigInt('0x' + bytes.toString('hex'));
      const packed = packUint256(v);
      assert.equal('0x' + packed.toString('hex'), zeroPadValue(toBeArray(v), 32));
      assert.equal(unpackUint256(packed), v);
    }
  });
});
