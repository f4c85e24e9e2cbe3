import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { getAddress } from 'ethers';
import { asAddress, isZeroAddress, parseAddress, toChecksumAddress } from '../../../schema/codec/address.js';
import { invalidArgument, vectors } from './vectors.js';

describe('address', () => {
  it('checksums the EIP-55 vectors', () => {
    for (const text of vectors.eip55) {
      const bytes = parseAddress(text);
      assert.equal(Buffer.from(bytes).toString('hex'), text.slice(2).toLowerCase());
      assert.equal(toChecksumAddress(bytes), text);
      assert.equal(toChecksumAddress(parseAddress(text.toLowerCase())), text);
    }
  });

  it('agrees with ethers getAddress on random addresses', () => {
    for (let i = 0; i < 200; i++) {
      const b = randomBytes(20);
      assert.equal(toChecksumAddress(b), getAddress('0x' + b.toString('hex')));
    }
  });

  it('accepts lowercase, uppercase and unprefixed input', () => {
    const want = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
    assert.equal(toChecksumAddress(parseAddress('5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')), want);
    assert.equal(toChecksumAddress(parseAddress('0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED')), want);
  });

  it('rejects a bad checksum and malformed strings', () => {
    assert.throws(
      () => parseAddress('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', 'owner'),
      invalidArgument('owner: expected a valid EIP-55 checksum, got "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"'),
    );
    assert.throws(() => parseAddress('0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea'), invalidArgument('address: expected a 0x-prefixed 40-digit hex address, got "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea"'));
    assert.throws(() => parseAddress('0xzzaeb6053f3e94c9b9a09f33669435e7ef1beaed'), { uri: 'wamp.error.invalid_argument' });
    assert.throws(() => parseAddress(new Uint8Array(20) as unknown as string), invalidArgument('address: expected an address string, got 20 bytes'));
  });

  it('checks byte lengths', () => {
    assert.throws(() => toChecksumAddress(new Uint8Array(19), 'delegate_adr'), invalidArgument('delegate_adr: expected 20 bytes, got 19'));
    assert.throws(() => asAddress(null, 'member_adr'), invalidArgument('member_adr: expected 20 bytes, got null'));
  });

  it('recognizes the zero address', () => {
    assert.equal(isZeroAddress(new Uint8Array(20)), true);
    const b = new Uint8Array(20);
    b[19] = 1;
    assert.equal(isZeroAddress(b), false);
    assert.equal(isZeroAddress(new Uint8Array(19)), false);
  });
});
