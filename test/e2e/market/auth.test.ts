/**
 * End to end: the maker's WAMP-cryptosign dynamic authenticator on the router's TCP WebSocket (shipped
 * config). A new member login (EIP712MarketMemberLogin) stores the key and gives role `user` / authid
 * `member-0x…`; the key then logs in alone; a wrong login signature is refused; a non-actor and an unknown key
 * are anonymous; logout forgets the key and kills the member's sessions. A member registers under
 * `xbr.provider.<its authid>.` only. An anonymous session cannot name itself a member: the router assigns its
 * authid, whatever HELLO asked for. Neither anonymous sessions nor members may use the meta API (docs/protocol.md#trust-model).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import { call, ed25519Keys, login, rejectsWith } from './channels-helpers.js';

const SELLER = 2;
const BUYER = 3;
const NOT_A_MEMBER = 7;

let edge: MarketEdge;

before(async () => {
  edge = await startMarketEdge();
});
after(async () => {
  await edge?.stop();
});

const memberId = (i: number): string => `member-${edge.account(i).address.toLowerCase()}`;

test('a new member login stores the key; the key alone logs in again as the same member', async () => {
  const first = await login(edge, { wallet: SELLER });
  assert.equal(first.welcome.authrole, 'user');
  assert.equal(first.welcome.authid, memberId(SELLER));
  const again = await login(edge, { keys: first.keys, serializer: 'cbor' });
  assert.equal(again.welcome.authrole, 'user');
  assert.equal(again.welcome.authid, memberId(SELLER));
  // A member may call the maker.
  assert.equal(typeof (await call<{ status: unknown }>(again.client, 'xbr.marketmaker.get_status')).status, 'number');
});

test('a login signed by another wallet is refused; non-actors and unknown keys are anonymous', async () => {
  await assert.rejects(login(edge, { wallet: BUYER, signer: SELLER }), (err: { errorUri?: string }) => err.errorUri === 'xbr.error.invalid_signature');
  const stranger = await login(edge, { wallet: NOT_A_MEMBER });
  assert.equal(stranger.welcome.authrole, 'anonymous');
  assert.match(stranger.welcome.authid, /^anonymous-([A-Z2-9]{4}-){5}[A-Z2-9]{4}$/);
  // The non-actor's key was not stored: alone it is unknown, so anonymous again.
  assert.equal((await login(edge, { keys: stranger.keys })).welcome.authrole, 'anonymous');
  assert.equal((await login(edge, { keys: ed25519Keys() })).welcome.authrole, 'anonymous');
});

test('logout forgets the key and kills every session of the member', async () => {
  const a = await login(edge, { wallet: BUYER });
  const b = await login(edge, { keys: a.keys });
  assert.equal(b.welcome.authid, memberId(BUYER));
  const closed = new Promise<void>((resolve) => b.client.setOptions({ onClose: () => resolve() }));
  const r = await call<{ pubkey: Uint8Array; logged_out: unknown }>(a.client, 'xbr.marketmaker.authenticator.logout');
  assert.equal(Buffer.from(r.pubkey).toString('hex'), a.keys.pubHex);
  assert.equal(typeof r.logged_out, 'bigint');
  await closed; // the other session of the member was killed
  const again = await login(edge, { keys: a.keys });
  assert.equal(again.welcome.authrole, 'anonymous', 'the key is forgotten');
});

test('a member registers its own xbr.provider.<authid>. procedures, never another member\'s', async () => {
  const seller = await login(edge, { wallet: SELLER });
  const buyer = await login(edge, { wallet: BUYER });
  const own = `xbr.provider.${memberId(SELLER)}.sell`;
  await seller.client.register(own, (() => ({ argsList: ['mine'] })) as never);
  // Squatting another member's sell procedure (to receive its purchase calls) is refused by the router.
  await assert.rejects(
    buyer.client.register(`xbr.provider.${memberId(SELLER)}.get_quote`, (() => ({})) as never),
    (err: { errorUri?: string }) => err.errorUri === 'wamp.error.not_authorized',
  );
  await assert.rejects(
    buyer.client.register(`xbr.provider.anonymous-x.sell`, (() => ({})) as never),
    (err: { errorUri?: string }) => err.errorUri === 'wamp.error.not_authorized',
  );
  // Anonymous sessions may not register provider procedures at all.
  const stranger = await login(edge, { wallet: NOT_A_MEMBER });
  await assert.rejects(
    stranger.client.register(`xbr.provider.${stranger.welcome.authid}.sell`, (() => ({})) as never),
    (err: { errorUri?: string }) => err.errorUri === 'wamp.error.not_authorized',
  );
  await buyer.client.register(`xbr.provider.${memberId(BUYER)}.sell`, (() => ({})) as never);
});

test('an anonymous session asking for a member\'s authid in HELLO gets a router-assigned anonymous authid, and none of the member\'s rights', async () => {
  const impostor = await edge.connect({ serializer: 'cbor', wampy: {
      authid: memberId(SELLER),
      authmethods: ['anonymous'],
      onChallenge: () => {
        throw new Error('anonymous: no challenge expected');
      },
      uriValidation: 'loose',
    },
  });
  const welcome = edge.welcome(impostor);
  assert.equal(welcome.authrole, 'anonymous');
  assert.match(welcome.authid, /^anonymous-([A-Z2-9]{4}-){5}[A-Z2-9]{4}$/);
  assert.notEqual(welcome.authid, memberId(SELLER));
  // Neither the member's provider procedures nor its member procedures.
  await assert.rejects(
    impostor.register(`xbr.provider.${memberId(SELLER)}.sell`, (() => ({})) as never),
    (err: { errorUri?: string }) => err.errorUri === 'wamp.error.not_authorized',
  );
  await rejectsWith(call(impostor, 'xbr.marketmaker.get_catalogs_by_owner', [Buffer.from(edge.account(SELLER).address.slice(2), 'hex')]), 'wamp.error.not_authorized', /is for market members/);
});

test('the meta API is closed to anonymous sessions and members', async () => {
  const member = await login(edge, { wallet: SELLER });
  const anonymous = await edge.connect();
  for (const client of [member.client, anonymous]) {
    await rejectsWith(call(client, 'wamp.session.get', [client.getSessionId()]), 'wamp.error.not_authorized');
    await rejectsWith(call(client, 'wamp.session.list'), 'wamp.error.not_authorized');
    await rejectsWith(call(client, 'wamp.registration.lookup', ['xbr.marketmaker.buy_key']), 'wamp.error.not_authorized');
  }
});
