import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asUuid, formatUuid, parseUuid, randomUuid } from '../../../schema/codec/uuid.js';
import { invalidArgument, vectors } from './vectors.js';

describe('uuid', () => {
  it('parses and formats the vectors (Python uuid.bytes order)', () => {
    for (const { text, hex } of vectors.uuid) {
      assert.equal(Buffer.from(parseUuid(text)).toString('hex'), hex);
      assert.equal(formatUuid(Buffer.from(hex, 'hex')), text);
    }
  });

  it('accepts uppercase and unhyphenated input and formats canonical lowercase', () => {
    assert.equal(formatUuid(parseUuid('6BA7B810-9DAD-11D1-80B4-00C04FD430C8')), '6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    assert.equal(formatUuid(parseUuid('6ba7b8109dad11d180b400c04fd430c8')), '6ba7b810-9dad-11d1-80b4-00c04fd430c8');
  });

  it('rejects malformed strings', () => {
    assert.throws(() => parseUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c'), invalidArgument('uuid: expected a UUID string (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got "6ba7b810-9dad-11d1-80b4-00c04fd430c"'));
    assert.throws(() => parseUuid('6ba7b810-9dad11d1-80b4-00c04fd430c8', 'market'), { uri: 'wamp.error.invalid_argument' });
    assert.throws(() => parseUuid('{6ba7b810-9dad-11d1-80b4-00c04fd430c8}'), { uri: 'wamp.error.invalid_argument' });
    assert.throws(() => parseUuid(16 as unknown as string, 'market'), invalidArgument('market: expected a UUID string, got a number'));
  });

  it('formats and checks only 16 bytes', () => {
    assert.throws(() => formatUuid(new Uint8Array(20), 'channel_oid'), invalidArgument('channel_oid: expected 16 bytes, got 20'));
    assert.throws(() => asUuid('x', 'key_id'), invalidArgument('key_id: expected 16 bytes, got a string'));
    const b = new Uint8Array(16);
    assert.equal(asUuid(b), b);
  });

  it('makes random v4 UUIDs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const u = randomUuid();
      assert.equal(u.length, 16);
      const text = formatUuid(u);
      assert.match(text, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(text);
    }
    assert.equal(seen.size, 1000);
  });
});
