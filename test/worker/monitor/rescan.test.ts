/**
 * `ChainMonitor.rescan` on the real dev chain with a real maker ledger as the market's sink: reading every block
 * again from the deployment changes nothing — a channel already known is not opened again (its deposit is not
 * counted again over what was spent), an older `Closing` does not move a channel back, an older consent does not
 * replace a newer one — and a missed `Opened` is applied; blocks out of range and a second rescan are refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Contract, Wallet, getBytes, hexlify, type Signer, type TransactionReceipt } from 'ethers';
import { xbrChannelAbi } from '../../../contracts/build/index.js';
import { DEFAULT_MAKER_KEY } from '../../../contracts/demo.js';
import { asUuid, nowNs, parseAddress, randomUuid, type Uuid } from '../../../schema/codec/index.js';
import { openMakerDb, MAKER_SUBDBS, type MakerDb } from '../../../schema/db/maker-db.js';
import type { WorkerDb } from '../../../schema/db/worker-db.js';
import { ChannelState } from '../../../schema/db/records/channel.js';
import { signChannelClose, signChannelOpen } from '../../../schema/eip712/index.js';
import { applyChannelEvent } from '../../../worker/market/ledger/index.js';
import { ChannelSinkRegistry, type ChainMonitor } from '../../../worker/monitor/index.js';
import { dumpReplica, marketAs, monitorOn, send, startWorld, tempWorkerDb, untilBlock, walletOf, type World } from './helpers.js';

const XBR = 10n ** 18n;

/** Every key and value of the maker DB. */
function dumpMaker(db: MakerDb): Record<string, [string, unknown][]> {
  const out: Record<string, [string, unknown][]> = {};
  for (const name of Object.keys(MAKER_SUBDBS)) out[name] = [...db.env.sub(name).getRange({})].map(({ key, value }) => [Buffer.from(key as Uint8Array).toString('hex'), value]);
  return out;
}

