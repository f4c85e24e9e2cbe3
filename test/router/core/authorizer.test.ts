import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoleAuthorizer } from '../../../router/core/authorizer.js';
import type { PermissionConfig } from '../../../router/config/types.js';

function perm(uri: string, match: PermissionConfig['match'], allow: Partial<PermissionConfig['allow']>, disclose: Partial<PermissionConfig['disclose']> = {}): PermissionConfig {
  return {
    uri,
    match,
    allow: { call: false, register: false, publish: false, subscribe: false, ...allow },
    disclose: { caller: false, publisher: false, ...disclose },
    cache: true,
  };
}

test('the best-matching permission decides, and unknown roles or URIs are denied', () => {
  const a = new RoleAuthorizer([
    {
      name: 'user',
      permissions: [
        perm('', 'prefix', { call: true, subscribe: true }),
        perm('com.admin.', 'prefix', {}),
        perm('com.admin.status', 'exact', { call: true }, { caller: true }),
        perm('com..publish', 'wildcard', { publish: true }, { publisher: true }),
      ],
    },
    { name: 'nobody', permissions: [] },
  ]);
  assert.deepEqual(a.authorize('user', 'com.example.x', 'call'), { allow: true, disclose: false });
  assert.deepEqual(a.authorize('user', 'com.admin.reset', 'call'), { allow: false, disclose: false });
  assert.deepEqual(a.authorize('user', 'com.admin.status', 'call'), { allow: true, disclose: true });
  assert.equal(a.authorize('user', 'com.example.x', 'register').allow, false);
  // Any prefix match, even the root prefix '', outranks a wildcard (exact > prefix > wildcard).
  assert.equal(a.authorize('user', 'com.topic.publish', 'publish').allow, false);
  assert.equal(a.authorize('nobody', 'com.example.x', 'call').allow, false);
  assert.equal(a.authorize('ghost', 'com.example.x', 'call').allow, false);
  assert.equal(a.hasRole('user'), true);
  assert.equal(a.hasRole('ghost'), false);
  // Cached decisions stay correct on repeat.
  assert.deepEqual(a.authorize('user', 'com.admin.status', 'call'), { allow: true, disclose: true });
});

test('wildcard permissions apply when no exact or prefix permission matches', () => {
  const a = new RoleAuthorizer([{ name: 'r', permissions: [perm('com..publish', 'wildcard', { publish: true }, { publisher: true })] }]);
  assert.deepEqual(a.authorize('r', 'com.topic.publish', 'publish'), { allow: true, disclose: true });
  assert.equal(a.authorize('r', 'com.topic.other', 'publish').allow, false);
});

test('{authid} permissions: each session owns the URIs with its own authid, and nobody else\'s', () => {
  const a = new RoleAuthorizer([
    {
      name: 'user',
      permissions: [
        perm('', 'prefix', { call: true, subscribe: true }),
        perm('xbr.provider.', 'prefix', { subscribe: true }),
        perm('xbr.provider.{authid}.', 'prefix', { register: true, subscribe: true }),
        perm('room.{authid}', 'exact', { publish: true }, { publisher: true }),
      ],
    },
  ]);
  assert.equal(a.authorize('user', 'xbr.provider.member-0xaa.sell', 'register', 'member-0xaa').allow, true);
  assert.equal(a.authorize('user', 'xbr.provider.member-0xaa.sell', 'register', 'member-0xbb').allow, false, 'another member\'s URI');
  assert.equal(a.authorize('user', 'xbr.provider.member-0xaa.sell', 'register').allow, false, 'no authid, no personal permission');
  assert.equal(a.authorize('user', 'xbr.provider.member-0xaa.sell', 'subscribe', 'member-0xbb').allow, true, 'the fixed permission still applies');
  assert.deepEqual(a.authorize('user', 'room.alice', 'publish', 'alice'), { allow: true, disclose: true });
  assert.equal(a.authorize('user', 'room.alice', 'publish', 'bob').allow, false);
  // An authid that is not one URI component never fills a template: "a.b" must not own "xbr.provider.a.b."
  // (nor may "a" own it through "xbr.provider.a.").
  assert.equal(a.authorize('user', 'xbr.provider.a.b.sell', 'register', 'a.b').allow, false);
  assert.equal(a.authorize('user', 'xbr.provider.x.sell', 'register', 'x#').allow, false);
  assert.equal(a.authorize('user', 'xbr.provider.{authid}.sell', 'register', '{authid}').allow, false);
  // Cached per authid: a decision for one member is not served to another.
  assert.equal(a.authorize('user', 'xbr.provider.member-0xaa.sell', 'register', 'member-0xaa').allow, true);
  assert.equal(a.authorize('user', 'xbr.provider.member-0xaa.sell', 'register', 'member-0xbb').allow, false);
});
