import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { msgpackSerializer as msgpack } from '../../../router/wamp/msgpack.js';
import { assertViolation, assertWampError, fromHex, sampleMessage, toHex } from './helpers.js';

/** Encodes `[value]` and returns the hex of the value alone (after the 0x91 fixarray header). */
const encodedValue = (value: unknown): string => {
  const hex = toHex(msgpack.encode([value]));
  assert.equal(hex.slice(0, 2), '91');
  return hex.slice(2);
};

describe('wamp.2.msgpack serializer', () => {
  it('is a binary serializer named msgpack', () => {
    assert.equal(msgpack.name, 'msgpack');
    assert.equal(msgpack.binary, true);
  });

  it('round-trips every value kind', () => {
    const message = sampleMessage();
    const decoded = msgpack.decode(msgpack.encode(message));
    assert.deepEqual(decoded, message);
    const bytes = (decoded as unknown[])[4] as unknown[];
    assert.ok(Buffer.isBuffer(bytes[0]));
  });

  describe('integers beyond 32 bits are written as msgpack integers, not float64', () => {
    const cases: [string, unknown, string][] = [
      ['2^40', 2 ** 40, 'cf0000010000000000'],
      ['2^32', 2 ** 32, 'cf0000000100000000'],
      ['2^53', 2 ** 53, 'cf0020000000000000'],
      ['2^53 - 1', 2 ** 53 - 1, 'cf001fffffffffffff'],
      ['-(2^40)', -(2 ** 40), 'd3ffffff0000000000'],
      ['-(2^31) - 1', -(2 ** 31) - 1, 'd3ffffffff7fffffff'],
      ['-(2^53)', -(2 ** 53), 'd3ffe0000000000000'],
      ['2^32 - 1 (uint32)', 2 ** 32 - 1, 'ceffffffff'],
      ['-(2^31) (int32)', -(2 ** 31), 'd280000000'],
      ['127 (positive fixint)', 127, '7f'],
      ['-32 (negative fixint)', -32, 'e0'],
      ['bigint 2^64 - 1', 2n ** 64n - 1n, 'cfffffffffffffffff'],
      ['bigint -(2^63)', -(2n ** 63n), 'd38000000000000000'],
      ['bigint 2^53 + 1', 2n ** 53n + 1n, 'd30020000000000001'],
    ];
    for (const [name, value, hex] of cases) {
      it(name, () => assert.equal(encodedValue(value), hex));
    }

    it('keeps real floats as float64', () => {
      assert.equal(encodedValue(1.5), 'cb3ff8000000000000');
      assert.equal(encodedValue(2 ** 32 + 0.5), 'cb41f0000000080000');
      // Beyond 2^53 a double is not known to be an integer: it stays a float.
      assert.equal(encodedValue(2 ** 54), 'cb4350000000000000');
      assert.equal(encodedValue(NaN), 'cb7ff8000000000000');
    });

    it('patches only real float tokens, not 0xcb bytes inside strings or binaries', () => {
      const message = ['ˈ\u00cb', Buffer.from([0xcb, 0x41, 0xf0, 0, 0, 0, 0, 0, 0]), 'x'.repeat(300), Buffer.alloc(70000, 0xcb), 2 ** 40, { k: 2 ** 45, f: 0.1 }];
      const encoded = msgpack.encode(message);
      assert.deepEqual(msgpack.decode(encoded), message);
      assert.ok(toHex(encoded).endsWith('cf0000010000000000' + '82a16bcf0000200000000000a166cb3fb999999999999a'));
    });

    it('decodes uint64/int64 as number up to ±2^53 and as bigint beyond', () => {
      assert.deepEqual(msgpack.decode(fromHex('96 cf0000010000000000 cf0020000000000000 cf0020000000000001 d3ffe0000000000000 d3ffdfffffffffffff d3000000000000000a')), [
        2 ** 40,
        2 ** 53,
        2n ** 53n + 1n,
        -(2 ** 53),
        -(2n ** 53n) - 1n,
        10,
      ]);
    });
  });

  it('writes bytes as bin, small maps as fixmaps, undefined as nil', () => {
    assert.equal(encodedValue(Buffer.from([1, 2])), 'c4020102');
    assert.equal(encodedValue(new Uint8Array([1, 2])), 'c4020102');
    assert.equal(encodedValue({ a: 1 }), '81a16101');
    assert.equal(encodedValue(undefined), 'c0');
  });

  it('reports unencodable values as invalid_payload', () => {
    assertWampError(() => msgpack.encode([2n ** 64n]), 'wamp.error.invalid_payload', /cannot serialize message to MessagePack/);
    assertWampError(() => msgpack.encode([-(2n ** 63n) - 1n]), 'wamp.error.invalid_payload', /cannot serialize/);
  });

  it("accepts msgpackr's default encoding of undefined (fixext1 type 0) as undefined", () => {
    assert.deepEqual(msgpack.decode(fromHex('92 01 d40000')), [1, undefined]);
  });

  it('returns maps as plain objects and byte strings as Buffers', () => {
    const decoded = msgpack.decode(fromHex('92 81a16101 c403010203')) as [object, Buffer];
    assert.equal(Object.getPrototypeOf(decoded[0]), Object.prototype);
    assert.ok(Buffer.isBuffer(decoded[1]));
    assert.deepEqual(decoded, [{ a: 1 }, Buffer.from([1, 2, 3])]);
    // With records disabled, 0x40..0x7f are plain positive fixints.
    assert.deepEqual(msgpack.decode(fromHex('92 40 7f')), [64, 127]);
  });

  describe('rejects malformed payloads', () => {
    const cases: [string, string, RegExp][] = [
      ['empty payload', '', /truncated/],
      ['truncated array', '93 01 02', /truncated/],
      ['truncated uint64', '91 cf000001', /truncated/],
      ['truncated float64', '91 cb3ff8', /truncated/],
      ['truncated str8 header', '91 d9', /truncated/],
      ['truncated str', '91 a5 6162', /truncated/],
      ['truncated bin16', '91 c5 0010 00', /truncated/],
      ['truncated map', '81 a161', /truncated/],
      ['array32 claiming 4G items', '91 ddffffffff', /truncated/],
      ['trailing bytes', '91 01 02', /1 trailing bytes/],
      ['two messages', '9101 9102', /2 trailing bytes/],
      ['reserved byte 0xc1', '91 c1', /reserved type byte 0xc1/],
      ['ext8', '91 c7 01 05 00', /extension types are not allowed/],
      ['ext16', '91 c8 0001 05 00', /extension types are not allowed/],
      ['ext32', '91 c9 00000001 05 00', /extension types are not allowed/],
      ['fixext1 with a type', '91 d4 01 00', /extension types are not allowed/],
      ['fixext1 type 0 with data', '91 d4 00 01', /extension types are not allowed/],
      ['fixext2', '91 d5 01 0000', /extension types are not allowed/],
      ['timestamp32 (fixext4 -1)', '91 d6 ff 00000000', /extension types are not allowed \(type byte 0xd6/],
      ['fixext8', '91 d7 ff 0000000000000000', /extension types are not allowed/],
      ['fixext16', '91 d8 01' + '00'.repeat(16), /extension types are not allowed/],
      ['msgpackr record definition', '91 d4 72 40', /extension types are not allowed/],
      ['integer map key', '91 81 01 01', /map key at offset 2 is not a string \(type byte 0x01\)/],
      ['nil map key', '81 c0 01', /map key .* not a string \(type byte 0xc0\)/],
      ['array map key', '81 9101 01', /map key .* not a string/],
      ['bin map key', '81 c40161 01', /map key .* not a string/],
      ['second key not a string', '82 a161 01 02 03', /map key at offset 4 is not a string/],
      ['invalid UTF-8 in a short string', '91 a2 c328', /string at offset 1 is not valid UTF-8/],
      ['invalid UTF-8 in a long string', '91 d9 50' + '61'.repeat(79) + 'ff', /not valid UTF-8/],
      ['UTF-8 encoded surrogate', '91 a3 eda080', /not valid UTF-8/],
      ['invalid UTF-8 in a map key', '81 a1 ff 01', /not valid UTF-8/],
      ['nested deeper than 1000 levels', '91'.repeat(1001) + '01', /nested deeper than 1000 levels/],
      ['an empty array at level 1001 (every container is a level)', '91'.repeat(1000) + '90', /nested deeper than 1000 levels/],
      ['an empty map at level 1001', '91'.repeat(1000) + '80', /nested deeper than 1000 levels/],
    ];
    for (const [name, hex, pattern] of cases) {
      it(name, () => assertViolation(() => msgpack.decode(fromHex(hex)), pattern));
    }

    it('accepts nesting of exactly 1000 levels', () => {
      const payload = fromHex('91'.repeat(1000) + '01');
      let value = msgpack.decode(payload);
      for (let i = 0; i < 1000; i++) value = (value as unknown[])[0];
      assert.equal(value, 1);
      assert.doesNotThrow(() => msgpack.decode(fromHex('91'.repeat(999) + '90')), 'an empty array at level 1000');
    });
  });
});
