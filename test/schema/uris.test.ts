import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import {
  MarketMakerAdminProcedure,
  MarketMakerCatalogProcedure,
  MarketMakerProcedure,
  MarketMakerTopic,
  killByAuthidProcedure,
  providerCloseChannelUri,
  providerOnChannelClosedTopic,
  providerSellUri,
  workerUri,
} from '../../schema/uris.js';
import { CrossbarErrorUri, INTERNAL_FAILURE_URIS, WampErrorUri, XbrErrorUri } from '../../schema/error-uris.js';

/**
 * The URIs the original market maker's and clients' specifications name (copied into the repository as
 * facts, so a clone checks the catalog without anything beside it): error URIs, the registration table of
 * docs/protocol.md#registration, the topics of docs/protocol.md#maker-events, and every `xbr.marketmaker.*` URI mentioned anywhere.
 */
const spec = JSON.parse(readFileSync(new URL('../fixtures/spec-uris.json', import.meta.url), 'utf8')) as {
  errorUris: string[];
  procedures: string[];
  topics: string[];
  mentionedMakerUris: string[];
  wampErrorUris: string[];
};

describe('error URI catalog', () => {
  const all = [...Object.values(WampErrorUri), ...Object.values(CrossbarErrorUri), ...Object.values(XbrErrorUri)];

  it('has the exact spellings', () => {
    assert.equal(XbrErrorUri.invalidSignature, 'xbr.error.invalid_signature');
    assert.equal(CrossbarErrorUri.noSuchObject, 'crossbar.error.no_such_object');
    assert.equal(XbrErrorUri.invalidAuthRequest, 'xbr.marketmaker.error.invalid-auth-request');
    assert.equal(WampErrorUri.invalidArgument, 'wamp.error.invalid_argument');
  });

  it('defines every URI once, each in its family', () => {
    assert.equal(new Set(all).size, all.length);
    for (const u of Object.values(WampErrorUri)) assert.match(u, /^wamp\.(error|close)\./);
    for (const u of Object.values(CrossbarErrorUri)) assert.match(u, /^crossbar\.error\./);
    for (const u of Object.values(XbrErrorUri)) assert.match(u, /^xbr\.(marketmaker\.)?error\./);
  });

  it('lists every xbr/crossbar error URI of the spec, and nothing the spec lacks', () => {
    const inSpec = new Set(spec.errorUris);
    // Our additions for the fixes of docs/protocol.md#differences (not in the original): only the offering seller may revoke;
    // revocation, valid_from and copies are enforced; no co-signed close while purchases are in flight;
    const oursOnly = new Set<string>([
      XbrErrorUri.offerRevoked,
      XbrErrorUri.offerNotYetValid,
      XbrErrorUri.offerSoldOut,
      XbrErrorUri.offerSuspended,
      XbrErrorUri.purchaseInFlight,
      // open_channel refuses what the contract would revert, each with its own error
      XbrErrorUri.channelAlreadyExists,
      XbrErrorUri.memberNotActor,
      XbrErrorUri.delegateNotConsented,
      XbrErrorUri.insufficientAllowance,
      XbrErrorUri.insufficientTokenBalance,
      // the IPFS procedures (issue 7) on a worker without options.extra.ipfs
      XbrErrorUri.ipfsNotConfigured,
      // the node's own failures (storage, chain, IPFS downloads, seller keys, the node lock)
      ...INTERNAL_FAILURE_URIS,
    ]);
    const ours = new Set<string>([...Object.values(CrossbarErrorUri), ...Object.values(XbrErrorUri)].filter((u) => !oursOnly.has(u)));
    assert.deepEqual([...inSpec].sort(), [...ours].sort());
    // the WAMP URIs the spec's market uses are in the catalog
    for (const uri of spec.wampErrorUris) assert.ok((all as string[]).includes(uri), uri);
  });
});

describe('market maker procedures and topics', () => {
  it('match the registration table of docs/protocol.md#registration', () => {
    const inSpec = spec.procedures;
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
    for (const uri of ours) assert.ok(!(Object.values(MarketMakerProcedure) as string[]).includes(uri) && !spec.mentionedMakerUris.includes(uri), uri);
  });

  it('keep the operators\' admin procedures under xbr.marketmaker.admin., apart from everything else', () => {
    assert.deepEqual(Object.values(MarketMakerAdminProcedure), [
      'xbr.marketmaker.admin.list_channels',
      'xbr.marketmaker.admin.list_transactions',
      'xbr.marketmaker.admin.rescan',
      'xbr.marketmaker.admin.audit',
    ]);
    const others = [...Object.values(MarketMakerProcedure), ...Object.values(MarketMakerCatalogProcedure), ...spec.mentionedMakerUris] as string[];
    for (const uri of Object.values(MarketMakerAdminProcedure)) assert.ok(!others.includes(uri), uri);
  });

  it('match the topics of docs/protocol.md#maker-events', () => {
    assert.deepEqual([...spec.topics].sort(), Object.values(MarketMakerTopic).sort());
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
