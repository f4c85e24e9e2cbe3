import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asUuid, formatUuid, parseUuid, randomUuid, timeOrderedUuid } from '../../../schema/codec/uuid.js';
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

  it('makes time-ordered v7 UUIDs: the ms timestamp big-endian first, random after, later ids sort after', () => {
    // RFC 9562 appendix A.6 example time: 0x017F22E279B0 = 1645557742000 ms
    const u = timeOrderedUuid(1645557742000);
    assert.match(formatUuid(u), /^017f22e2-79b0-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const seen = new Set<string>();
    let previous = Buffer.from(timeOrderedUuid(1_700_000_000_000));
    for (let i = 1; i <= 1000; i++) {
      const next = Buffer.from(timeOrderedUuid(1_700_000_000_000 + i));
      assert.equal(Buffer.compare(previous, next), -1, 'a later ms sorts after');
      seen.add(next.toString('hex'));
      previous = next;
    }
    assert.equal(seen.size, 1000);
    const sameMs = new Set(Array.from({ length: 1000 }, () => formatUuid(timeOrderedUuid(1_700_000_000_000))));
    assert.equal(sameMs.size, 1000, 'ids of one ms differ in their random bits');
  });
});
