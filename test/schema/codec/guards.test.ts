import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describe as describeValue } from '../../../schema/codec/argument.js';
import {
  addressArg,
  boolArg,
  bytesArg,
  dictArg,
  intArg,
  listArg,
  nsTimeArg,
  optional,
  signatureArg,
  stringArg,
  uint256Arg,
  uuidArg,
} from '../../../schema/codec/guards.js';
import { packUint256 } from '../../../schema/codec/uint256.js';
import { invalidArgument } from './vectors.js';

const URI_RE = /^([\da-z_]+\.)*([\da-z_]*)$/;

describe('describe', () => {
  it('names the kind of value without its contents', () => {
    const cases: [unknown, string][] = [
      [new Uint8Array(20), '20 bytes'],
      [Buffer.alloc(1), '1 byte'],
      [new Uint8Array(0), '0 bytes'],
      ['secret', 'a string'],
      [5, 'a number'],
      [5n, 'a bigint'],
      [true, 'a boolean'],
      [null, 'null'],
      [undefined, 'undefined'],
      [[1], 'a list'],
      [{ a: 1 }, 'an object'],
      [new ArrayBuffer(4), 'an ArrayBuffer'],
      [new Map(), 'a Map'],
      [() => 1, 'a function'],
    ];
    for (const [value, text] of cases) assert.equal(describeValue(value), text);
  });
});

describe('byte guards', () => {
  it('return the value when the length is right', () => {
    const b16 = new Uint8Array(16);
    const b20 = Buffer.alloc(20);
    assert.equal(bytesArg('buyer_pubkey', Buffer.alloc(32), 32).length, 32);
    assert.equal(uuidArg('channel_oid', b16), b16);
    assert.equal(addressArg('delegate_adr', b20), b20);
  });

  it('name the argument, the expected length and what came', () => {
    assert.throws(() => uuidArg('channel_oid', new Uint8Array(20)), invalidArgument('channel_oid: expected 16 bytes, got 20'));
    assert.throws(() => uuidArg('key_id', 'a1b8d674-0000-0000-0000-000000000000'), invalidArgument('key_id: expected 16 bytes, got a string'));
    assert.throws(() => addressArg('delegate_adr', new Uint8Array(19)), invalidArgument('delegate_adr: expected 20 bytes, got 19'));
    assert.throws(() => addressArg('member_adr', undefined), invalidArgument('member_adr: expected 20 bytes, got undefined'));
    assert.throws(() => bytesArg('buyer_pubkey', [1, 2], 32), invalidArgument('buyer_pubkey: expected 32 bytes, got a list'));
    assert.throws(() => bytesArg('buyer_pubkey', new ArrayBuffer(32), 32), invalidArgument('buyer_pubkey: expected 32 bytes, got an ArrayBuffer'));
  });

  it('carry the argument name in kwargs', () => {
    assert.throws(() => uuidArg('offer_id', null), { kwargs: { argument: 'offer_id' } });
  });
});

describe('uint256Arg', () => {
  it('unpacks 32 bytes', () => {
    assert.equal(uint256Arg('amount', packUint256(10n ** 18n)), 10n ** 18n);
    assert.equal(uint256Arg('amount', new Uint8Array(32).fill(0xff)), (1n << 256n) - 1n);
  });

  it('accepts only 32 bytes, not numbers', () => {
    assert.throws(() => uint256Arg('amount', '1000'), invalidArgument('amount: expected 32 bytes (uint256), got a string'));
    assert.throws(() => uint256Arg('amount', 1000), invalidArgument('amount: expected 32 bytes (uint256), got a number'));
    assert.throws(() => uint256Arg('amount', 1000n), invalidArgument('amount: expected 32 bytes (uint256), got a bigint'));
    assert.throws(() => uint256Arg('balance', new Uint8Array(31)), invalidArgument('balance: expected 32 bytes (uint256), got 31'));
  });
});

