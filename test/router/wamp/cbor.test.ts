import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cborSerializer as cbor } from '../../../router/wamp/cbor.js';
import { assertViolation, assertWampError, fromHex, sampleMessage, toHex } from './helpers.js';

/** Encodes `[value]` and returns the hex of the value alone (after the 0x81 array header). */
const encodedValue = (value: unknown): string => {
  const hex = toHex(cbor.encode([value]));
  assert.equal(hex.slice(0, 2), '81');
  return hex.slice(2);
};

describe('wamp.2.cbor serializer', () => {
  it('is a binary serializer named cbor', () => {
    assert.equal(cbor.name, 'cbor');
    assert.equal(cbor.binary, true);
  });

  it('round-trips every value kind', () => {
    const message = sampleMessage();
    const decoded = cbor.decode(cbor.encode(message));
    assert.deepEqual(decoded, message);
    assert.ok(Buffer.isBuffer(((decoded as unknown[])[4] as unknown[])[0]));
  });

  describe('integers beyond 32 bits are written as CBOR integers, not float64', () => {
    const cases: [string, unknown, string][] = [
      ['2^40', 2 ** 40, '1b0000010000000000'],
      ['2^32', 2 ** 32, '1b0000000100000000'],
      ['2^53', 2 ** 53, '1b0020000000000000'],
      ['-(2^40)', -(2 ** 40), '3b000000ffffffffff'],
      ['-(2^32) - 1', -(2 ** 32) - 1, '3b0000000100000000'],
      ['-(2^53)', -(2 ** 53), '3b001fffffffffffff'],
      ['2^32 - 1', 2 ** 32 - 1, '1affffffff'],
      ['-(2^32)', -(2 ** 32), '3affffffff'],
      ['23', 23, '17'],
      ['-24', -24, '37'],
      ['bigint 2^64 - 1', 2n ** 64n - 1n, '1bffffffffffffffff'],
      ['bigint -(2^63)', -(2n ** 63n), '3b7fffffffffffffff'],
      ['bigint -(2^64) + 1', -(2n ** 64n) + 1n, '3bfffffffffffffffe'],
      // cbor-x's range check is off by one at the very bottom: still exact, as a bignum.
      ['bigint -(2^64) (cbor-x: bignum tag 3)', -(2n ** 64n), 'c348ffffffffffffffff'],
      ['bigint 2^53 + 1', 2n ** 53n + 1n, '1b0020000000000001'],
      ['bigint 2^64 (bignum tag 2)', 2n ** 64n, 'c249010000000000000000'],
      ['bigint -(2^64) - 1 (bignum tag 3)', -(2n ** 64n) - 1n, 'c349010000000000000000'],
    ];
    for (const [name, value, hex] of cases) {
      it(name, () => assert.equal(encodedValue(value), hex));
    }

    it('keeps real floats as float64', () => {
      assert.equal(encodedValue(1.5), 'fb3ff8000000000000');
      assert.equal(encodedValue(2 ** 54), 'fb4350000000000000');
    });

    it('patches only real float tokens, not 0xfb bytes inside strings or byte strings', () => {
      const message = ['\u00fb\u07fb', Buffer.from([0xfb, 0x41, 0xf0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(70000, 0xfb), 2 ** 40, { k: -(2 ** 45), f: 0.1 }];
      const encoded = cbor.encode(message);
      assert.deepEqual(cbor.decode(encoded), message);
      assert.ok(toHex(encoded).endsWith('1b0000010000000000' + 'a2616b3b00001fffffffffff6166fb3fb999999999999a'));
    });
  });

  describe('decoding integers', () => {
    it('gives numbers up to ±2^53 and bigints beyond, whatever the encoding width', () => {
      assert.deepEqual(cbor.decode(fromHex('87 1b0000010000000000 1b0020000000000000 1b0020000000000001 3b001fffffffffffff 3b0020000000000000 1b00000000000000ff 3b0000000000000000')), [
        2 ** 40,
        2 ** 53,
        2n ** 53n + 1n,
        -(2 ** 53),
        -(2n ** 53n) - 1n,
        255,
        -1,
      ]);
    });

    it('does not modify the payload it decodes', () => {
      const payload = fromHex('81 1b0000010000000000');
      const copy = Buffer.from(payload);
      assert.deepEqual(cbor.decode(payload), [2 ** 40]);
      assert.deepEqual(payload, copy);
    });

    it('accepts bignums (tags 2 and 3), normalizing small ones to numbers', () => {
      assert.deepEqual(cbor.decode(fromHex('82 3bffffffffffffffff c348ffffffffffffffff')), [-(2n ** 64n), -(2n ** 64n)]);
      assert.deepEqual(cbor.decode(fromHex('84 c249010000000000000000 c349010000000000000000 c24101 c34100')), [2n ** 64n, -(2n ** 64n) - 1n, 1, -1]);
      assert.deepEqual(cbor.decode(fromHex('81 a1 6161 c24101')), [{ a: 1 }]);
    });
  });

  it('writes Buffer and Uint8Array as plain byte strings (major type 2, no tag)', () => {
    for (const bytes of [Buffer.from([1, 2]), new Uint8Array([1, 2])]) {
      const hex = encodedValue(bytes);
      assert.equal(hex, '420102');
      assert.equal(parseInt(hex.slice(0, 2), 16) >> 5, 2);
    }
    assert.equal(encodedValue(Buffer.alloc(30, 7)), '581e' + '07'.repeat(30));
  });

  it('writes small maps with a 1-byte header and Map instances without tag 259', () => {
    assert.equal(encodedValue({ a: 1 }), 'a1616101');
    assert.equal(encodedValue(new Map([['a', 1]])), 'a1616101');
  });

  it('decodes maps as plain objects, byte strings as Buffers, undefined as undefined', () => {
    const decoded = cbor.decode(fromHex('83 a1616101 43010203 f7')) as [object, Buffer, undefined];
    assert.equal(Object.getPrototypeOf(decoded[0]), Object.prototype);
    assert.ok(Buffer.isBuffer(decoded[1]));
    assert.deepEqual(decoded, [{ a: 1 }, Buffer.from([1, 2, 3]), undefined]);
  });

  it('accepts indefinite-length arrays and maps, and half/single floats', () => {
    assert.deepEqual(cbor.decode(fromHex('9f 01 bf 6161 9f ff ff f93e00 fa3fc00000 ff')), [1, { a: [] }, 1.5, 1.5]);
  });

  it('reports unencodable values as invalid_payload', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    assertWampError(() => cbor.encode(cyclic), 'wamp.error.invalid_payload', /cannot serialize message to CBOR/);
  });

  it('accepts tag 64 (uint8 typed array, as cbor-x and wampy send every Uint8Array) as bytes', () => {
    const decoded = cbor.decode(fromHex('82 d840 420102 01')) as unknown[];
    assert.ok(decoded[0] instanceof Uint8Array);
    assert.deepEqual([...(decoded[0] as Uint8Array)], [1, 2]);
    assert.equal(decoded[1], 1);
  });

  describe('rejects malformed payloads', () => {
    const cases: [string, string, RegExp][] = [
      ['empty payload', '', /truncated/],
      ['truncated array', '83 01 02', /truncated/],
      ['truncated uint64', '81 1b000001', /truncated/],
      ['truncated float64', '81 fb3ff8', /truncated/],
      ['truncated text', '81 65 6162', /truncated/],
      ['truncated byte string header', '81 59 01', /truncated/],
      ['truncated map', 'a1 6161', /truncated/],
      ['unterminated indefinite array', '9f 01 02', /truncated/],
      ['array claiming 2^32 items', '81 9affffffff', /truncated/],
      ['trailing bytes', '81 01 02', /1 trailing bytes/],
      ['two messages', '8101 8102', /2 trailing bytes/],
      ['tag 1 (epoch date)', '81 c1 1a00000000', /tags are not allowed \(tag 1 at offset 1\)/],
      ['tag 0 (date string)', '81 c0 60', /tags are not allowed \(tag 0/],
      ['tag 64 holding an integer', '81 d840 01', /tag 64 at offset 3 does not hold a byte string/],
      ['tag 259 (explicit map)', '81 d90103 a0', /tags are not allowed \(tag 259/],
      ['tag 28 (shared value)', '81 d81c 01', /tags are not allowed \(tag 28/],
      ['tag 55799 (self-described)', 'd9d9f7 81 01', /tags are not allowed \(tag 55799/],
      ['bignum holding an integer', '81 c2 01', /tag 2 at offset 2 does not hold a byte string/],
      ['bignum holding an indefinite byte string', '81 c2 5f 4101 ff', /tag 2 .* does not hold a byte string/],
      ['simple value 16', '81 f0', /simple value 16 at offset 1 is not allowed/],
      ['simple value 24 (two-byte form)', '81 f818', /simple value 24 at offset 1 is not allowed/],
      ['reserved additional information 28', '81 1c', /reserved additional information 28/],
      ['reserved additional information 30 on a string', '81 7e', /reserved additional information 30/],
      ['indefinite integer', '81 1f', /invalid CBOR integer encoding/],
      ['indefinite byte string', '81 5f 4101 ff', /indefinite-length CBOR strings are not supported/],
      ['indefinite text string', '81 7f 6161 ff', /indefinite-length CBOR strings are not supported/],
      ['break at top level', 'ff', /unexpected CBOR break code at offset 0/],
      ['break in a definite array', '82 01 ff', /unexpected CBOR break code at offset 2/],
      ['break between key and value', 'bf 6161 ff', /ends between a key and its value/],
      ['integer map key', '81 a1 01 01', /map key at offset 2 is not a text string \(major type 0\)/],
      ['byte string map key', 'a1 4161 01', /map key .* not a text string \(major type 2\)/],
      ['tagged map key', 'a1 c24101 01', /map key .* not a text string \(major type 6\)/],
      ['second key in an indefinite map', 'bf 6161 01 02 03 ff', /map key at offset 4 is not a text string/],
      ['invalid UTF-8 text', '81 62 c328', /text string at offset 1 is not valid UTF-8/],
      ['invalid UTF-8 in a long text', '81 7850' + '61'.repeat(79) + 'ff', /not valid UTF-8/],
      ['invalid UTF-8 key', 'a1 61ff 01', /not valid UTF-8/],
      ['nested deeper than 1000 levels', '81'.repeat(1001) + '01', /nested deeper than 1000 levels/],
      ['an empty array at level 1001 (every container is a level)', '81'.repeat(1000) + '80', /nested deeper than 1000 levels/],
      ['an empty indefinite map at level 1001', '81'.repeat(1000) + 'bfff', /nested deeper than 1000 levels/],
    ];
    for (const [name, hex, pattern] of cases) {
      it(name, () => assertViolation(() => cbor.decode(fromHex(hex)), pattern));
    }

    it('accepts nesting of exactly 1000 levels', () => {
      let value = cbor.decode(fromHex('81'.repeat(1000) + '01'));
      for (let i = 0; i < 1000; i++) value = (value as unknown[])[0];
      assert.equal(value, 1);
      assert.doesNotThrow(() => cbor.decode(fromHex('81'.repeat(999) + '80')), 'an empty array at level 1000');
    });
  });
});