describe('chain monitor: rescan', () => {
  let world: World;
  let channel: Contract;
  let marketId: Uuid;
  let wdb: WorkerDb;
  let mdb: MakerDb;
  let monitor: ChainMonitor | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const delegate = Wallet.createRandom();
  const binding = () => ({ chainId: world.chain.chainId, verifyingContract: parseAddress(world.deployment.addresses.network) });

  async function openChannel(channelId: Uuid, amount: bigint): Promise<TransactionReceipt> {
    const m = world.demo.members;
    const openedAt = BigInt(await world.provider.getBlockNumber());
    const msg = {
      ...binding(), ctype: 1, openedAt, marketId, channelId, actor: parseAddress(m.buyer.address), delegate: parseAddress(delegate.address),
      marketmaker: parseAddress(m.maker.address), recipient: parseAddress(m.marketOwner.address), amount,
    };
    const sig = hexlify(signChannelOpen(msg, getBytes(walletOf(world, 3).privateKey)));
    return send(
      channel.connect(world.chain.signers[3] as Signer).getFunction('openChannel')(
        1, openedAt, world.demo.marketId, hexlify(channelId), m.buyer.address, delegate.address, m.maker.address, m.marketOwner.address, amount, sig,
      ),
    );
  }

  async function closeChannel(channelId: Uuid, seq: number, balance: bigint, isFinal: boolean): Promise<TransactionReceipt> {
    const closeAt = BigInt(await world.provider.getBlockNumber());
    const msg = { ...binding(), closeAt, marketId, channelId, channelSeq: seq, balance, isFinal };
    return send(
      channel.getFunction('closeChannel')(
        hexlify(channelId), closeAt, seq, balance, isFinal, hexlify(signChannelClose(msg, getBytes(delegate.privateKey))), hexlify(signChannelClose(msg, DEFAULT_MAKER_KEY)),
      ),
    );
  }

  const consent = (on: boolean): Promise<TransactionReceipt> =>
    send(marketAs(world, 3).getFunction('setConsent')(world.demo.marketId, delegate.address, 2, world.demo.catalogId, on, 'xbr.'));

  before(async () => {
    world = await startWorld();
    channel = new Contract(world.deployment.addresses.channel, xbrChannelAbi, world.chain.signers[0] as Signer);
    marketId = asUuid(getBytes(world.demo.marketId));
    const w = await tempWorkerDb();
    cleanups.push(w.cleanup);
    wdb = w.db;
    const dir = mkdtempSync(join(tmpdir(), 'xbr-rescan-'));
    mdb = await openMakerDb({ path: join(dir, 'maker'), ledgerDebug: false });
    cleanups.push(async () => {
      await mdb.close();
      rmSync(dir, { recursive: true, force: true });
    });
  });
  after(async () => {
    await monitor?.stop();
    for (const c of cleanups.reverse()) await c();
    await world?.stop();
  });

  it('reading every block again changes nothing; a missed Opened is applied; bad blocks and a second rescan are refused', async () => {
    const sinks = new ChannelSinkRegistry();
    sinks.add({
      marketId,
      apply: async (ev) => {
        const r = applyChannelEvent(mdb, ev, { marketId, now: nowNs() });
        return r === 'created' || r === 'updated';
      },
    });
    monitor = monitorOn(world, wdb, { channelSinks: sinks, maxBlockRange: 3 });
    await monitor.caughtUp();

    // The consent is given, taken back, given again (the last one is what the replica holds).
    await consent(true);
    await consent(false);
    await consent(true);
    const spentFrom = randomUuid();
    const closing = randomUuid();
    const closed = randomUuid();
    await openChannel(spentFrom, 100n * XBR);
    await openChannel(closing, 50n * XBR);
    await openChannel(closed, 20n * XBR);
    // two non-final closes: CLOSING with the second one's state; a final one: CLOSED
    await closeChannel(closing, 2, 40n * XBR, false);
    const second = await closeChannel(closing, 3, 30n * XBR, false);
    const last = await closeChannel(closed, 2, 10n * XBR, true);
    await untilBlock(monitor, last.blockNumber);

    const c = mdb.paymentChannels.get(closing)!;
    assert.equal(c.state, ChannelState.CLOSING);
    assert.equal(c.closing_at, BigInt(second.blockNumber));
    assert.equal(c.close_balance, 30n * XBR);
    assert.equal(mdb.paymentChannels.get(closed)?.state, ChannelState.CLOSED);
    // Purchases spent 30 of the first channel (written as the ledger would).
    mdb.env.writeSync(() => mdb.paymentBalances.put(spentFrom, { remaining: 70n * XBR, inflight: 0n, spent: 30n * XBR, seq: 4 }));

    const makerBefore = dumpMaker(mdb);
    const replicaBefore = dumpReplica(wdb);
    const head = BigInt(await world.provider.getBlockNumber());
    const first = monitor.firstBlock();
    assert.equal(first, BigInt(world.deployment.deploymentBlock));

    const report = await monitor.rescan(first);
    assert.equal(report.fromBlock, first);
    assert.ok(report.toBlock >= head, `rescanned up to ${report.toBlock}, head was ${head}`);
    assert.ok(report.events > 10, `${report.events} events read again`);
    assert.equal(report.channelEvents, 3 + 2 + 2, 'three Opened, two Closing of one channel, Closing + Closed of the other');
    assert.equal(report.channelChanges, 0, 'no channel event changed the ledger');
    assert.equal(report.replicaWrites, 0, 'no replica record was written');
    assert.deepEqual(dumpMaker(mdb), makerBefore, 'the maker DB is exactly as before: no deposit counted again, no channel moved back');
    assert.deepEqual(dumpReplica(wdb), replicaBefore);
    assert.equal(monitor.lastBlock()! >= head, true, 'the monitor goes on from where it was');

    // A lost channel record (its balance kept) comes back from its Opened, with the balance untouched.
    mdb.env.writeSync(() => mdb.paymentChannels.delete(spentFrom));
    const again = await monitor.rescan(first);
    assert.equal(again.channelChanges, 1);
    assert.equal(mdb.paymentChannels.get(spentFrom)?.amount, 100n * XBR);
    assert.deepEqual(mdb.paymentBalances.get(spentFrom), { remaining: 70n * XBR, inflight: 0n, spent: 30n * XBR, seq: 4 });

    const now = BigInt(await world.provider.getBlockNumber());
    await assert.rejects(monitor.rescan(first - 1n), { uri: 'wamp.error.invalid_argument', message: new RegExp(`^from_block: expected a block ≥ ${first} \\(the first block this monitor follows`) });
    await assert.rejects(monitor.rescan(now + 5n), { uri: 'wamp.error.invalid_argument', message: new RegExp(`^from_block: expected a block ≤ the chain head ${now}, got ${now + 5n}$`) });
    await assert.rejects(monitor.rescan(-1), { uri: 'wamp.error.invalid_argument' });
    const running = monitor.rescan(first);
    await assert.rejects(monitor.rescan(first), { uri: 'crossbar.error.already_running' });
    assert.equal((await running).channelChanges, 0);
  });
});
