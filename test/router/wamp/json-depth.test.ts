import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonNestsDeeperThan } from '../../../router/wamp/json-depth.js';
import { prng } from './helpers.js';

/** Depth of a parsed value, the outermost array or object being level 1 (the reference). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
}

/** Strings full of what could fool a scanner: brackets, quotes, runs of backslashes, any length. */
function trickyString(rand: () => number): string {
  const pieces = ['[', ']', '{', '}', '"', '\\', '\\\\', '\\"', 'a', 'é', '😀', '\u0000'];
  let s = '';
  for (let n = Math.floor(rand() * 80); n > 0; n--) s += pieces[Math.floor(rand() * pieces.length)];
  return s;
}

function randomValue(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 12 ? 3 : 6));
  if (pick === 0) return Math.floor(rand() * 1000);
  if (pick === 1) return trickyString(rand);
  if (pick === 2) return null;
  if (pick === 3) return [];
  if (pick === 4) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [trickyString(rand), randomValue(rand, depth + 1)]));
}

describe('jsonNestsDeeperThan', () => {
  it('agrees with the depth of the parsed value on random JSON with tricky strings', () => {
    const rand = prng(0x5eed);
    for (let i = 0; i < 2000; i++) {
      const value = [randomValue(rand, 0)];
      const text = Buffer.from(JSON.stringify(value), 'utf8');
      const depth = depthOf(JSON.parse(text.toString('utf8')));
      assert.equal(jsonNestsDeeperThan(text, depth), false, `depth ${depth} is not deeper than ${depth}: ${text}`);
      assert.equal(jsonNestsDeeperThan(text, depth - 1), true, `depth ${depth} is deeper than ${depth - 1}: ${text}`);
    }
  });

  it('finds the end of strings longer than the inline scan, escapes at every offset', () => {
    for (let offset = 0; offset < 70; offset++) {
      for (const escaped of ['\\"', '\\\\', '\\\\\\"']) {
        const content = 'x'.repeat(offset) + escaped + '[[[' + 'y'.repeat(40);
        const text = Buffer.from(`[${JSON.stringify(content)},[[]]]`, 'utf8');
        assert.equal(jsonNestsDeeperThan(text, 3), false, `escape ${escaped} at ${offset}`);
        assert.equal(jsonNestsDeeperThan(text, 2), true, `escape ${escaped} at ${offset}`);
      }
    }
  });

  it('stops at an unterminated string (the parser reports it)', () => {
    assert.equal(jsonNestsDeeperThan(Buffer.from(`["${'['.repeat(100)}`), 1), false);
  });
});
