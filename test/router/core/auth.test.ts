import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { ed25519PublicKey, verifyCryptosign, wampcraKey, wampcraSignature, createAuthMethods } from '../../../router/auth/index.js';
import type { AuthRequest, Principal } from '../../../router/auth/index.js';
import { WampError } from '../../../schema/errors.js';

// Vectors computed with Debian's python3-autobahn 22.7.1 (autobahn.wamp.auth.derive_key / compute_wcs).
test('wampcra key derivation and signature match autobahn', () => {
  const key = wampcraKey('secret123', 'salt123', 1000, 32);
  assert.equal(key, 'Eu7CQLfR+/Ffb+275A4s9/6H/RGKYxM4s6IMrsNKzC8=');
  assert.equal(wampcraSignature(key, '{"nonce":"x"}'), 'NSb6bv4AZLX52Jbv2J0xL6KWuSfZKK41tNt4VTLek4k=');
  assert.equal(wampcraSignature(wampcraKey('secret123'), '{"nonce":"x"}'), 'z8HVznyqP9T0lhqV4YbEW/f2s/LXOmAOgHlz9LZS94A=');
});

function ed25519(): { pubHex: string; signChallenge(c: Buffer): string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pubHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  return { pubHex, signChallenge: (c) => sign(null, c, privateKey).toString('hex') + c.toString('hex') };
}

test('cryptosign verification accepts signature+challenge and signature alone, rejects anything else', () => {
  const k = ed25519();
  const key = ed25519PublicKey(k.pubHex);
  const challenge = Buffer.alloc(32, 7);
  const signed = k.signChallenge(challenge);
  assert.equal(verifyCryptosign(signed, challenge, key), true);
  assert.equal(verifyCryptosign(signed.slice(0, 128), challenge, key), true);
  assert.equal(verifyCryptosign(signed, Buffer.alloc(32, 8), key), false, 'other challenge');
  const flipped = (signed[0] === 'a' ? 'b' : 'a') + signed.slice(1);
  assert.equal(verifyCryptosign(flipped, challenge, key), false, 'tampered signature');
  assert.equal(verifyCryptosign(signed.slice(0, 100), challenge, key), false, 'truncated');
  assert.equal(verifyCryptosign('zz' + signed.slice(2), challenge, key), false, 'not hex');
  assert.equal(verifyCryptosign(signed, challenge, ed25519PublicKey(ed25519().pubHex)), false, 'other key');
});

const request = (over: Partial<AuthRequest> = {}): AuthRequest => ({
  realm: 'realm1',
  authid: undefined,
  authextra: {},
  sessionId: 42,
  transport: { type: 'websocket', transport_id: 't', peer: 'unix', protocol: 'wamp.2.json' },
  ...over,
});
const noCall = async (): Promise<unknown> => {
  throw new Error('no authenticator in this test');
};

async function rejects(p: Promise<unknown>, uri: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof WampError && err.uri === uri);
}

test('static cryptosign: known key gets its principal, unknown key and wrong authid are refused', async () => {
  const k = ed25519();
  const methods = createAuthMethods({ cryptosign: { type: 'static', principals: { alice: { authorized_keys: [k.pubHex], role: 'user' } } } }, noCall);
  const cs = methods.get('cryptosign')!;
  const step = await cs.start(request({ authextra: { pubkey: k.pubHex } }));
  assert.equal(step.kind, 'challenge');
  if (step.kind !== 'challenge') return;
  const challenge = Buffer.from(step.extra['challenge'] as string, 'hex');
  assert.equal(challenge.length, 32);
  const p: Principal = await step.verify(k.signChallenge(challenge), {});
  assert.deepEqual([p.authid, p.authrole, p.authmethod, p.authprovider], ['alice', 'user', 'cryptosign', 'static']);
  await rejects(step.verify(k.signChallenge(Buffer.alloc(32)), {}), 'wamp.error.not_authorized');
  await rejects(cs.start(request({ authextra: { pubkey: ed25519().pubHex } })), 'wamp.error.not_authorized');
  await rejects(cs.start(request({ authid: 'bob', authextra: { pubkey: k.pubHex } })), 'wamp.error.not_authorized');
  await rejects(cs.start(request({ authextra: {} })), 'wamp.error.not_authorized');
});

test('static ticket and wampcra accept the right secret only and do not reveal unknown authids', async () => {
  const methods = createAuthMethods(
    {
      ticket: { type: 'static', principals: { joe: { ticket: 'tkt', role: 'user' } } },
      wampcra: { type: 'static', users: { ann: { secret: 'secret123', role: 'admin', salt: 'salt123', iterations: 1000, keylen: 32 } } },
    },
    noCall,
  );
  const t = await methods.get('ticket')!.start(request({ authid: 'joe' }));
  assert.equal(t.kind, 'challenge');
  if (t.kind === 'challenge') {
    assert.equal((await t.verify('tkt', {})).authrole, 'user');
    await rejects(t.verify('tkt2', {}), 'wamp.error.not_authorized');
  }
  const unknown = await methods.get('ticket')!.start(request({ authid: 'nobody' }));
  if (unknown.kind === 'challenge') await rejects(unknown.verify('tkt', {}), 'wamp.error.not_authorized');

  const c = await methods.get('wampcra')!.start(request({ authid: 'ann' }));
  assert.equal(c.kind, 'challenge');
  if (c.kind === 'challenge') {
    assert.equal(c.extra['salt'], 'salt123');
    const challenge = c.extra['challenge'] as string;
    assert.equal(JSON.parse(challenge).session, 42);
    assert.equal((await c.verify(wampcraSignature(wampcraKey('secret123', 'salt123', 1000, 32), challenge), {})).authrole, 'admin');
    await rejects(c.verify(wampcraSignature('secret123', challenge), {}), 'wamp.error.not_authorized');
  }
  const ghost = await methods.get('wampcra')!.start(request({ authid: 'ghost' }));
  assert.equal(ghost.kind, 'challenge', 'unknown users are challenged too');
});

test('dynamic authenticator: role or dict accepted, its errors become the ABORT reason', async () => {
  const calls: unknown[][] = [];
  const call = async (realm: string, procedure: string, args: unknown[]): Promise<unknown> => {
    calls.push([realm, procedure, ...args]);
    const authid = args[1];
    if (authid === 'bad') throw new WampError('xbr.marketmaker.error.invalid-auth-request', 'nope');
    if (authid === 'norole') return { authid: 'x' };
    return { role: 'member', authid: 'member-1', extra: { actor_type: 1 } };
  };
  const methods = createAuthMethods({ anonymous: { type: 'dynamic', authenticator: 'com.auth', 'authenticator-realm': 'auth' } }, call);
  const anon = methods.get('anonymous')!;
  const ok = await anon.start(request({ authid: 'someone' }));
  assert.equal(ok.kind, 'welcome');
  if (ok.kind === 'welcome') assert.deepEqual([ok.principal.authid, ok.principal.authrole, ok.principal.authextra], ['member-1', 'member', { actor_type: 1 }]);
  assert.equal(calls[0]![0], 'auth');
  assert.equal(calls[0]![1], 'com.auth');
  assert.equal(calls[0]![2], 'realm1');
  await rejects(anon.start(request({ authid: 'bad' })), 'xbr.marketmaker.error.invalid-auth-request');
  await rejects(anon.start(request({ authid: 'norole' })), 'wamp.error.authentication_failed');
});
