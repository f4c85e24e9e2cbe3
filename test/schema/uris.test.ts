import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import {
  MarketMakerCatalogProcedure,
  MarketMakerProcedure,
  MarketMakerTopic,
  XbrErrorUri,
  killByAuthidProcedure,
  providerCloseChannelUri,
  providerOnChannelClosedTopic,
  providerSellUri,
  workerUri,
} from '../../schema/uris.js';

const specDir = new URL('../../../shared/spec/', import.meta.url);
const makerSpecUrl = new URL('original-marketmaker.md', specDir);
const clientSpecUrl = new URL('original-client-and-chain.md', specDir);
// shared/ sits beside the checkout in development and CI; the catalog is checked against it.
const spec = readFileSync(makerSpecUrl, 'utf8') + readFileSync(clientSpecUrl, 'utf8');

describe('XbrErrorUri', () => {
  it('has the exact spellings', () => {
    assert.equal(XbrErrorUri.invalidSignature, 'xbr.error.invalid_signature');
    assert.equal(XbrErrorUri.noSuchObject, 'crossbar.error.no_such_object');
    assert.equal(XbrErrorUri.invalidAuthRequest, 'xbr.marketmaker.error.invalid-auth-request');
    assert.equal(XbrErrorUri.invalidArgument, 'wamp.error.invalid_argument');
  });

  it('has no duplicate URIs', () => {
    const values = Object.values(XbrErrorUri);
    assert.equal(new Set(values).size, values.length);
  });

  it('lists every xbr/crossbar error URI of the spec, and nothing the spec lacks', () => {
    const inSpec = new Set(spec.match(/\b(?:xbr\.error|xbr\.marketmaker\.error|crossbar\.error)\.[a-z_-]+[a-z]/g) ?? []);
    // Our additions for the fixes of DESIGN §4/§5 (not in the original): only the offering seller may revoke;
    // revocation, valid_from and copies are enforced; no co-signed close while purchases are in flight;
    const oursOnly = new Set<string>([
      XbrErrorUri.notAuthorized,
      XbrErrorUri.offerRevoked,
      XbrErrorUri.offerNotYetValid,
      XbrErrorUri.offerSoldOut,
      XbrErrorUri.purchaseInFlight,
      // open_channel refuses what the contract would revert, each with its own error
      XbrErrorUri.channelAlreadyExists,
      XbrErrorUri.memberNotActor,
      XbrErrorUri.delegateNotConsented,
      XbrErrorUri.insufficientAllowance,
      XbrErrorUri.insufficientTokenBalance,
      // the IPFS procedures (issue 7) on a worker without options.extra.ipfs
      XbrErrorUri.ipfsNotConfigured,
    ]);
    const ours = new Set<string>(Object.values(XbrErrorUri).filter((u) => !u.startsWith('wamp.') && !oursOnly.has(u)));
    assert.deepEqual([...inSpec].sort(), [...ours].sort());
    for (const uri of Object.values(XbrErrorUri)) if (!oursOnly.has(uri)) assert.ok(spec.includes(uri), uri);
  });
});

describe('market maker procedures and topics', () => {
  it('match the registration table of spec §3.0', () => {
    const table = spec.slice(spec.indexOf('Complete list of registered procedures'), spec.indexOf('The following names appear'));
    const inSpec = [...table.matchAll(/^\| `(xbr\.marketmaker\.[a-z_.]+)` \|/gm)].map((m) => m[1]);
    assert.equal(inSpec.length, 27);
    assert.deepEqual(Object.values(MarketMakerProcedure), inSpec);
  });

  it('keep our catalog and IPFS procedures apart from the spec table, under xbr.marketmaker.', () => {
    const ours = Object.values(MarketMakerCatalogProcedure);
    assert.deepEqual(ours, [
      'xbr.marketmaker.find_catalogs',
      'xbr.marketmaker.get_catalog',
      'xbr.marketmaker.get_api',
      'xbr.marketmaker.get_ipfs_status',
      'xbr.marketmaker.retry_ipfs_download',
    ]);
    for (const uri of ours) assert.ok(!(Object.values(MarketMakerProcedure) as string[]).includes(uri) && !new RegExp(`${uri.replace(/\./g, '\\.')}(?![a-z_])`).test(spec), uri);
  });

  it('match the topics of spec §4.1', () => {
    const section = spec.slice(spec.indexOf('### 4.1 Published by the maker'), spec.indexOf('### 4.2'));
    const inSpec = new Set([...section.matchAll(/^\| `(xbr\.marketmaker\.on_[a-z_]+)` \|/gm)].map((m) => m[1]));
    assert.deepEqual([...inSpec].sort(), Object.values(MarketMakerTopic).sort());
  });

  it('build the per-seller and per-worker URIs', () => {
    const authid = '0x' + 'ab'.repeat(64);
    assert.equal(providerSellUri(authid), `xbr.provider.${authid}.sell`);
    assert.equal(providerCloseChannelUri('seller1'), 'xbr.provider.seller1.close_channel');
    assert.equal(providerOnChannelClosedTopic('seller1'), 'xbr.provider.seller1.on_channel_closed');
    assert.equal(workerUri('xbrmm1', 'start_market_maker'), 'crossbar.worker.xbrmm1.start_market_maker');
    assert.equal(workerUri('xbrmm1', 'on_maker_started'), 'crossbar.worker.xbrmm1.on_maker_started');
    assert.equal(killByAuthidProcedure, 'wamp.session.kill_by_authid');
  });

  it('reject URI components with dots, hashes, whitespace or nothing', () => {
    for (const bad of ['', 'a.b', 'a#', 'a b']) {
      assert.throws(() => providerSellUri(bad), { name: 'WampError', uri: 'wamp.error.invalid_uri' });
    }
    assert.throws(() => workerUri('w.1', 'stop_market_maker'), {
      uri: 'wamp.error.invalid_uri',
      message: `worker_id: expected a URI component (no '.', '#' or whitespace), got "w.1"`,
    });
  });
});
