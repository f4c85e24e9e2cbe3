import { test } from 'node:test';
import assert from 'node:assert/strict';
import { covers, intersectNamespace, overlaps } from '../../../schema/wamp/uri-sets.js';
import { patternRegistrationTrespass } from '../../../config/permissions/reserved.js';

const p = (uri: string) => ({ uri, match: 'prefix' as const });
const w = (uri: string) => ({ uri, match: 'wildcard' as const });
const e = (uri: string) => ({ uri, match: 'exact' as const });

test('overlaps: some URI in both sets', () => {
  assert.equal(overlaps(p('com.'), p('com.ex')), true);
  assert.equal(overlaps(p('com.a'), p('com.b')), false);
  assert.equal(overlaps(p('xbr.m'), w('xbr.marketmaker.x')), true);
  assert.equal(overlaps(p('xbr.n'), w('xbr.marketmaker.x')), false);
  assert.equal(overlaps(p(''), w('.a')), true);
  assert.equal(overlaps(w('a..c'), w('.b.')), true);
  assert.equal(overlaps(w('a..c'), w('.b.d')), false);
  assert.equal(overlaps(w('a.b'), w('a.b.c')), false, 'different component counts');
  assert.equal(overlaps(e('a.b.c'), w('a..c')), true);
  assert.equal(overlaps(e('a.b.c'), p('a.b.')), true);
  assert.equal(overlaps(p('a.b.c.d'), w('a..c')), false, 'the prefix has more components than the wildcard');
});

test('covers: every URI of the inner set is in the outer one', () => {
  assert.equal(covers(p('com.'), w('com..add')), true);
  assert.equal(covers(p('com.ex'), w('com..add')), false);
  assert.equal(covers(p(''), w('.x')), true);
  assert.equal(covers(w('com..add'), w('com.x.add')), true);
  assert.equal(covers(w('com.x.add'), w('com..add')), false);
  assert.equal(covers(w('..'), p('a.')), false, 'a wildcard never covers a prefix');
  assert.equal(covers(e('a.b'), w('a.b')), true);
  assert.equal(covers(e('a.b'), w('a.')), false);
});

test('intersectNamespace: the part of a pattern inside a namespace', () => {
  assert.deepEqual(intersectNamespace(p('xbr.'), 'xbr.marketmaker.'), p('xbr.marketmaker.'));
  assert.deepEqual(intersectNamespace(w('.marketmaker.authenticator.authenticate'), 'xbr.marketmaker.'), w('xbr.marketmaker.authenticator.authenticate'));
  assert.equal(intersectNamespace(w('.marketmaker'), 'xbr.marketmaker.'), undefined, 'too few components to reach inside');
  assert.equal(intersectNamespace(p('com.'), 'wamp.'), undefined);
});

test('pattern registrations never reach wamp., xbr.marketmaker. or another seller\'s xbr.provider.<authid>.', () => {
  assert.match(patternRegistrationTrespass(p(''), 'anonymous-x') ?? '', /wamp\./);
  assert.match(patternRegistrationTrespass(w('xbr..status'), 'a') ?? '', /xbr\.marketmaker\./);
  assert.match(patternRegistrationTrespass(w('xbr.provider..sell'), 'a') ?? '', /own/);
  assert.match(patternRegistrationTrespass(p('xbr.provider.a.b.'), 'a.b') ?? '', /own/, 'an authid that is not one component owns nothing');
  assert.equal(patternRegistrationTrespass(p('xbr.provider.a.'), 'a'), undefined);
  assert.equal(patternRegistrationTrespass(p('com.example.'), 'a'), undefined);
  assert.equal(patternRegistrationTrespass(e('xbr.marketmaker.status'), 'a'), undefined, 'exact registrations are left to permissions');
});
