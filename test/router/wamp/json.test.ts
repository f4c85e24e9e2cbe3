import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonSerializer as json } from '../../../router/wamp/json.js';
import { MAX_NESTING_DEPTH } from '../../../router/wamp/limits.js';
import { assertViolation, assertWampError, sampleMessage } from './helpers.js';

const text = (message: unknown[]): string => json.encode(message).toString('utf8');
const decodeText = (source: string): unknown => json.decode(Buffer.from(source, 'utf8'));

describe('wamp.2.json serializer', () => {
  it('is a text serializer named json', () => {
    assert.equal(json.name, 'json');
    assert.equal(json.binary, false);
  });

  it('round-trips every value kind', () => {
    const message = sampleMessage();
    assert.deepEqual(json.decode(json.encode(message)), message);
  });

  it('encodes bytes as "\\u0000" + standard base64, wherever they are', () => {
    assert.equal(text([1, Buffer.from([1, 2])]), '[1,"\\u0000AQI="]');
    assert.equal(text([1, new Uint8Array([1, 2])]), '[1,"\\u0000AQI="]');
    assert.equal(text([1, new Uint8Array(0)]), '[1,"\\u0000"]');
    assert.equal(text([1, { a: [{ b: Buffer.from([0xfb, 0xff]) }] }]), '[1,{"a":[{"b":"\\u0000+/8="}]}]');
    // A view into a larger buffer encodes only its own bytes.
    const view = Buffer.from([9, 1, 2, 9]).subarray(1, 3);
    assert.equal(text([view]), '["\\u0000AQI="]');
  });

  it('decodes "\\u0000" + base64 strings to Buffers, recursively', () => {
    const decoded = decodeText('[1,"\\u0000AQI=",{"k":["\\u0000"],"x":{"y":"\\u0000CQ=="}}]') as unknown[];
    assert.ok(Buffer.isBuffer(decoded[1]));
    assert.deepEqual(decoded, [1, Buffer.from([1, 2]), { k: [Buffer.alloc(0)], x: { y: Buffer.from([9]) } }]);
  });

  it('leaves keys and strings with a NUL elsewhere alone', () => {
    assert.deepEqual(decodeText('[{"\\u0000AQI=":"a\\u0000b"}]'), [{ '\u0000AQI=': 'a\u0000b' }]);
  });

  it('keeps a "__proto__" key as an own property when reviving bytes', () => {
    const decoded = decodeText('[{"__proto__":"\\u0000AQI="}]') as [Record<string, unknown>];
    assert.equal(Object.getPrototypeOf(decoded[0]), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(decoded[0], '__proto__')?.value, Buffer.from([1, 2]));
  });

  it('decodes integers beyond 2^53 as bigint, exactly', () => {
    assert.deepEqual(decodeText('[9007199254740992,9007199254740993,-9007199254740992,-9007199254740993]'), [
      2 ** 53,
      2n ** 53n + 1n,
      -(2 ** 53),
      -(2n ** 53n) - 1n,
    ]);
    assert.deepEqual(decodeText('[18446744073709551615, 123456789012345678901234567890]'), [
      2n ** 64n - 1n,
      123456789012345678901234567890n,
    ]);
    // 16 digits but below 2^53: still a number.
    assert.deepEqual(decodeText('[1234567890123456]'), [1234567890123456]);
  });

  it('keeps long digit runs inside strings as strings (lossless path)', () => {
    assert.deepEqual(decodeText('["12345678901234567", 1.5, {"a": 1, "a": 2}]'), ['12345678901234567', 1.5, { a: 2 }]);
  });

  it('decodes floats, including long mantissas and 3-digit exponents', () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the decoder must round this mantissa exactly as the JS literal does
    assert.deepEqual(decodeText('[1.5e300, 1e-300, 12345678901234567.5, 5e-324, -0.25]'), [1.5e300, 1e-300, 12345678901234567.5, 5e-324, -0.25]);
  });

  it('encodes bigint as a plain JSON integer', () => {
    assert.equal(text([1, 2n ** 64n - 1n, -(2n ** 63n), 5n]), '[1,18446744073709551615,-9223372036854775808,5]');
    assert.equal(text([{ a: 2n ** 70n }]), '[{"a":1180591620717411303424}]');
  });

  it('encodes integral doubles beyond 2^53 in exponent form, so readers get the exact float back', () => {
    const text = json.encode([2 ** 60, -(2 ** 54), 1e300, 2 ** 53]).toString('utf8');
    assert.equal(text, '[1.152921504606847e+18,-1.8014398509481984e+16,1e+300,9007199254740992]', '2^53 is still an id');
    assert.deepEqual(json.decode(Buffer.from(text)), [2 ** 60, -(2 ** 54), 1e300, 2 ** 53]);
  });

  it('encodes the same text as JSON.stringify when there is nothing special', () => {
    const message = [48, 1, { a: [1, 'x', null, true, 1.25] }, 'com.x', ['é😀', '\u2028'], { u: undefined, n: null }];
    assert.equal(text(message), JSON.stringify(message));
  });

  it('follows JSON.stringify semantics on the custom path too', () => {
    const message = [Buffer.from([1]), undefined, { u: undefined, f: () => 1, d: new Date(0), n: NaN, i: -Infinity }, '\ud800'];
    assert.equal(text(message), '["\\u0000AQ==",null,{"d":"1970-01-01T00:00:00.000Z","n":null,"i":null},"\\ud800"]');
  });

  it('never produces non-finite numbers', () => {
    assert.equal(text([NaN, Infinity, -Infinity]), '[null,null,null]');
    assert.equal(text([Buffer.alloc(0), NaN]), '["\\u0000",null]');
    assertViolation(() => decodeText('[1e999]'), /JSON number 1e999 is out of range/);
    assertViolation(() => decodeText('[-1.5e400]'), /out of range/);
    assertViolation(() => decodeText(`[${'9'.repeat(400)}.5]`), /out of range/);
  });

  it('does not mutate the message it encodes', () => {
    const message = sampleMessage();
    json.encode(message);
    assert.deepEqual(message, sampleMessage());
  });

  it('rejects invalid UTF-8', () => {
    assertViolation(() => json.decode(Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d])), /not valid UTF-8/);
    assertViolation(() => json.decode(Buffer.from([0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d])), /not valid UTF-8/); // encoded surrogate
    assertViolation(() => json.decode(Buffer.from([0x5b, 0x22, 0xc3, 0x22, 0x5d])), /not valid UTF-8/);
  });

  it('rejects invalid JSON, on the fast and the lossless path', () => {
    for (const bad of ['', ' ', '[1,', '[1] x', '[1,]', "['a']", '{"a"}', 'NaN', '[01]', '\ufeff[1]', '[1 2]', '["\u0001"]']) {
      assertViolation(() => decodeText(bad), /^invalid JSON: /);
    }
    for (const bad of ['[12345678901234567,', '[12345678901234567] x', '[12345678901234567, 01]']) {
      assertViolation(() => decodeText(bad), /^invalid JSON: /);
    }
  });

  it('rejects byte strings with invalid or unpadded base64', () => {
    for (const bad of ['\\u0000@@@@', '\\u0000AQI', '\\u0000AQ', '\\u0000A', '\\u0000AQ-_', '\\u0000AQ I=', '\\u0000AQI=AQI=x', '\\u0000AQ==AQI=', '\\u0000A===', '\\u0000====']) {
      assertViolation(() => decodeText(`[1,"${bad}"]`), /binary string .* invalid base64/);
    }
    assertViolation(() => decodeText('[1,{"k":["\\u0000!!!!"]}]'), /invalid base64/);
  });

  it('round-trips large binaries (no regex backtracking blow-up)', () => {
    const big = Buffer.alloc(12 * 1024 * 1024, 0x5a);
    big[0] = 0xff;
    const decoded = json.decode(json.encode([1, big])) as [number, Buffer];
    assert.ok(decoded[1].equals(big));
  });

  describe(`nesting depth is limited to MAX_NESTING_DEPTH (${MAX_NESTING_DEPTH}) levels, like msgpack and cbor`, () => {
    const LIMIT = MAX_NESTING_DEPTH;
    /** `levels` arrays nested inside each other around `inner` (the outermost one is level 1). */
    const nested = (levels: number, inner = ''): string => '['.repeat(levels) + inner + ']'.repeat(levels);
    /** Unwraps `levels` single-element arrays. */
    const unwrap = (value: unknown, levels: number): unknown => {
      for (let i = 0; i < levels; i++) value = (value as unknown[])[0];
      return value;
    };
    // Longer than 2·LIMIT bytes, so the depth is really walked (shorter payloads cannot be too deep).
    const padding = `"${'p'.repeat(100)}"`;
    // A 16-digit integer sends the payload down the lossless parse path.
    const bigInteger = '12345678901234567';

    it('accepts exactly the limit, on the native and the lossless path', () => {
      assert.deepEqual(unwrap(decodeText(nested(LIMIT)), LIMIT - 1), [], 'innermost level is an empty array');
      assert.equal(unwrap(decodeText(nested(LIMIT, padding)), LIMIT), 'p'.repeat(100));
      assert.equal(unwrap(decodeText(nested(LIMIT, bigInteger)), LIMIT), 12345678901234567n);
      const dicts = '{"a":'.repeat(LIMIT - 1) + `[${padding}]` + '}'.repeat(LIMIT - 1);
      assert.doesNotThrow(() => decodeText(dicts), 'dictionaries count as levels too');
    });

    it('refuses the limit + 1 as a protocol violation, on the native and the lossless path', () => {
      const deeper = /^JSON payload is nested deeper than 1000 levels$/;
      assertViolation(() => decodeText(nested(LIMIT + 1)), deeper);
      assertViolation(() => decodeText(nested(LIMIT + 1, padding)), deeper);
      assertViolation(() => decodeText(nested(LIMIT + 1, bigInteger)), deeper);
      assertViolation(() => decodeText('{"a":'.repeat(LIMIT) + '[]' + '}'.repeat(LIMIT)), deeper);
      assertViolation(() => decodeText(`[1,{"k":${nested(LIMIT - 1, '{}')}}]`), deeper);
    });

    it('refuses a 1 MB "[[[[…" without a stack overflow, on the native and the lossless path', () => {
      const deeper = /nested deeper than 1000 levels/;
      const mb = 1024 * 1024;
      assertViolation(() => decodeText('['.repeat(mb)), deeper);
      assertViolation(() => decodeText(`[${bigInteger},${'['.repeat(mb)}`), deeper);
      assertViolation(() => decodeText(nested(mb / 2)), deeper);
      assertViolation(() => decodeText(nested(mb / 2, bigInteger)), deeper);
      assertViolation(() => decodeText('{"a":'.repeat(mb / 5)), deeper);
    });

    it('does not count brackets inside strings, escaped quotes included', () => {
      const brackets = '['.repeat(3 * LIMIT);
      assert.deepEqual(decodeText(`["${brackets}"]`), [brackets]);
      // JSON text: ["\\"," \"[[[…",{"[[[…\\":1}]
      assert.deepEqual(decodeText(`["\\\\"," \\"${brackets}",{"${brackets}\\\\":1}]`), ['\\', ` "${brackets}`, { [`${brackets}\\`]: 1 }]);
      // JSON text: [12345678901234567,"\\\"[[[…"] (lossless path)
      assert.deepEqual(decodeText(`[${bigInteger},"\\\\\\"${brackets}"]`), [12345678901234567n, `\\"${brackets}`]);
      // JSON text: ["\\\\",[[[…]]]]: the string ends after two escaped backslashes, the arrays are outside it.
      assertViolation(() => decodeText(`["\\\\\\\\",${nested(LIMIT)}]`), /nested deeper than 1000 levels/);
    });
  });

  it('reports unserializable messages as invalid_payload', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    assertWampError(() => json.encode(cyclic), 'wamp.error.invalid_payload', /cannot serialize message to JSON/);
    const cyclicWithBytes: unknown[] = [Buffer.alloc(1)];
    cyclicWithBytes.push({ self: cyclicWithBytes });
    assertWampError(() => json.encode(cyclicWithBytes), 'wamp.error.invalid_payload', /cannot serialize message to JSON/);
  });
});
