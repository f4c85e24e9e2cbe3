import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UriPatternMap } from '../../../schema/wamp/pattern-map.js';

test('best match prefers exact, then the longest prefix, then the most specific wildcard', () => {
  const m = new UriPatternMap<string>();
  m.set('com.example..add', 'wildcard', 'w1');
  m.set('com...add', 'wildcard', 'w2');
  m.set('com.', 'prefix', 'p1');
  m.set('com.example.', 'prefix', 'p2');
  m.set('com.example.math.add', 'exact', 'e');
  assert.equal(m.best('com.example.math.add'), 'e');
  assert.equal(m.best('com.example.math.sub'), 'p2');
  assert.equal(m.best('com.other.x.add'), 'p1');
  m.delete('com.', 'prefix');
  m.delete('com.example.', 'prefix');
  assert.equal(m.best('com.example.math.add'), 'e');
  assert.equal(m.best('com.example.foo.add'), 'w1', 'concrete "example" beats an empty component');
  assert.equal(m.best('com.other.foo.add'), 'w2');
  assert.equal(m.best('com.other.foo.sub'), undefined);
  assert.equal(m.best('com.example.add'), undefined, 'wildcards match only URIs with as many components');
});

test('all() returns every matching pattern (broker semantics) and deletes clean up', () => {
  const m = new UriPatternMap<string>();
  m.set('a.b.c', 'exact', 'e');
  m.set('a.', 'prefix', 'p');
  m.set('', 'prefix', 'root');
  m.set('a..c', 'wildcard', 'w');
  assert.deepEqual(m.all('a.b.c').sort(), ['e', 'p', 'root', 'w']);
  assert.deepEqual(m.all('b.b.c'), ['root']);
  assert.equal(m.size, 4);
  assert.equal(m.delete('a..c', 'wildcard'), true);
  assert.equal(m.delete('a..c', 'wildcard'), false);
  assert.equal(m.get('a.', 'prefix'), 'p');
  assert.equal(m.get('a.', 'exact'), undefined);
  assert.equal(m.size, 3);
  assert.deepEqual([...m.entries()].map((e) => `${e.match}:${e.uri}`).sort(), ['exact:a.b.c', 'prefix:', 'prefix:a.']);
});
