import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Ed25519PublicKey } from '../../../schema/codec/types.js';
import { WampError } from '../../../schema/errors.js';
import { openMakerDb } from '../../../schema/db/maker-db.js';
import { actorKey, openWorkerDb, WorkerIndex, type WorkerDb } from '../../../schema/db/worker-db.js';
import { ActorType, MemberLevel } from '../../../schema/db/records/chain.js';
import { addressOf, hash, hex, pubkey, sig, tempDir, uuidOf } from './helpers.js';

const tmp = tempDir();
const path = join(tmp.dir, 'worker');
let db: WorkerDb;
before(async () => {
  db = await openWorkerDb({ path });
});
after(async () => {
  await db.close();
  tmp.cleanup();
});

test('blocks sort by number beyond 2^53; monitor record per chain', () => {
  for (const n of [2n ** 53n + 1n, 5n, 2n ** 53n]) db.blocks.put(n, { timestamp: 1n, block_number: n, block_hash: hash(), cnt_events: 2 });
  assert.deepEqual(db.blocks.range().map((e) => e.value.block_number), [5n, 2n ** 53n, 2n ** 53n + 1n]);
  assert.equal(db.blocks.range({ reverse: true, limit: 1 })[0]?.value.block_number, 2n ** 53n + 1n);
  const h = hash();
  db.monitor.put(1337, { chain_id: 1337, last_block: 2n ** 53n + 1n, last_block_hash: h, updated: 9n });
  assert.equal(hex(db.monitor.get(1337)?.last_block_hash ?? new Uint8Array()), hex(h));
});

test('members, markets (+by owner, by maker), catalogs (+by owner), apis (+by catalog)', () => {
  const owner = addressOf(0x00);
  const maker = addressOf();
  db.members.put(owner, { address: owner, timestamp: 1n, registered: 10n, eula: 'Qm1', profile: 'Qm2', level: MemberLevel.ACTIVE, tid: hash(), signature: sig() });
  assert.equal(db.members.get(owner)?.level, MemberLevel.ACTIVE);
  const market = { market: uuidOf(), timestamp: 7n, created: 11n, seq: 1, owner, coin: addressOf(), terms: '', meta: '', maker, provider_security: 0n, consumer_security: 10n ** 18n, market_fee: 0n };
  db.markets.put(market.market, market);
  assert.equal(db.markets.byIndex(WorkerIndex.marketsByOwner, { prefix: owner }).length, 1);
  assert.equal(hex(db.markets.byIndex(WorkerIndex.marketsByMaker, { prefix: maker })[0]?.value.market ?? new Uint8Array()), hex(market.market));
  const cat = { oid: uuidOf(), timestamp: 3n, created: 12n, seq: 1, owner, terms: 'QmT', meta: 'QmM' };
  db.catalogs.put(cat.oid, cat);
  assert.equal(db.catalogs.byIndex(WorkerIndex.catalogsByOwner, { prefix: owner })[0]?.value.meta, 'QmM');
  for (const ts of [2n, 1n]) {
    const api = { oid: uuidOf(), catalog_oid: cat.oid, timestamp: ts, published: 13n, schema: 'QmS', meta: 'QmA' };
    db.apis.put(api.oid, api);
  }
  assert.deepEqual(db.apis.byIndex(WorkerIndex.apisByCatalog, { prefix: cat.oid }).map((e) => e.value.timestamp), [1n, 2n]);
});

test('actors (37-byte key, by address), consents (by member), token events keyed by tx ‖ log index', () => {
  const actor = addressOf();
  const a = { market: uuidOf(), actor, actor_type: ActorType.CONSUMER, timestamp: 4n, joined: 14n, security: 5n, meta: '' };
  db.actors.put(a, a);
  assert.equal(actorKey(a).length, 37);
  assert.equal(db.actors.get(a)?.security, 5n);
  assert.equal(db.actors.get({ ...a, actor_type: ActorType.PROVIDER }), undefined);
  assert.equal(db.actors.byIndex(WorkerIndex.actorsByAddress, { prefix: actor }).length, 1);
  const c = { market_oid: a.market, member: addressOf(), delegate: addressOf(), delegate_type: ActorType.PROVIDER, catalog_oid: uuidOf(), timestamp: 5n, consent: true, service_prefix: 'x.', synced: true };
  db.consents.put(c, c);
  assert.equal(db.consents.byIndex(WorkerIndex.consentByMember, { prefix: c.member })[0]?.value.synced, true);
  const tx = hash();
  for (const log_index of [0, 1]) {
    db.tokenTransfers.put({ tx_hash: tx, log_index }, { tx_hash: tx, log_index, block_hash: hash(), block_number: 3n, from_address: addressOf(), to_address: addressOf(), value: 2n ** 255n });
    db.tokenApprovals.put({ tx_hash: tx, log_index }, { tx_hash: tx, log_index, block_hash: hash(), block_number: 3n, owner_address: addressOf(), spender_address: addressOf(), value: 1n });
  }
  assert.equal(db.tokenTransfers.range({ prefix: tx }).length, 2, 'two transfers in one tx are both kept');
  assert.equal(db.tokenApprovals.get({ tx_hash: tx, log_index: 1 })?.value, 1n);
});

test('user keys by member, ipfs_files log', () => {
  const owner = addressOf(0x00);
  const keys: Ed25519PublicKey[] = [];
  for (const created of [20n, 10n]) {
    const k = pubkey();
    keys.push(k);
    db.userKeys.put(k, { pubkey: k, created, owner, wallet_address: addressOf(), signature: sig() });
  }
  assert.deepEqual(db.userKeys.byIndex(WorkerIndex.userKeyByMember, { prefix: owner }).map((e) => e.value.created), [10n, 20n]);
  db.userKeys.delete(keys[0] as Ed25519PublicKey);
  assert.equal(db.userKeys.byIndex(WorkerIndex.userKeyByMember, { prefix: owner }).length, 1);
  const h = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG';
  db.ipfsFiles.put(h, { file_hash: h, status: 'pending', downloaded: false, retries: 1, errored_at: 5n, last_error: 'timeout', next_retry_at: 2n ** 60n });
  db.ipfsFiles.update(h, (f) => ({ ...(f ?? { file_hash: h, status: 'pending', retries: 0 }), status: 'downloaded', downloaded: true, retries: f?.retries ?? 0, size: 1234, path: 'QmYw' }));
  assert.deepEqual(db.ipfsFiles.get(h), { file_hash: h, status: 'downloaded', downloaded: true, retries: 1, errored_at: 5n, last_error: 'timeout', next_retry_at: 2n ** 60n, size: 1234, path: 'QmYw' });
});

test('reopen keeps data; opening the worker DB as a maker DB is refused', async () => {
  const n = db.blocks.count();
  await db.close();
  await assert.rejects(openMakerDb({ path }), (e: unknown) => e instanceof WampError && e.uri === 'xbr.error.storage_schema' && /is a worker database, expected maker/.test(e.message));
  db = await openWorkerDb({ path });
  assert.equal(db.blocks.count(), n);
  assert.equal(db.ipfsFiles.count(), 1);
});
