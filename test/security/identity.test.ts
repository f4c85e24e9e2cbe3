/**
 * Attacks on identity through the real controller, router and maker on the shipped config: an anonymous
 * client naming itself a member, a stranger killing a member's sessions or deleting its login key, anyone but
 * an operator using operator procedures, a member spending from another member's channel, and arguments the
 * maker must refuse (a `close_at` in the future, extra arguments).
 *
 * Each attack succeeded before the trust model (docs/protocol.md#trust-model); each now fails with a specific error and changes
 * nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Wampy } from 'wampy';
import { startMarketEdge, type MarketEdge } from '../e2e/harness/market-edge.js';
import { login } from '../e2e/market/channels-helpers.js';
import {
  addr,
  bytesOf,
  call,
  connectMember,
  e2eConfig,
  openChannelOnChain,
  sleep,
  TestBuyer,
  TestSeller,
  untilKnown,
  world,
  XBR,
  type OfferResult,
  type World,
} from '../e2e/market/offers-purchase-helpers.js';
import { packUint256 } from '../../schema/codec/uint256.js';
import { offerMessage, signOffer } from '../../schema/eip712/offer.js';
import { assertRefused, rawAttacker, refused } from './helpers.js';

const SELLER = 2;
const BUYER = 3;
const OTHER_MEMBER = 4;
const PRICE = 5n * XBR;
const DEPOSIT = 100n * XBR;

let edge: MarketEdge;
let w: World;
let probe: Wampy;
let seller: TestSeller;
let buyer: TestBuyer;

before(async () => {
  edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_MM_SELLER_TIMEOUT_MS: '1500' } });
  probe = await edge.connect({ serializer: 'cbor' });
  w = await world(edge, probe);
  seller = await TestSeller.start(w, SELLER, edge.account(5));
  await openChannelOnChain(w, 2, 500n * XBR, addr(edge.account(5)));
  const paymentId = await openChannelOnChain(w, 1, DEPOSIT, addr(edge.account(6)));
  buyer = new TestBuyer(w, await connectMember(edge, BUYER), edge.account(6), paymentId, DEPOSIT);
});
after(async () => {
  await edge?.stop();
});

test('an anonymous client that names itself the seller is anonymous, and can neither revoke nor place the seller\'s offers', async () => {
  const offer = await seller.offer({ price: PRICE });
  const impostor = await rawAttacker(edge.wsUrl, { authid: seller.authid, authmethods: ['anonymous'] });
  assert.match(String(impostor.welcome['authid']), /^anonymous-[A-Z2-9-]+$/);
  assert.notEqual(impostor.welcome['authid'], seller.authid);
  assertRefused(await impostor.call('xbr.marketmaker.revoke_offer', [offer.keyId]), 'wamp.error.not_authorized', 'revoke the seller\'s offer');
  // A fresh offer signed by the seller's delegate, sent in the seller's name.
  const keyId = new Uint8Array(16).fill(7);
  const sig = signOffer(offerMessage({ ...w.binding, keyId: keyId as never, apiId: w.apiId, uri: 'xbr.demo.data', validFrom: 0n, delegate: addr(edge.account(5)), price: PRICE }), bytesOf(edge.account(5)));
  const placed = await impostor.call('xbr.marketmaker.place_offer', [keyId, w.apiId, 'xbr.demo.data', 0, addr(edge.account(5)), sig], { price: packUint256(PRICE), provider_id: seller.authid });
  assertRefused(placed, 'wamp.error.not_authorized', 'place an offer as the seller');
  impostor.close();
  const stored = await call<OfferResult>(probe, 'xbr.marketmaker.get_offer', [offer.offer.offer]);
  assert.equal(stored.revoked ?? null, null, 'the offer is still live');
});

test('a stranger can neither kill a member\'s sessions nor delete its login key', async () => {
  const first = await login(edge, { wallet: SELLER });
  const second = await login(edge, { wallet: SELLER, keys: first.keys });
  assert.equal(second.welcome.authid, first.welcome.authid);
  const victim = first.welcome.authid;
  const attackers = [await rawAttacker(edge.wsUrl), await rawAttacker(edge.wsUrl, { authid: victim, authmethods: ['anonymous'] })];
  const member = await connectMember(edge, OTHER_MEMBER, 'msgpack');
  const forged = { session: first.client.getSessionId(), authmethod: 'cryptosign', authextra: { pubkey: first.keys.pubHex } };
  for (const a of attackers) {
    assertRefused(await a.call('xbr.marketmaker.authenticator.authenticate', ['realm1', victim, forged]), 'wamp.error.not_authorized', 'authenticate');
    assertRefused(await a.call('xbr.marketmaker.authenticator.logout'), 'wamp.error.not_authorized', 'logout');
    assertRefused(await a.call('wamp.session.kill_by_authid', [victim]), 'wamp.error.not_authorized', 'kill_by_authid');
    assertRefused(await a.call('wamp.session.kill', [first.client.getSessionId()]), 'wamp.error.not_authorized', 'kill');
    a.close();
  }
  await refused(member.call('xbr.marketmaker.authenticator.authenticate', ['realm1', victim, forged]), 'wamp.error.not_authorized', 'authenticate as a member');
  await refused(member.call('wamp.session.kill_by_authid', [victim]), 'wamp.error.not_authorized', 'kill_by_authid as a member');
  // Both sessions still work, and the key still logs in alone.
  for (const c of [first.client, second.client]) assert.equal(((await c.call('xbr.marketmaker.status')).argsList?.[0] as { status: string } | undefined)?.status, 'RUNNING');
  const again = await login(edge, { keys: first.keys });
  assert.equal(again.welcome.authid, victim, 'the stored key was not deleted');
  assert.equal(again.welcome.authrole, 'user');
});

test('operator procedures are for operators only', async () => {
  const anon = await rawAttacker(edge.wsUrl);
  const member = await connectMember(edge, OTHER_MEMBER, 'msgpack');
  for (const uri of ['xbr.marketmaker.get_ipfs_status', 'xbr.marketmaker.retry_ipfs_download']) {
    assertRefused(await anon.call(uri), 'wamp.error.not_authorized', `anonymous ${uri}`);
    await refused(member.call(uri), 'wamp.error.not_authorized', `member ${uri}`, /for operators/);
  }
  anon.close();
  const op = await edge.connectOperator();
  const st = (await op.call('xbr.marketmaker.get_ipfs_status')).argsList?.[0] as { counts: Record<string, number> };
  assert.equal(typeof st.counts['downloaded'], 'number');
  assert.equal(typeof (await op.call('xbr.marketmaker.retry_ipfs_download')).argsList?.[0], 'number');
  // An operator is not a member: it cannot act in the market.
  await refused(op.call('xbr.marketmaker.get_channels_by_actor', [addr(edge.account(BUYER)), 1]), 'wamp.error.not_authorized', 'operator as member');
});

test('the admin procedures (ledger lists, rescan, audit) are for operators only, whatever the arguments', async () => {
  const anon = await rawAttacker(edge.wsUrl);
  const member = await connectMember(edge, BUYER, 'msgpack');
  const calls: [string, unknown[]][] = [
    ['xbr.marketmaker.admin.list_channels', []],
    ['xbr.marketmaker.admin.list_transactions', [buyer.channelId]],
    ['xbr.marketmaker.admin.rescan', [0]],
    ['xbr.marketmaker.admin.audit', []],
  ];
  for (const [uri, args] of calls) {
    assertRefused(await anon.call(uri, args), 'wamp.error.not_authorized', `anonymous ${uri}`);
    // even the channel's own member may not list the market's ledger or audit it
    await refused(member.call(uri, args), 'wamp.error.not_authorized', `member ${uri}`, /for operators/);
  }
  anon.close();
  const op = await edge.connectOperator();
  // The buyer's channel was opened on chain in before(): listed once the maker's monitor has replicated it.
  const listed = async (): Promise<boolean> => {
    const page = (await op.call('xbr.marketmaker.admin.list_channels', { argsList: [], argsDict: { limit: 1000 } })).argsList?.[0] as { channels: { channel_oid: Uint8Array }[] };
    return page.channels.some((c) => Buffer.from(c.channel_oid).equals(Buffer.from(buyer.channelId)));
  };
  const deadline = Date.now() + 20_000;
  while (!(await listed()) && Date.now() < deadline) await sleep(200);
  assert.ok(await listed(), 'an operator lists every channel');
  await refused(op.call('xbr.marketmaker.admin.rescan', [0]), 'wamp.error.invalid_argument', 'rescan before the market existed');
});

test('a member cannot spend from, read or close another member\'s channel; a close_at in the future is refused', async () => {
  const offer = await seller.offer({ price: PRICE });
  const other = await connectMember(edge, OTHER_MEMBER);
  const stranger = new TestBuyer(w, other, edge.account(6), buyer.channelId, DEPOSIT);
  // A valid payment signed by the channel's delegate, sent by another member: the channel is not theirs.
  const bought = await untilKnown(async () => {
    const { args, kwargs } = await stranger.buyArgs(offer.keyId, PRICE);
    return other.call('xbr.marketmaker.buy_key', { argsList: args, argsDict: kwargs }).then(
      () => 'sold' as const,
      (e: { errorUri?: string; argsList?: unknown[] }) => {
        if (e.errorUri === 'crossbar.error.no_such_object') throw e;
        return e;
      },
    );
  });
  assert.notEqual(bought, 'sold');
  assert.equal((bought as { errorUri?: string }).errorUri, 'wamp.error.not_authorized');
  assert.match(String((bought as { argsList?: unknown[] }).argsList?.[0]), /is not yours/);
  await refused(other.call('xbr.marketmaker.get_payment_channel_balance', [buyer.channelId]), 'wamp.error.not_authorized', 'read another member\'s balance');
  await refused(other.call('xbr.marketmaker.get_channels_by_actor', [addr(edge.account(BUYER)), 1]), 'wamp.error.not_authorized', 'list another member\'s channels');
  assert.deepEqual((await other.call('xbr.marketmaker.get_channels_by_delegate', [addr(edge.account(6)), 1])).argsList?.[0], [], 'another member\'s delegate: none of yours');

  // The owner, with a state signed for a block that does not exist yet.
  const head = BigInt(await edge.provider().getBlockNumber());
  const future = await buyer.buyArgs(offer.keyId, PRICE, { closeAt: head + 5n });
  await refused(buyer.session.call('xbr.marketmaker.buy_key', { argsList: future.args, argsDict: future.kwargs }), 'wamp.error.invalid_argument', 'close_at in the future', /^close_at: .*not after the current block/);
  const balance = (await buyer.session.call('xbr.marketmaker.get_payment_channel_balance', [buyer.channelId])).argsList?.[0] as { seq: number };
  assert.equal(balance.seq, buyer.seq, 'nothing was reserved');
  // The owner buys with a proper state: the channel works.
  const sold = await buyer.buy(offer.keyId, PRICE);
  assert.deepEqual(Buffer.from(sold.key), Buffer.from(offer.key));
});

test('extra or unknown arguments are refused, not ignored', async () => {
  const offer = await seller.offer({ price: PRICE });
  await refused(probe.call('xbr.marketmaker.get_offer', [offer.offer.offer, 'extra']), 'wamp.error.invalid_argument', 'get_offer with 2 args');
  await refused(probe.call('xbr.marketmaker.status', { argsList: [], argsDict: { verbose: true } }), 'wamp.error.invalid_argument', 'status with a kwarg', /^verbose: /);
  await refused(probe.call('xbr.marketmaker.get_quote', { argsList: [offer.keyId], argsDict: { key_id: offer.keyId } }), 'wamp.error.invalid_argument', 'key_id twice', /^key_id: /);
  const { args, kwargs } = await buyer.buyArgs(offer.keyId, PRICE);
  await refused(buyer.session.call('xbr.marketmaker.buy_key', { argsList: [...args, 'extra'], argsDict: kwargs }), 'wamp.error.invalid_argument', 'buy_key with 9 args');
  await refused(buyer.session.call('xbr.marketmaker.buy_key', { argsList: args, argsDict: { ...kwargs, price: 0 } }), 'wamp.error.invalid_argument', 'buy_key with an unknown kwarg', /^price: /);
});
