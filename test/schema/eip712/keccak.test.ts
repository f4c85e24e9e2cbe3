/** Our keccak256 (native `keccak` package) against @noble/hashes and known values. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { keccak256, keccakUtf8 } from '../../../schema/eip712/keccak.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('keccak256', () => {
  it('known values', () => {
    assert.equal(hex(keccak256(new Uint8Array(0))), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    assert.equal(hex(keccakUtf8('XBR')), '9b5e32b038c031af641db571ab02e9af13f28bc03b563c3bf45921e1771feabc');
    assert.equal(hex(keccakUtf8('1')), 'c89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6');
  });

  it('equals @noble/hashes keccak_256 for every length 0..600 and random inputs', () => {
    for (let len = 0; len <= 600; len++) {
      const data = new Uint8Array(randomBytes(len));
      assert.equal(hex(keccak256(data)), hex(keccak_256(data)), `length ${len}`);
    }
    for (let i = 0; i < 200; i++) {
      const data = new Uint8Array(randomBytes(Math.floor(Math.random() * 5000)));
      assert.equal(hex(keccak256(data)), hex(keccak_256(data)));
    }
  });

  it('works on subarrays at odd offsets and leaves its input untouched', () => {
    const big = new Uint8Array(randomBytes(1000));
    const copy = big.slice();
    for (const [s, e] of [[1, 138], [3, 300], [7, 7], [135, 999]] as const) {
      assert.equal(hex(keccak256(big.subarray(s, e))), hex(keccak_256(big.subarray(s, e))));
    }
    assert.deepEqual(big, copy);
  });

  it('returns a fresh array each time (the native state is reused between calls)', () => {
    const a = keccakUtf8('a');
    const aHex = hex(a);
    const b = keccakUtf8('b');
    assert.equal(hex(a), aHex);
    assert.notEqual(hex(b), aHex);
    a.fill(0);
    assert.equal(hex(keccakUtf8('a')), aHex);
  });
});