describe('signatureArg', () => {
  it('accepts v 27/28 and normalizes 0/1', () => {
    const s = new Uint8Array(65);
    s[64] = 28;
    assert.equal(signatureArg('signature', s), s);
    s[64] = 1;
    assert.equal(signatureArg('signature', s)[64], 28);
  });

  it('rejects wrong lengths, types and v', () => {
    assert.throws(() => signatureArg('signature', new Uint8Array(64)), invalidArgument('signature: expected 65 bytes (signature), got 64'));
    assert.throws(() => signatureArg('delegate_signature', 7), invalidArgument('delegate_signature: expected 65 bytes (signature), got a number'));
    const s = new Uint8Array(65);
    s[64] = 35;
    assert.throws(() => signatureArg('signature', s), invalidArgument('signature: expected v = 27 or 28 (or 0/1), got 35'));
  });
});

describe('intArg', () => {
  it('accepts safe integers and in-range bigints, returns a number', () => {
    assert.equal(intArg('channel_seq', 5), 5);
    assert.equal(intArg('channel_seq', 5n), 5);
    assert.equal(intArg('channel_type', 2, { min: 1, max: 2 }), 2);
    assert.equal(intArg('x', -3), -3);
  });

  it('rejects non-integers, wrong types and out-of-range values', () => {
    assert.throws(() => intArg('channel_type', 3, { min: 1, max: 2 }), invalidArgument('channel_type: expected an integer in [1, 2], got 3'));
    assert.throws(() => intArg('channel_type', 0n, { min: 1, max: 2 }), invalidArgument('channel_type: expected an integer in [1, 2], got 0'));
    assert.throws(() => intArg('channel_seq', 1.5), invalidArgument('channel_seq: expected an integer, got 1.5'));
    assert.throws(() => intArg('channel_seq', Number.NaN), invalidArgument('channel_seq: expected an integer, got NaN'));
    assert.throws(() => intArg('channel_seq', '5'), invalidArgument('channel_seq: expected an integer, got a string'));
    assert.throws(() => intArg('copies', true), invalidArgument('copies: expected an integer, got a boolean'));
    assert.throws(
      () => intArg('copies', 2 ** 60),
      invalidArgument(`copies: expected an integer in [${Number.MIN_SAFE_INTEGER}, ${Number.MAX_SAFE_INTEGER}], got ${2 ** 60}`),
    );
    assert.throws(
      () => intArg('copies', 2n ** 60n),
      invalidArgument(`copies: expected an integer in [${Number.MIN_SAFE_INTEGER}, ${Number.MAX_SAFE_INTEGER}], got ${2n ** 60n}`),
    );
  });
});

describe('nsTimeArg', () => {
  it('accepts non-negative integers and bigints, returns a bigint', () => {
    assert.equal(nsTimeArg('valid_from', 0), 0n);
    assert.equal(nsTimeArg('valid_from', 1_763_731_353_123_456_789n), 1_763_731_353_123_456_789n);
    assert.equal(nsTimeArg('valid_from', 1_763_731_353_123_000_000), BigInt(1_763_731_353_123_000_000));
  });

  it('rejects negatives, fractions and other types', () => {
    assert.throws(() => nsTimeArg('valid_from', -1), invalidArgument('valid_from: expected an integer ≥ 0 (ns), got -1'));
    assert.throws(() => nsTimeArg('valid_from', -1n), invalidArgument('valid_from: expected an integer ≥ 0 (ns), got -1'));
    assert.throws(() => nsTimeArg('expires', 1.5), invalidArgument('expires: expected an integer ≥ 0 (ns), got 1.5'));
    assert.throws(() => nsTimeArg('expires', '2026-01-01'), invalidArgument('expires: expected an integer ≥ 0 (ns), got a string'));
  });
});

