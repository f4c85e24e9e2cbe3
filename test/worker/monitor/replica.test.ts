/**
 * Chain monitor → worker DB replica on the real dev chain (deployXbr + setupDemo) with a real LMDB:
 * catch-up contents, live pick-up of new events, idempotent re-processing, restart from the stored block,
 * confirmation depth, and the fail-loud / retry behaviour (stored-hash mismatch, node errors, DB errors).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet, getBytes } from 'ethers';
import { DEMO_CIDS } from '../../../contracts/demo.js';
import { asAddress, asUuid, type Address } from '../../../schema/codec/index.js';
import { WampError } from '../../../schema/errors.js';
import { openWorkerDb } from '../../../schema/db/worker-db.js';
import type { MonitorProvider, RetryNotice } from '../../../worker/monitor/index.js';
import { dumpReplica, marketAs, monitorOn, networkAs, send, startWorld, tempWorkerDb, untilBlock, walletOf, type World } from './helpers.js';

const adr = (hex: string): Address => asAddress(getBytes(hex));
const id = (hex: string) => asUuid(getBytes(hex));
const hex = (b: Uint8Array | undefined): string => (b === undefined ? 'undefined' : '0x' + Buffer.from(b).toString('hex'));

describe('chain monitor: replica', () => {
  let world: World;
  const cleanups: (() => Promise<void>)[] = [];
  const db = async () => {
    const t = await tempWorkerDb();
    cleanups.push(t.cleanup);
    return t;
  };

  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    await world?.stop();
  });

  it('catches up: demo members, market, actors, catalog, API, blocks and progress are stored', async () => {
    const { db: wdb } = await db();
    const monitor = monitorOn(world, wdb);
    try {
      await monitor.caughtUp();
      const head = BigInt(await world.provider.getBlockNumber());
      assert.equal(monitor.lastBlock(), head);
      const { demo } = world;
      const m = demo.members;
      for (const who of [m.deployer, m.marketOwner, m.seller, m.buyer]) {
        const rec = wdb.members.get(adr(who.address));
        assert.ok(rec !== undefined, `member ${who.address} replicated`);
        assert.equal(rec.level, who === m.deployer ? 2 : 1);
        assert.ok(rec.registered > 0n);
        assert.equal(rec.tid?.length, 32);
      }
      assert.equal(wdb.members.count(), 4);

      const market = wdb.markets.get(id(demo.marketId));
      assert.ok(market !== undefined);
      assert.equal(hex(market.owner), m.marketOwner.address.toLowerCase());
      assert.equal(hex(market.maker), m.maker.address.toLowerCase());
      assert.equal(hex(market.coin), world.deployment.addresses.token.toLowerCase());
      assert.equal(market.terms, DEMO_CIDS.marketTerms);
      assert.equal(market.meta, DEMO_CIDS.marketMeta);
      assert.equal(market.seq, 1);
      assert.equal(market.market_fee, 0n);
      assert.ok(market.created > 0n);

      const seller = wdb.actors.get({ market: id(demo.marketId), actor: adr(m.seller.address), actor_type: 1 });
      const buyer = wdb.actors.get({ market: id(demo.marketId), actor: adr(m.buyer.address), actor_type: 2 });
      assert.ok(seller !== undefined && buyer !== undefined);
      assert.equal(seller.security, 0n);
      assert.equal(seller.left, undefined);
      assert.equal(wdb.actors.count(), 2);

      const catalog = wdb.catalogs.get(id(demo.catalogId));
      assert.ok(catalog !== undefined);
      assert.equal(hex(catalog.owner), m.seller.address.toLowerCase());
      assert.equal(catalog.terms, DEMO_CIDS.catalogTerms);
      assert.equal(catalog.meta, DEMO_CIDS.catalogMeta);
      const api = wdb.apis.get(id(demo.apiId));
      assert.ok(api !== undefined);
      assert.equal(hex(api.catalog_oid), demo.catalogId);
      assert.equal(api.schema, DEMO_CIDS.apiSchema);
      assert.equal(api.meta, DEMO_CIDS.apiMeta);

      const state = wdb.monitor.get(31337);
      assert.ok(state !== undefined);
      assert.equal(state.last_block, head);
      assert.equal(hex(state.last_block_hash), (await world.provider.getBlock(head))?.hash);
      // one Block record per block with XBR events, its hash the chain's
      const blocks = wdb.blocks.range();
      assert.ok(blocks.length >= 8);
      for (const { value } of blocks) assert.equal(hex(value.block_hash), (await world.provider.getBlock(value.block_number))?.hash);
    } finally {
      await monitor.stop();
    }
  });

  it('picks up new events after start; actor leave and consents; re-processing a range changes nothing', async () => {
    const { db: wdb } = await db();
    const monitor = monitorOn(world, wdb);
    try {
      await monitor.caughtUp();
      const start = monitor.lastBlock();
      assert.ok(start !== undefined);
      const newbie = walletOf(world, 5);
      const eula = (await networkAs(world, 5).getFunction('eula')()) as string;
      const r1 = await send(networkAs(world, 5).getFunction('registerMember')(eula, ''));
      const delegate = Wallet.createRandom().address;
      const r2 = await send(marketAs(world, 3).getFunction('setConsent')(world.demo.marketId, delegate, 2, world.demo.catalogId, true, 'xbr.'));
      const r3 = await send(marketAs(world, 2).getFunction('leaveMarket')(world.demo.marketId, 1));
      await untilBlock(monitor, r3.blockNumber);

      const member = wdb.members.get(adr(newbie.address));
      assert.ok(member !== undefined);
      assert.equal(hex(member.tid), r1.hash);
      const consent = wdb.consents.get({
        catalog_oid: id(world.demo.catalogId), member: adr(world.demo.members.buyer.address), delegate: adr(delegate), delegate_type: 2, market_oid: id(world.demo.marketId),
      });
      assert.ok(consent !== undefined);
      assert.equal(consent.consent, true);
      assert.equal(consent.service_prefix, 'xbr.');
      assert.equal(consent.synced, true);
      assert.equal(hex(consent.tid), r2.hash);
      assert.equal(consent.updated, BigInt(r2.blockNumber));
      const seller = wdb.actors.get({ market: id(world.demo.marketId), actor: adr(world.demo.members.seller.address), actor_type: 1 });
      assert.equal(seller?.left, BigInt(r3.blockNumber));

      // rewind the progress to before the deployment (with a valid hash) and let a new monitor process everything again
      await monitor.stop();
      const before = dumpReplica(wdb);
      const blockHash = (await world.provider.getBlock(1))?.hash as string;
      wdb.monitor.put(31337, { chain_id: 31337, last_block: 1n, last_block_hash: getBytes(blockHash) as never, updated: 0n });
      const again = monitorOn(world, wdb, { fromBlock: 1 });
      let reprocessedFrom: bigint | undefined;
      again.on('block', (p) => (reprocessedFrom ??= p.fromBlock));
      await again.caughtUp();
      await again.stop();
      assert.equal(reprocessedFrom, 2n);
      assert.deepEqual(dumpReplica(wdb), before);
    } finally {
      await monitor.stop();
    }
  });

  it('restart resumes after the stored block', async () => {
    const { db: wdb, path } = await db();
    const first = monitorOn(world, wdb);
    await first.caughtUp();
    await first.stop();
    const stored = wdb.monitor.get(31337)?.last_block;
    assert.ok(stored !== undefined);
    await wdb.close();

    const wdb2 = await openWorkerDb({ path });
    cleanups.push(() => wdb2.close());
    const r = await send(networkAs(world, 6).getFunction('registerMember')(await networkAs(world, 6).getFunction('eula')(), ''));
    const second = monitorOn(world, wdb2, { fromBlock: 1 });
    const ranges: bigint[] = [];
    second.on('block', (p) => ranges.push(p.fromBlock));
    try {
      await untilBlock(second, r.blockNumber);
      assert.equal(ranges[0], stored + 1n, 'the first range starts right after the stored block');
      assert.ok(wdb2.members.get(adr(walletOf(world, 6).address)) !== undefined);
    } finally {
      await second.stop();
    }
  });

  it('confirmations = 2 leaves the head block unprocessed until one more block is mined', async () => {
    const { db: wdb } = await db();
    const r = await send(networkAs(world, 7).getFunction('registerMember')(await networkAs(world, 7).getFunction('eula')(), ''));
    const monitor = monitorOn(world, wdb, { confirmations: 2 });
    try {
      await monitor.caughtUp();
      assert.equal(monitor.lastBlock(), BigInt(r.blockNumber) - 1n);
      assert.equal(wdb.members.get(adr(walletOf(world, 7).address)), undefined);
      await world.chain.eip1193.request({ method: 'hardhat_mine', params: ['0x1'] });
      await untilBlock(monitor, r.blockNumber);
      assert.equal(monitor.lastBlock(), BigInt(r.blockNumber));
      assert.ok(wdb.members.get(adr(walletOf(world, 7).address)) !== undefined);
    } finally {
      await monitor.stop();
    }
  });

  it('a stored block hash that differs from the chain fails the start loudly and touches nothing', async () => {
    const { db: wdb } = await db();
    wdb.monitor.put(31337, { chain_id: 31337, last_block: 3n, last_block_hash: new Uint8Array(32).fill(7) as never, updated: 0n });
    const monitor = monitorOn(world, wdb);
    const failed: Error[] = [];
    monitor.on('failed', (e) => failed.push(e));
    await assert.rejects(monitor.caughtUp(), (err: unknown) => {
      assert.ok(err instanceof WampError);
      assert.equal(err.uri, 'xbr.error.chain_mismatch');
      assert.match(err.message, /block 3 \(hash 0x0707/);
      assert.match(err.message, /reorganized deeper than the 1 confirmation|another chain/);
      return true;
    });
    await assert.rejects(monitor.closed, { uri: 'xbr.error.chain_mismatch' });
    await monitor.stop();
    assert.equal(failed.length, 1);
    assert.equal(wdb.members.count(), 0);
    assert.equal(wdb.monitor.get(31337)?.last_block, 3n);

    // a DB that processed more blocks than the chain has (e.g. a restarted dev chain) fails the same way
    const { db: wdb2 } = await db();
    wdb2.monitor.put(31337, { chain_id: 31337, last_block: 1_000_000n, last_block_hash: new Uint8Array(32).fill(1) as never, updated: 0n });
    const m2 = monitorOn(world, wdb2);
    await assert.rejects(m2.caughtUp(), (err: unknown) => err instanceof WampError && err.uri === 'xbr.error.chain_mismatch' && /no such block/.test(err.message));
    await m2.stop();
  });

  it('node errors are retried with backoff (range halved for eth_getLogs); the monitor still catches up', async () => {
    const { db: wdb } = await db();
    let failBlockNumber = 2;
    let failLogs = 2;
    const flaky: MonitorProvider = {
      getNetwork: () => world.provider.getNetwork(),
      getBlock: (b) => world.provider.getBlock(b),
      getBlockNumber: async () => {
        if (failBlockNumber-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:8545');
        return world.provider.getBlockNumber();
      },
      getLogs: async (f) => {
        if (failLogs-- > 0) throw new Error('query returned more than 10000 results');
        return world.provider.getLogs(f);
      },
    };
    const monitor = monitorOn(world, wdb, { provider: flaky, maxBlockRange: 8 });
    const retries: RetryNotice[] = [];
    const ranges: [bigint, bigint][] = [];
    monitor.on('retry', (n) => retries.push(n));
    monitor.on('block', (p) => ranges.push([p.fromBlock, p.block]));
    try {
      await monitor.caughtUp();
      assert.deepEqual(retries.map((r) => r.stage), ['eth_blockNumber', 'eth_blockNumber', 'eth_getLogs', 'eth_getLogs']);
      // consecutive failed passes double the delay up to retry.maxMs
      assert.deepEqual(retries.map((r) => r.delayMs), [10, 20, 40, 50]);
      assert.equal(wdb.members.count() >= 4, true);
      // two failing eth_getLogs shrink the range 8 → 4 → 2 blocks; each success doubles it again
      assert.deepEqual(ranges.slice(0, 3), [[1n, 2n], [3n, 6n], [7n, 14n]]);
    } finally {
      await monitor.stop();
    }
  });

  it('a worker-DB write error stops the monitor (fail closed) and is reported', async () => {
    const { db: wdb } = await db();
    const monitor = monitorOn(world, wdb);
    await monitor.caughtUp();
    await wdb.close();
    const failed: Error[] = [];
    monitor.on('failed', (e) => failed.push(e));
    await send(networkAs(world, 8).getFunction('registerMember')(await networkAs(world, 8).getFunction('eula')(), ''));
    await assert.rejects(monitor.closed, (err: unknown) => err instanceof WampError && err.uri === 'xbr.error.storage' && /cannot commit blocks/.test(err.message));
    assert.equal(failed.length, 1);
    await monitor.stop();
  });
});
