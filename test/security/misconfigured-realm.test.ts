/**
 * Defence in depth: a realm whose admin gave anonymous clients far too much (every maker procedure to call,
 * the whole `xbr.provider.` and `xbr.marketmaker.` namespaces to register) still cannot be taken over, because
 * the rules that protect the market do not depend on the permissions: the maker authorizes by the caller the
 * router reports, calls sellers only at an exact registration held by the seller's authid, and no pattern may
 * reach the maker's namespace. And a node whose maker cannot register is not ready: the start fails, exit 2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Wampy } from 'wampy';
import { startMarketEdge, type EdgeConfig, type MarketEdge } from '../e2e/harness/market-edge.js';
import { e2eConfig, randomWallet, TestSeller, world, type World } from '../e2e/market/offers-purchase-helpers.js';
import { assertRefused, rawAttacker, refused } from './helpers.js';

const SELLER = 2;

type Role = { name: string; permissions: Record<string, unknown>[] };
const rolesOf = (config: EdgeConfig): Role[] => (config.workers.find((x) => x['type'] === 'router')!['realms'] as { roles: Role[] }[])[0]!.roles;
const all = { call: true, register: true, publish: true, subscribe: true };

/** The admin's mistake: anonymous may call and register anything under xbr.marketmaker. and xbr.provider. */
function overlyOpen(config: EdgeConfig): void {
  e2eConfig(config);
  const anonymous = rolesOf(config).find((r) => r.name === 'anonymous')!;
  anonymous.permissions = [
    { uri: 'xbr.marketmaker.', match: 'prefix', allow: all, disclose: { caller: false, publisher: false } },
    { uri: 'xbr.provider.', match: 'prefix', allow: all },
    { uri: 'wamp.', match: 'prefix', allow: { call: false, register: false, publish: false, subscribe: false } },
  ];
}

let edge: MarketEdge;
let w: World;
let probe: Wampy;

before(async () => {
  edge = await startMarketEdge({ configure: overlyOpen, env: { XBR_MM_SELLER_TIMEOUT_MS: '1500' } });
  probe = await edge.connect({ serializer: 'cbor' });
  w = await world(edge, probe);
});
after(async () => {
  await edge?.stop();
});

test('the maker refuses router-only and member procedures to an anonymous caller the realm lets through', async () => {
  const anon = await rawAttacker(edge.wsUrl);
  // The permission does not disclose the caller; the router discloses it for every call into xbr.marketmaker.
  const auth = await anon.call('xbr.marketmaker.authenticator.authenticate', ['realm1', null, { session: 1, authmethod: 'cryptosign', authextra: { pubkey: '00'.repeat(32) } }]);
  assertRefused(auth, 'wamp.error.not_authorized', 'authenticate');
  assert.ok(!auth.ok && /router only/.test(auth.message), !auth.ok ? auth.message : '');
  assertRefused(await anon.call('xbr.marketmaker.authenticator.logout'), 'wamp.error.not_authorized', 'logout');
  assertRefused(await anon.call('xbr.marketmaker.get_ipfs_status'), 'wamp.error.not_authorized', 'operator procedure');
  assertRefused(await anon.call('xbr.marketmaker.place_offer', []), 'wamp.error.not_authorized', 'place_offer');
  // Pattern registrations never reach the maker's namespace, whatever the permissions say.
  assertRefused(await anon.register('xbr.marketmaker.', 'prefix'), 'wamp.error.not_authorized', 'prefix xbr.marketmaker.');
  assertRefused(await anon.register('xbr.marketmaker..', 'wildcard'), 'wamp.error.not_authorized', 'wildcard xbr.marketmaker..');
  assertRefused(await anon.register('xbr.provider..get_quote', 'wildcard'), 'wamp.error.not_authorized', 'wildcard over every seller');
  anon.close();
});

test('a session that registered a seller\'s exact procedure never receives the maker\'s call: only the seller\'s authid may answer', async () => {
  const seller = await TestSeller.start(w, SELLER, randomWallet());
  const offer = await seller.offer({ price: null });
  await seller.session.unregister(`xbr.provider.${seller.authid}.get_quote`);
  const thief = await rawAttacker(edge.wsUrl);
  // The realm lets it register the seller's procedure exactly (the admin's mistake) ...
  const taken = await thief.register(`xbr.provider.${seller.authid}.get_quote`, 'exact');
  assert.equal(taken.ok, true, 'the misconfigured realm allows the exact registration');
  // ... but the maker asks the router for the seller's authid, so the quote is never forged.
  const e = await refused(probe.call('xbr.marketmaker.get_quote', [offer.keyId]), 'wamp.error.no_such_procedure', 'quote from a thief');
  assert.match(String(e.argsList?.[0]), /no session with authid "member-0x/);
  assert.equal(thief.invocations().length, 0, 'the thief was never invoked');
  thief.close();
});

test('a maker that cannot register its procedures is a failed start: no "node ready", exit 2', async () => {
  let failure: Error | undefined;
  try {
    const never = await startMarketEdge({
      startTimeoutMs: 120_000,
      configure: (config) => {
        (config['controller'] as { options?: unknown }).options = { restart: { max_restarts: 1, initial_delay: 0.1, max_delay: 0.2, window: 600 } };
        const maker = rolesOf(config).find((r) => r.name === 'marketmaker')!;
        maker.permissions = maker.permissions.map((p) => (p['uri'] === 'xbr.marketmaker.' ? { ...p, allow: { call: true, register: false, publish: true, subscribe: true } } : p));
      },
    });
    await never.stop();
  } catch (err) {
    failure = err as Error;
  }
  assert.ok(failure !== undefined, 'the node must not start');
  const out = failure.message;
  assert.match(out, /market maker\(s\) maker1 did not start/);
  assert.match(out, /"msg":"node stopped"[^\n]*"exit_code":2/);
  assert.doesNotMatch(out, /"msg":"node ready"/);
});
