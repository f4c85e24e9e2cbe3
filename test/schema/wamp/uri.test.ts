import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MatchPolicy } from '../../../config/types.js';
import { MAX_URI_LENGTH } from '../../../router/wamp/limits.js';
import { isValidPermissionUri, isValidUri, wildcardMatches } from '../../../schema/wamp/uri.js';

type Row = [uri: string, exact: boolean, prefix: boolean, wildcard: boolean];

function check(rows: Row[], strict: boolean): void {
  const policies: MatchPolicy[] = ['exact', 'prefix', 'wildcard'];
  for (const [uri, ...expected] of rows) {
    policies.forEach((match, i) => {
      assert.equal(isValidUri(uri, match, strict), expected[i], `${JSON.stringify(uri)} ${match} strict=${strict}`);
    });
  }
}

describe('isValidUri', () => {
  it(`accepts URIs of up to MAX_URI_LENGTH (${MAX_URI_LENGTH}) characters, under every policy and in permissions`, () => {
    const longest = `com.${'a'.repeat(MAX_URI_LENGTH - 4)}`;
    const tooLong = `${longest}a`;
    for (const match of ['exact', 'prefix', 'wildcard'] as const) {
      for (const strict of [false, true]) {
        assert.equal(isValidUri(longest, match, strict), true, `${match} strict=${strict}`);
        assert.equal(isValidUri(tooLong, match, strict), false, `${match} strict=${strict}`);
        assert.equal(isValidPermissionUri(tooLong, match, strict), false, `permission ${match} strict=${strict}`);
      }
    }
  });

  it('loose rules', () => {
    check(
      [
        //  uri                         exact  prefix wildcard
        ['com.example.proc', true, true, true],
        ['a', true, true, true],
        ['Com.Example-1.ÄÖ.$x', true, true, true],
        ['com.example.', false, true, true],
        ['com..proc', false, false, true],
        ['.com.proc', false, false, true],
        ['com.example..', false, false, true],
        ['..', false, false, true],
        ['.', false, false, true],
        ['', false, false, false],
        ['com.exa mple', false, false, false],
        ['com.example\t', false, false, false],
        ['com.\u00a0x', false, false, false],
        ['com.example#', false, false, false],
        ['com.#.x', false, false, false],
        ['com.example.\n', false, false, false],
      ],
      false,
    );
  });

  it('strict rules: components are [0-9a-z_]+', () => {
    check(
      [
        ['com.example_1.proc2', true, true, true],
        ['com.example.', false, true, true],
        ['com..proc', false, false, true],
        ['Com.example', false, false, false],
        ['com.exa-mple', false, false, false],
        ['com.exämple', false, false, false],
        ['com.$', false, false, false],
        ['', false, false, false],
      ],
      true,
    );
  });

  it('defaults to exact, loose', () => {
    assert.equal(isValidUri('com.Example'), true);
    assert.equal(isValidUri('com.'), false);
  });

  it('runs in linear time on long adversarial input', () => {
    const long = `${'a.'.repeat(50_000)}#`;
    const start = performance.now();
    for (const match of ['exact', 'prefix', 'wildcard'] as const) assert.equal(isValidUri(long, match), false);
    assert.ok(performance.now() - start < 500);
  });
});

describe('isValidPermissionUri', () => {
  it("allows '' only as the catch-all prefix", () => {
    assert.equal(isValidPermissionUri('', 'prefix'), true);
    assert.equal(isValidPermissionUri('', 'exact'), false);
    assert.equal(isValidPermissionUri('', 'wildcard'), false);
    assert.equal(isValidUri('', 'prefix'), false);
  });

  it('otherwise follows isValidUri', () => {
    assert.equal(isValidPermissionUri('com.example.', 'prefix'), true);
    assert.equal(isValidPermissionUri('com..x', 'wildcard'), true);
    assert.equal(isValidPermissionUri('com..x', 'exact'), false);
    assert.equal(isValidPermissionUri('Com.x', 'exact', true), false);
  });
});

describe('wildcardMatches', () => {
  const rows: [pattern: string, uri: string, matches: boolean][] = [
    ['com..proc', 'com.example.proc', true],
    ['com..proc', 'com.other.proc', true],
    ['com..proc', 'com.example.proc2', false],
    ['com..proc', 'com.example.proc.x', false],
    ['com..proc', 'com.proc', false],
    ['..', 'a.b.c', true],
    ['..', 'a.b', false],
    ['.b.', 'a.b.c', true],
    ['.b.', 'a.bb.c', false],
    ['.b.', 'a.c.b', false],
    ['a.b.c', 'a.b.c', true],
    ['a.b.c', 'a.b.d', false],
    ['a.b', 'a.bc', false],
    ['a.bc', 'a.b', false],
    ['', 'anything', true],
    ['', 'any.thing', false],
    ['x.', 'x.y', true],
    ['x.', 'x', false],
  ];
  for (const [pattern, uri, expected] of rows) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(uri)}`, () => {
      assert.equal(wildcardMatches(pattern, uri), expected);
    });
  }
});
