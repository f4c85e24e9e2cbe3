import assert from 'node:assert/strict';
import { WampError } from '../../../schema/errors.js';

/** Asserts `fn` throws WampError(wamp.error.protocol_violation) whose message matches `pattern`. */
export function assertViolation(fn: () => unknown, pattern: RegExp): void {
  assertWampError(fn, 'wamp.error.protocol_violation', pattern);
}

export function assertWampError(fn: () => unknown, uri: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WampError, `expected a WampError, got ${String(err)}`);
    assert.equal(err.uri, uri);
    assert.match(err.message, pattern);
    return true;
  });
}

export const fromHex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export { prng } from '../../helpers/prng.js';

/**
 * A message exercising every value kind, already in decoded form (safe ints as number, others as
 * bigint, bytes as Buffer), so it must survive any encode/decode chain unchanged.
 */
export function sampleMessage(): unknown[] {
  return [
    48,
    2 ** 53,
    { receive_progress: true, timeout: 0, exclude: [2 ** 40, 2 ** 53, 4294967296] },
    'com.example.procedure',
    [
      Buffer.from([1, 2]),
      2n ** 53n + 1n,
      2n ** 64n - 1n,
      -(2n ** 63n),
      -(2n ** 53n) - 1n,
      -(2 ** 53),
      -1,
      -32,
      -33,
      -2147483649,
      0,
      127,
      128,
      65535,
      65536,
      4294967295,
      1.5,
      -0.25,
      1e300,
      5e-324,
      'héllo wörld ✓ 漢字 😀',
      '',
      'quote " backslash \\ newline \n tab \t nul-inside \u0001',
      null,
      true,
      false,
      [],
      {},
      { nested: [Buffer.alloc(0), { deep: [Buffer.from('ff00cb7f', 'hex'), 2 ** 52 + 1] }] },
    ],
    { bytes: Buffer.from('hello'), big: -(2n ** 60n), 'ünïcode key': 'value', list: [[[Buffer.from([0xcb, 0xfb])]]] },
  ];
}
