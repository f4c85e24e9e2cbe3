/**
 * End to end: set_consent submits the member's EIP712Consent with setConsentFor (the consent is the
 * member's on chain), get_consent and find_consents return it to that member; only the authenticated member
 * itself may set its consent, with its own signature, and read its consents (which delegates a member uses is
 * not another member's business, docs/protocol.md#trust-model); get_catalogs_by_owner lists the demo catalog for its owner only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Contract } from 'ethers';
import type { Wampy } from 'wampy';
import { DEMO_SERVICE_PREFIX, xbrMarketAbi } from '../../../contracts/index.js';
import { sign } from '../../../schema/eip712/sign.js';
import { startMarketEdge, type MarketEdge } from '../harness/market-edge.js';
import { adr, call, eventually, id16, keyOf, login, rejectsWith } from './channels-helpers.js';

const MM = 'xbr.marketmaker.';
const SELLER = 2;
const BUYER = 3;
const NEW_DELEGATE = 8;
const OUTSIDER = 7;
const MEMBERS_ONLY = /is for market members/;

let edge: MarketEdge;
let seller: Wampy;
let buyer: Wampy;
let anonymous: Wampy;

before(async () => {
  edge = await startMarketEdge();
  seller = (await login(edge, { wallet: SELLER })).client;
  buyer = (await login(edge, { wallet: BUYER })).client;
  anonymous = await edge.connect();
});
after(async () => {
  await edge?.stop();
});

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function consentArgs(member: number, signer: number, consent = true): Promise<unknown[]> {
  const chainId = BigInt(edge.devchain.chainId);
  const network = adr(edge.devchain.contracts.network);
  const market = id16(edge.devchain.demo.marketId);
  const catalog = id16(edge.devchain.demo.catalogId);
  const updated = BigInt(await edge.provider().getBlockNumber());
  const m = adr(edge.account(member).address);
  const delegate = adr(edge.account(NEW_DELEGATE).address);
  const signature = sign(
    'EIP712Consent',
    { chainId, verifyingContract: network, member: m, updated, marketId: market as never, delegate, delegateType: 1, apiCatalog: catalog as never, consent, servicePrefix: DEMO_SERVICE_PREFIX },
    keyOf(signer),
  );
  return [m, market, chainId, updated, network, delegate, 1, catalog, consent, DEMO_SERVICE_PREFIX, signature];
}

test('set_consent: the member consents to a new delegate on chain; get_consent and find_consents return it', async () => {
  const r = await call<{ consent: boolean; synced: boolean; member: Uint8Array }>(seller, MM + 'set_consent', await consentArgs(SELLER, SELLER));
  assert.equal(r.consent, true);
  assert.equal(r.synced, true);
  assert.equal(hexOf(r.member), hexOf(adr(edge.account(SELLER).address)));
  const market = new Contract(edge.devchain.contracts.market, xbrMarketAbi, edge.provider());
  const onChain = await market.getFunction('getConsent')(edge.devchain.demo.marketId, edge.account(SELLER).address, edge.account(NEW_DELEGATE).address, 1, edge.devchain.demo.catalogId);
  assert.equal(onChain[1], true, 'the member (not the maker) consents on chain');
  assert.equal(await market.getFunction('hasDelegateConsent')(edge.devchain.demo.marketId, edge.account(SELLER).address, edge.account(NEW_DELEGATE).address, 1), true);

  const key = [id16(edge.devchain.demo.marketId), adr(edge.account(SELLER).address), adr(edge.account(NEW_DELEGATE).address), 1, id16(edge.devchain.demo.catalogId)];
  const got = await call<{ consent: boolean; service_prefix: string }>(seller, MM + 'get_consent', key);
  assert.equal(got.consent, true);
  assert.equal(got.service_prefix, DEMO_SERVICE_PREFIX);
  // The consent is the seller's to read: not an anonymous session's, not another member's.
  await rejectsWith(call(anonymous, MM + 'get_consent', key), 'wamp.error.not_authorized', MEMBERS_ONLY);
  await rejectsWith(call(buyer, MM + 'get_consent', key), 'wamp.error.not_authorized', /get_consent of this member: the caller 0x[0-9a-f]{40} is not the member 0x[0-9a-f]{40}/);
  const found = await eventually(async () => {
    const list: { delegate: Uint8Array }[] = await call(seller, MM + 'find_consents', [], { include_delegates: [adr(edge.account(NEW_DELEGATE).address)] });
    return list.length === 1 ? list : undefined;
  }, 'the ConsentSet event reached the replica');
  assert.equal(hexOf(found[0]!.delegate), hexOf(adr(edge.account(NEW_DELEGATE).address)));
  // The new consent is the seller's alone: the buyer looking for that delegate finds none of it.
  assert.deepEqual(await call(buyer, MM + 'find_consents', [], { include_delegates: [adr(edge.account(NEW_DELEGATE).address)] }), []);
  // A member finds its own consents only: the demo's consent to its delegate (#5) and the new one.
  const mine: { member: Uint8Array; delegate: Uint8Array }[] = await call(seller, MM + 'find_consents', []);
  assert.ok(mine.every((c) => hexOf(c.member) === hexOf(adr(edge.account(SELLER).address))), 'only the caller\'s consents');
  assert.deepEqual(new Set(mine.map((c) => hexOf(c.delegate))), new Set([hexOf(adr(edge.account(5).address)), hexOf(adr(edge.account(NEW_DELEGATE).address))]));
  const buyers: { member: Uint8Array }[] = await call(buyer, MM + 'find_consents', [], { include_owners: [adr(edge.account(BUYER).address)] });
  assert.ok(buyers.length >= 1 && buyers.every((c) => hexOf(c.member) === hexOf(adr(edge.account(BUYER).address))));
  // Naming another member as owner is refused, not silently filtered; anonymous sessions find nothing at all.
  await rejectsWith(
    call(seller, MM + 'find_consents', [], { include_owners: [adr(edge.account(BUYER).address)] }),
    'wamp.error.not_authorized',
    /find_consents: include_owners may name only the caller 0x[0-9a-f]{40}, not 0x[0-9a-f]{40}/,
  );
  await rejectsWith(call(anonymous, MM + 'find_consents', []), 'wamp.error.not_authorized', MEMBERS_ONLY);
  // Catalog filters read the descriptions the IPFS fetcher parsed; no catalog carries this tag.
  assert.deepEqual(await call(seller, MM + 'find_consents', [], { include_tags: ['no-such-tag'] }), []);
  await rejectsWith(call(seller, MM + 'find_consents', [], { include_tags: 'x' }), 'wamp.error.invalid_argument', /include_tags/);
  // A consent of the seller's that does not exist (a delegate it never consented to).
  await rejectsWith(call(seller, MM + 'get_consent', [key[0], key[1], adr(edge.account(OUTSIDER).address), 1, key[4]]), 'crossbar.error.no_such_object');
});

test('set_consent: only the authenticated member itself, with its own signature', async () => {
  await rejectsWith(call(anonymous, MM + 'set_consent', await consentArgs(SELLER, SELLER)), 'wamp.error.not_authorized', MEMBERS_ONLY);
  await rejectsWith(call(seller, MM + 'set_consent', await consentArgs(BUYER, BUYER)), 'wamp.error.not_authorized');
  await rejectsWith(call(seller, MM + 'set_consent', await consentArgs(SELLER, BUYER)), 'xbr.error.invalid_signature');
});

test('get_catalogs_by_owner: the demo catalog for its owner, refused for anyone else', async () => {
  const owner = adr(edge.account(SELLER).address);
  const catalogs: { oid: Uint8Array; owner: Uint8Array; meta_data: string }[] = await call(seller, MM + 'get_catalogs_by_owner', [owner]);
  assert.ok(catalogs.some((c) => hexOf(c.oid) === edge.devchain.demo.catalogId.slice(2)));
  assert.ok(catalogs.every((c) => hexOf(c.owner) === hexOf(owner)));
  await rejectsWith(call(anonymous, MM + 'get_catalogs_by_owner', [owner]), 'wamp.error.not_authorized');
  await rejectsWith(call(seller, MM + 'get_catalogs_by_owner', [adr(edge.account(BUYER).address)]), 'wamp.error.not_authorized');
});
