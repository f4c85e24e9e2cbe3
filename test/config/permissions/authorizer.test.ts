import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoleAuthorizer } from '../../../config/permissions/authorizer.js';
import type { PermissionConfig } from '../../../config/types.js';

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

test('reserved namespaces: only permissions written inside wamp., xbr.marketmaker. and xbr.provider. reach them', () => {
  const a = new RoleAuthorizer([
    { name: 'open', permissions: [perm('', 'prefix', { call: true, register: true, publish: true, subscribe: true })] },
    {
      name: 'maker',
      permissions: [
        perm('', 'prefix', { call: true }),
        perm('xbr.marketmaker.', 'prefix', { call: true, register: true }),
        perm('wamp.session.get', 'exact', { call: true }),
      ],
    },
  ]);
  // A catch-all opens everything else, but neither the meta API nor the maker's and sellers' namespaces.
  assert.equal(a.authorize('open', 'com.example.add', 'register').allow, true);
  for (const uri of ['wamp.session.list', 'wamp.session.on_join', 'xbr.marketmaker.buy_key', 'xbr.provider.member-0xaa.sell']) {
    for (const action of ['call', 'register', 'publish', 'subscribe'] as const) assert.equal(a.authorize('open', uri, action).allow, false, `${action} ${uri}`);
  }
  assert.equal(a.authorize('maker', 'xbr.marketmaker.buy_key', 'register').allow, true);
  assert.equal(a.authorize('maker', 'wamp.session.get', 'call').allow, true);
  assert.equal(a.authorize('maker', 'wamp.session.list', 'call').allow, false, 'an exact meta permission opens that procedure only');
  assert.equal(a.authorize('maker', 'xbr.provider.member-0xaa.sell', 'call').allow, false, '"" does not reach xbr.provider.');
});

test('a pattern is authorized against every URI it can match', () => {
  const a = new RoleAuthorizer([
    {
      name: 'user',
      permissions: [
        perm('', 'prefix', { call: true, register: true, subscribe: true }),
        perm('com.admin.', 'prefix', { call: true }),
        perm('com.example.secret', 'exact', { call: true }),
        perm('xbr.marketmaker.', 'prefix', { call: true, subscribe: true }),
        perm('xbr.provider.', 'prefix', { subscribe: true }),
        perm('xbr.provider.{authid}.', 'prefix', { register: true, subscribe: true }),
      ],
    },
    { name: 'wild', permissions: [perm('com..add', 'wildcard', { register: true }), perm('com.x.add', 'exact', {})] },
  ]);
  const may = (uri: string, match: 'prefix' | 'wildcard', action: 'register' | 'subscribe', authid = 'member-0xaa', role = 'user'): boolean =>
    a.authorizePattern(role, uri, match, action, authid);
  assert.equal(may('com.example.tools.', 'prefix', 'register'), true);
  assert.equal(may('com.', 'prefix', 'register'), false, 'reaches com.admin. (no register) and com.example.secret');
  assert.equal(may('com.example.', 'prefix', 'register'), false, 'reaches the exact com.example.secret');
  assert.equal(may('com.adm', 'prefix', 'register'), false, 'a partial component still reaches com.admin.');
  assert.equal(may('com..reset', 'wildcard', 'register'), false, 'matches com.admin.reset');
  assert.equal(may('com.example..x', 'wildcard', 'register'), true);
  // The attacks: patterns reaching the maker's or another seller's procedures.
  for (const [uri, match] of [['xbr.', 'prefix'], ['', 'prefix'], ['x', 'prefix'], ['.marketmaker.authenticator.authenticate', 'wildcard'], ['xbr..status', 'wildcard'], ['xbr.provider..sell', 'wildcard'], ['xbr.provider.', 'prefix'], ['xbr.provider.member-0xbb.', 'prefix']] as const) {
    assert.equal(may(uri, match, 'register'), false, `register ${match} "${uri}"`);
  }
  assert.equal(may('xbr.provider.member-0xaa.', 'prefix', 'register'), true, 'its own provider namespace');
  assert.equal(may('xbr.provider.member-0xaa..x', 'wildcard', 'register'), true);
  assert.equal(may('xbr.provider.member-0xaa.', 'prefix', 'register', 'member-0xbb'), false);
  // Subscriptions: a prefix over xbr. is fine where every topic under it may be subscribed.
  assert.equal(may('xbr.marketmaker.on_', 'prefix', 'subscribe'), true);
  assert.equal(may('wamp.session.', 'prefix', 'subscribe'), false, 'the meta API needs a permission inside wamp.');
  // Wildcard permissions: the pattern must be covered, and no exact permission under it may deny.
  assert.equal(may('com..add', 'wildcard', 'register', 'x', 'wild'), false, 'com.x.add is denied');
  assert.equal(may('com.y.', 'prefix', 'register', 'x', 'wild'), false, 'a prefix is not covered by a wildcard');
});