describe('stringArg', () => {
  it('accepts strings within the limits', () => {
    assert.equal(stringArg('uri', 'com.example.', { maxLength: 255, pattern: URI_RE }), 'com.example.');
    assert.equal(stringArg('uri', '', { maxLength: 255, pattern: URI_RE }), '');
    assert.equal(stringArg('provider_id', 'x', { maxLength: 1 }), 'x');
  });

  it('rejects other types, long strings and pattern mismatches', () => {
    assert.throws(() => stringArg('uri', new Uint8Array(3), { maxLength: 255 }), invalidArgument('uri: expected a string, got 3 bytes'));
    assert.throws(() => stringArg('provider_id', 'abc', { maxLength: 2 }), invalidArgument('provider_id: expected at most 2 characters, got 3'));
    assert.throws(
      () => stringArg('uri', 'Com.Example', { maxLength: 255, pattern: URI_RE }),
      invalidArgument('uri: expected a string matching /^([\\da-z_]+\\.)*([\\da-z_]*)$/, got "Com.Example"'),
    );
    assert.throws(
      () => stringArg('uri', 'X'.repeat(50), { maxLength: 255, pattern: URI_RE }),
      invalidArgument(`uri: expected a string matching /^([\\da-z_]+\\.)*([\\da-z_]*)$/, got "${'X'.repeat(40)}"…`),
    );
  });

  it('works with a global pattern more than once', () => {
    const re = /^a+$/g;
    assert.equal(stringArg('s', 'aa', { maxLength: 5, pattern: re }), 'aa');
    assert.equal(stringArg('s', 'aa', { maxLength: 5, pattern: re }), 'aa');
  });
});

describe('boolArg', () => {
  it('accepts only booleans', () => {
    assert.equal(boolArg('is_final', true), true);
    assert.equal(boolArg('is_final', false), false);
    assert.throws(() => boolArg('is_final', 1), invalidArgument('is_final: expected a boolean, got a number'));
    assert.throws(() => boolArg('include_eula_text', null), invalidArgument('include_eula_text: expected a boolean, got null'));
  });
});

describe('listArg and dictArg', () => {
  it('check every item under an indexed name', () => {
    const ids = [new Uint8Array(16), new Uint8Array(16)];
    assert.deepEqual(listArg('channels', ids, uuidArg), ids);
    assert.throws(() => listArg('channels', [new Uint8Array(16), new Uint8Array(4)], uuidArg), invalidArgument('channels[1]: expected 16 bytes, got 4'));
    assert.throws(() => listArg('channels', 'x', uuidArg), invalidArgument('channels: expected a list, got a string'));
    assert.throws(() => listArg('channels', [1, 2, 3], intArg, { maxLength: 2 }), invalidArgument('channels: expected at most 2 items, got 3'));
  });

  it('check every dict value under a dotted name', () => {
    const str = (n: string, v: unknown): string => stringArg(n, v, { maxLength: 10 });
    assert.deepEqual(dictArg('categories', { topic: 'weather' }, str), { topic: 'weather' });
    assert.throws(() => dictArg('categories', { topic: 5 }, str), invalidArgument('categories.topic: expected a string, got a number'));
    assert.throws(() => dictArg('categories', [], str), invalidArgument('categories: expected a dict, got a list'));
    assert.throws(() => dictArg('categories', { a: 'x', b: 'y' }, str, { maxLength: 1 }), invalidArgument('categories: expected at most 1 entries, got 2'));
    const parsed = dictArg('categories', JSON.parse('{"__proto__": "x"}'), str);
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, 'x');
  });
});

describe('optional', () => {
  it('passes undefined and null (Python None) through as undefined', () => {
    const price = optional(uint256Arg);
    assert.equal(price('price', undefined), undefined);
    assert.equal(price('price', null), undefined);
    assert.equal(price('price', packUint256(7n)), 7n);
    assert.throws(() => price('price', 7), invalidArgument('price: expected 32 bytes (uint256), got a number'));
  });

  it('forwards the extra guard options', () => {
    const copies = optional(intArg);
    assert.equal(copies('copies', 3, { min: 1 }), 3);
    assert.throws(() => copies('copies', 0, { min: 1, max: 10 }), invalidArgument('copies: expected an integer in [1, 10], got 0'));
  });
});
