import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Wallet, Signature } from 'ethers';
import { joinSignature, normalizeSignature, splitSignature } from '../../../schema/codec/signature.js';
import { invalidArgument } from './vectors.js';

function sig(v: number): Uint8Array {
  const b = new Uint8Array(65).fill(7);
  b[64] = v;
  return b;
}

describe('signature', () => {
  it('returns a v=27/28 signature unchanged (same bytes)', () => {
    for (const v of [27, 28]) {
      const s = sig(v);
      assert.equal(normalizeSignature(s), s);
    }
  });

  it('accepts v=0/1 and normalizes to 27/28 in a copy', () => {
    for (const v of [0, 1]) {
      const s = sig(v);
      const n = normalizeSignature(s);
      assert.notEqual(n, s);
      assert.equal(n[64], v + 27);
      assert.equal(s[64], v);
      assert.deepEqual(n.subarray(0, 64), s.subarray(0, 64));
    }
  });

  it('rejects other v and wrong lengths', () => {
    assert.throws(() => normalizeSignature(sig(29)), invalidArgument('signature: expected v = 27 or 28 (or 0/1), got 29'));
    assert.throws(() => normalizeSignature(new Uint8Array(64), 'delegate_signature'), invalidArgument('delegate_signature: expected 65 bytes (signature), got 64'));
    assert.throws(() => normalizeSignature('0x00'), invalidArgument('signature: expected 65 bytes (signature), got a string'));
  });

  it('splits and joins, matching an ethers signature', () => {
    const wallet = new Wallet('0x' + '11'.repeat(32));
    const es = wallet.signingKey.sign('0x' + '22'.repeat(32));
    const bytes = Buffer.from(es.serialized.slice(2), 'hex');
    const { r, s, v } = splitSignature(bytes);
    assert.equal('0x' + Buffer.from(r).toString('hex'), es.r);
    assert.equal('0x' + Buffer.from(s).toString('hex'), es.s);
    assert.equal(v, es.v);
    assert.deepEqual(joinSignature(r, s, v), new Uint8Array(bytes));
    assert.deepEqual(joinSignature(r, s, v - 27), new Uint8Array(bytes));
    assert.equal(Signature.from(es.serialized).v, v);
  });

  it('joinSignature checks its parts', () => {
    assert.throws(() => joinSignature(new Uint8Array(31), new Uint8Array(32), 27), invalidArgument('r: expected 32 bytes, got 31'));
    assert.throws(() => joinSignature(new Uint8Array(32), new Uint8Array(32), 2), invalidArgument('v: expected 27 or 28 (or 0/1), got 2'));
  });
});
