import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WampError } from '../../../schema/errors.js';
import { parseClientMessage } from '../../../router/wamp/parse.js';
import { getSerializer } from '../../../router/wamp/serializers.js';
import type { Serializer } from '../../../router/wamp/serializer.js';
import { prng } from './helpers.js';

/**
 * Random and mutated inputs must only ever produce a value or a WampError: never a TypeError,
 * RangeError or any other exception escaping from the libraries underneath.
 */

const serializers: Serializer[] = [getSerializer('json'), getSerializer('msgpack'), getSerializer('cbor')];
const CLIENT_TYPES = [1, 3, 5, 6, 8, 16, 32, 34, 48, 49, 64, 66, 70];

function onlyWampErrors(fn: () => unknown, context: () => string): unknown {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof WampError)) assert.fail(`${context()}: threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
    return undefined;
  }
}

function randomValue(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 3 ? 9 : 12));
  switch (pick) {
    case 0: return Math.floor(rand() * 200) - 100;
    case 1: return Math.floor((rand() - 0.5) * 2 ** 54);
    case 2: {
      // Anywhere in [-2^63, 2^64 - 1]; in decoded form, so a number when within ±2^53.
      const big = BigInt(Math.floor(rand() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(rand() * 2 ** 32)) - (rand() < 0.5 ? 2n ** 63n : 0n);
      return big <= 2n ** 53n && big >= -(2n ** 53n) ? Number(big) : big;
    }
    // Non-integral floats below 2^53 (an integral double beyond 2^53 reads back from JSON as bigint).
    case 3: return (rand() - 0.5) * 10 ** Math.floor(rand() * 35 - 20);
    // No NUL first character: in JSON, "\u0000..." means bytes.
    case 4: return Array.from({ length: Math.floor(rand() * 12) }, () => String.fromCodePoint(1 + (Math.floor(rand() * 0x10ffff) % 0xd7ff))).join('');
    case 5: return Buffer.from(Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 256)));
    case 6: return rand() < 0.5;
    case 7: return null;
    case 8: return ['com.example', '', 'x\u0000', 'é', '12345678901234567'][Math.floor(rand() * 5)];
    case 9:
    case 10: return Array.from({ length: Math.floor(rand() * 5) }, () => randomValue(rand, depth + 1));
    default: {
      const dict: Record<string, unknown> = {};
      for (let i = Math.floor(rand() * 5); i > 0; i--) dict[`k${Math.floor(rand() * 10)}`] = randomValue(rand, depth + 1);
      return dict;
    }
  }
}

/** Messages that are often valid: a client type code followed by plausible or random elements. */
function randomMessage(rand: () => number): unknown[] {
  const code = rand() < 0.9 ? CLIENT_TYPES[Math.floor(rand() * CLIENT_TYPES.length)]! : Math.floor(rand() * 80);
  const message: unknown[] = [code];
  const length = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < length; i++) {
    const r = rand();
    message.push(r < 0.25 ? 1 + Math.floor(rand() * 1000) : r < 0.45 ? {} : r < 0.6 ? 'com.example.uri' : r < 0.7 ? [] : randomValue(rand, 1));
  }
  return message;
}

describe('fuzz: decoders and parseClientMessage only throw WampError', () => {
  for (const serializer of serializers) {
    it(`${serializer.name}: 2,000 random byte strings`, () => {
      const rand = prng(0x5eed + serializer.name.length);
      for (let i = 0; i < 2000; i++) {
        const length = Math.floor(rand() * (i % 10 === 0 ? 300 : 40));
        const bytes = Buffer.from(Array.from({ length }, () => Math.floor(rand() * 256)));
        // Make some inputs start like a message so decoding gets further.
        if (length > 0 && i % 3 === 0) bytes[0] = serializer.name === 'json' ? 0x5b : serializer.name === 'msgpack' ? 0x90 | (bytes[0]! & 7) : 0x80 | (bytes[0]! & 7);
        const context = () => `${serializer.name} input ${bytes.toString('hex')}`;
        const decoded = onlyWampErrors(() => serializer.decode(bytes), context);
        if (decoded !== undefined) onlyWampErrors(() => parseClientMessage(decoded), context);
      }
    });

    it(`${serializer.name}: 2,000 mutated encodings of random messages`, () => {
      const rand = prng(0xbeef + serializer.name.length);
      for (let i = 0; i < 2000; i++) {
        const message = randomMessage(rand);
        const encoded = Buffer.from(serializer.encode(message));
        const mutations = 1 + Math.floor(rand() * 3);
        let bytes = encoded;
        for (let m = 0; m < mutations; m++) {
          const at = Math.floor(rand() * bytes.length);
          const op = rand();
          if (op < 0.5) bytes[at] = Math.floor(rand() * 256);
          else if (op < 0.7) bytes = bytes.subarray(0, at);
          else if (op < 0.85) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([Math.floor(rand() * 256)]), bytes.subarray(at)]);
          else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
        }
        const context = () => `${serializer.name} input ${bytes.toString('hex')}`;
        const decoded = onlyWampErrors(() => serializer.decode(bytes), context);
        if (decoded !== undefined) onlyWampErrors(() => parseClientMessage(decoded), context);
      }
    });
  }

  it('2,000 random values: every serializer round-trips them and parse only throws WampError', () => {
    const rand = prng(0xc0ffee);
    for (let i = 0; i < 2000; i++) {
      const message = randomMessage(rand);
      const context = () => `message ${String(JSON.stringify(message, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))}`;
      onlyWampErrors(() => parseClientMessage(message), context);
      for (const serializer of serializers) {
        const decoded = serializer.decode(serializer.encode(message));
        assert.deepEqual(decoded, message, `${serializer.name}: ${context()}`);
        onlyWampErrors(() => parseClientMessage(decoded), context);
      }
    }
  });
});
