/**
 * Attacks on the maker's procedures through the real controller, router and maker on the shipped config:
 * a hostile client racing the maker to the router at start-up, pattern registrations over the maker's and a
 * seller's namespaces while it runs, and what the router's own authenticator calls reach.
 *
 * Each of these succeeded before the trust model (docs/protocol.md#trust-model): patterns were authorized on their string only
 * and the router called the best registration, prefix and wildcard included.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Wampy } from 'wampy';
import { startMarketEdge, type MarketEdge } from '../e2e/harness/market-edge.js';
import { login } from '../e2e/market/channels-helpers.js';
import { connectMember, e2eConfig, memberAuthidOf, randomWallet, TestSeller, world, type World } from '../e2e/market/offers-purchase-helpers.js';
import { assertRefused, hostile, leave, rawAttacker, refused, sleep, type RawAttacker, type RawOutcome } from './helpers.js';

const SELLER = 2;
const OTHER_MEMBER = 4;

/** What a hostile client tried while the node was starting, and what the router said. */
interface RaceLog {
  /** The maker's status procedure was not registered yet when the attacker got in: the race was real. */
  beforeMaker: boolean;
  welcome?: Record<string, unknown>;
  outcomes: { what: string; outcome: RawOutcome }[];
  /** INVOCATIONs the attacker's registrations received (none may arrive). */
  caught: number;
  done: Promise<void>;
}

/** Patterns an attacker registers to catch the maker's procedures and the router's authenticator calls. */
const TAKEOVER: [string, 'exact' | 'prefix' | 'wildcard'][] = [
  ['xbr.', 'prefix'],
  ['xbr.marketmaker.', 'prefix'],
  ['x', 'prefix'],
  ['.marketmaker.authenticator.authenticate', 'wildcard'],
  ['xbr..status', 'wildcard'],
  ['xbr.marketmaker..', 'wildcard'],
  ['..', 'wildcard'],
  ['xbr.marketmaker.authenticator.authenticate', 'exact'],
  ['xbr.marketmaker.buy_key', 'exact'],
  ['xbr.marketmaker.status', 'exact'],
];

function race(wsUrl: string): RaceLog {
  const log: RaceLog = { beforeMaker: false, outcomes: [], caught: 0, done: Promise.resolve() };
  log.done = (async () => {
    let attacker: RawAttacker | undefined;
    const deadline = Date.now() + 120_000;
    while (attacker === undefined) {
      try {
        // It also claims to be the seller: an anonymous authid is the router's to give.
        attacker = await rawAttacker(wsUrl, { authid: memberAuthidOf(SELLER), authmethods: ['anonymous'] });
      } catch {
        if (Date.now() > deadline) throw new Error('the router never accepted a session');
        await sleep(5);
      }
    }
    log.welcome = attacker.welcome;
    const status = await attacker.call('xbr.marketmaker.status');
    log.beforeMaker = !status.ok && status.error === 'wamp.error.no_such_procedure';
    for (const [uri, match] of TAKEOVER) log.outcomes.push({ what: `register ${match} "${uri}"`, outcome: await attacker.register(uri, match) });
    log.outcomes.push({ what: 'subscribe prefix "wamp.session."', outcome: await attacker.subscribe('wamp.session.', 'prefix') });
    log.outcomes.push({ what: 'subscribe prefix "w"', outcome: await attacker.subscribe('w', 'prefix') });
    // Stay until the maker serves, so any registration that had slipped through would be called.
    while (!(await attacker.call('xbr.marketmaker.status')).ok && Date.now() < deadline) await sleep(100);
    log.caught = attacker.invocations().length;
    attacker.close();
  })();
  return log;
}

let edge: MarketEdge;
let raced: RaceLog;
let w: World;
let probe: Wampy;

before(async () => {
  edge = await startMarketEdge({
    configure: e2eConfig,
    env: { XBR_MM_SELLER_TIMEOUT_MS: '1500' },
    whileStarting: (url) => {
      raced = race(url);
    },
  });
  await raced.done;
  probe = await edge.connect({ serializer: 'cbor' });
  w = await world(edge, probe);
});
after(async () => {
  await edge?.stop();
});

test('start-up race: a client in before the maker can register none of the maker\'s procedures or patterns over them', () => {
  assert.ok(raced.beforeMaker, 'the attacker must have connected before the maker registered (otherwise this test proves nothing)');
  assert.equal(raced.outcomes.length, TAKEOVER.length + 2);
  for (const o of raced.outcomes) assertRefused(o.outcome, 'wamp.error.not_authorized', o.what);
  assert.equal(raced.caught, 0, 'no call reached the attacker');
  assert.match(String(raced.welcome?.['authid']), /^anonymous-/, 'the authid asked for in HELLO is not kept');
  assert.equal(raced.welcome?.['authrole'], 'anonymous');
});

test('the maker runs, and the router\'s authenticator calls reach the real maker: a member logs in as itself', async () => {
  const status = (await probe.call('xbr.marketmaker.status')).argsList?.[0] as { status: string };
  assert.equal(status.status, 'RUNNING');
  const { client, welcome } = await login(edge, { wallet: SELLER });
  assert.equal(welcome.authrole, 'user');
  assert.equal(welcome.authid, `member-${edge.account(SELLER).address.toLowerCase()}`);
  await leave(client);
  const output = edge.output();
  assert.ok(!/procedure_already_exists/.test(output), 'the maker met no registration of someone else');
  assert.match(output, /"msg":"node ready"/);
});

test('while the maker runs, no pattern catches a seller\'s get_quote or sell, and no member takes another\'s procedure', async () => {
  const seller = await TestSeller.start(w, SELLER, randomWallet());
  const offer = await seller.offer({ price: null }); // dynamic price: the maker asks the seller
  const quote = (await probe.call('xbr.marketmaker.get_quote', [offer.keyId])).argsList?.[0] as { price: Uint8Array };
  assert.equal(BigInt('0x' + Buffer.from(quote.price).toString('hex')), seller.dynamicPrice);

  // The seller's get_quote goes away; every way to answer in its place is refused.
  await seller.session.unregister(`xbr.provider.${seller.authid}.get_quote`);
  const anon = await rawAttacker(edge.wsUrl);
  const member = await connectMember(edge, OTHER_MEMBER, 'msgpack');
  const forged = () => ({ argsList: [{ price: new Uint8Array(32) }] });
  const attempts = [
    [`xbr.provider.${seller.authid}.get_quote`, 'exact'],
    [`xbr.provider.${seller.authid}.sell`, 'exact'],
    ['xbr.provider..get_quote', 'wildcard'],
    ['xbr.provider.', 'prefix'],
    [`xbr.provider.${seller.authid}.`, 'prefix'],
    [`xbr.provider.${seller.authid}`, 'prefix'],
    ['xbr.', 'prefix'],
  ] as const;
  for (const [uri, match] of attempts) assertRefused(await anon.register(uri, match), 'wamp.error.not_authorized', `anonymous: ${match} "${uri}"`);
  for (const [uri, match] of attempts.filter(([u]) => !u.endsWith('.') && !u.startsWith('xbr.provider..'))) {
    await refused(member.register(uri, forged, match === 'exact' ? undefined : { match }), 'wamp.error.not_authorized', `member: ${match} "${uri}"`);
  }
  // The member's own namespace is its own, pattern included.
  await member.register(`xbr.provider.${memberAuthidOf(OTHER_MEMBER)}.x`, forged, { match: 'prefix' });
  const e = await refused(probe.call('xbr.marketmaker.get_quote', [offer.keyId]), 'wamp.error.no_such_procedure', 'quote without the seller');
  assert.match(String(e.argsList?.[0]), new RegExp(seller.authid));
  assert.equal(anon.invocations().length, 0);
  anon.close();
});

test('the meta API is closed to anonymous clients and members: who is online is private', async () => {
  const anon = await hostile(edge.wsUrl);
  const member = await connectMember(edge, OTHER_MEMBER, 'msgpack');
  for (const client of [anon.client, member]) {
    for (const [uri, args] of [['wamp.session.list', []], ['wamp.session.count', []], ['wamp.session.get', [probe.getSessionId()]], ['wamp.registration.list', []], ['wamp.session.kill_by_authid', [memberAuthidOf(SELLER)]], ['wamp.registration.lookup', [`xbr.provider.${memberAuthidOf(SELLER)}.sell`]]] as const) {
      await refused(client.call(uri, [...args]), 'wamp.error.not_authorized', uri);
    }
    await refused(client.subscribe('wamp.session.on_join', () => undefined), 'wamp.error.not_authorized', 'subscribe wamp.session.on_join');
    // what the maker's role was given to suspend a gone seller's offers stays the maker's
    await refused(client.subscribe('wamp.session.on_leave', () => undefined), 'wamp.error.not_authorized', 'subscribe wamp.session.on_leave');
  }
  // Operators see it (the shipped config's operator Unix socket).
  const op = await edge.connectOperator();
  const sessions = (await op.call('wamp.session.list')).argsList?.[0] as (number | bigint)[];
  assert.ok(sessions.map(Number).includes(Number(probe.getSessionId())), `${sessions.map(String).join(",")} lists ${String(probe.getSessionId())}`);
  await leave(anon.client);
});

