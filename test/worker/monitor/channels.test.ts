/**
 * Chain monitor → channel sinks on the real dev chain: a real PAYMENT channel opened by the demo buyer and
 * closed (non-final, then final) is delivered to its market's sink as Opened / Closing / Closing / Closed
 * with the decoded values; other markets' sinks get nothing; events of a market without a sink are skipped;
 * a committed range is not delivered again after a restart; a throwing sink makes the range be delivered again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract, Wallet, getBytes, hexlify, type Signer, type TransactionReceipt } from 'ethers';
import { xbrChannelAbi } from '../../../contracts/build/index.js';
import { DEFAULT_MAKER_KEY } from '../../../contracts/demo.js';
import { asAddress, asUuid, parseAddress, randomUuid, type Uuid } from '../../../schema/codec/index.js';
import { signChannelClose, signChannelOpen } from '../../../schema/eip712/index.js';
import type { WorkerDb } from '../../../schema/db/worker-db.js';
import { ChannelSinkRegistry, type ChainMonitor, type ChannelChainEvent, type RetryNotice } from '../../../worker/monitor/index.js';
import { marketAs, monitorOn, send, startWorld, tempWorkerDb, untilBlock, walletOf, type World } from './helpers.js';

const XBR = 10n ** 18n;
const TIMEOUT = 1440n;
const bytes = (h: string): Uint8Array => getBytes(h);

/** A sink that records what it is given (and can be told to throw once). */
function recorder(marketId: Uuid, opts: { throwOnce?: boolean } = {}) {
  const seen: ChannelChainEvent[] = [];
  let thrown = false;
  return {
    seen,
    sink: {
      marketId,
      apply: async (ev: ChannelChainEvent): Promise<void> => {
        if (opts.throwOnce === true && !thrown) {
          thrown = true;
          throw new Error('maker DB busy');
        }
        seen.push(ev);
      },
    },
  };
}

describe('chain monitor: channel sinks', () => {
  let world: World;
  let channel: Contract;
  let marketId: Uuid;
  let cleanup: () => Promise<void>;
  let db: WorkerDb;
  let monitor: ChainMonitor | undefined;
  const delegate = Wallet.createRandom();
  const buyerKey = (): Uint8Array => getBytes(walletOf(world, 3).privateKey);
  const binding = () => ({ chainId: world.chain.chainId, verifyingContract: parseAddress(world.deployment.addresses.network) });

  /** Opens a PAYMENT channel of `amount` for the demo buyer (consenting to the delegate first). */
  async function openChannel(channelId: Uuid, amount: bigint): Promise<TransactionReceipt> {
    const m = world.demo.members;
    const openedAt = BigInt(await world.provider.getBlockNumber());
    const msg = {
      ...binding(), ctype: 1, openedAt, marketId, channelId, actor: parseAddress(m.buyer.address), delegate: parseAddress(delegate.address),
      marketmaker: parseAddress(m.maker.address), recipient: parseAddress(m.marketOwner.address), amount,
    };
    const sig = hexlify(signChannelOpen(msg, buyerKey()));
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

  /** Origin fields of the `i`-th XBRChannel log of `r`. */
  const originOf = (r: TransactionReceipt, i = 0) => {
    const log = r.logs.filter((l) => l.address === world.deployment.addresses.channel)[i];
    assert.ok(log !== undefined);
    return { blockNumber: BigInt(r.blockNumber), blockHash: bytes(r.blockHash), txHash: bytes(r.hash), logIndex: log.index };
  };
  /** Events as plain objects (byte fields as Uint8Array) for deepEqual. */
  const plain = (evs: readonly ChannelChainEvent[]) =>
    evs.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v instanceof Uint8Array ? Uint8Array.from(v) : v])));

  before(async () => {
    world = await startWorld();
    channel = new Contract(world.deployment.addresses.channel, xbrChannelAbi, world.chain.signers[0] as Signer);
    marketId = asUuid(getBytes(world.demo.marketId));
    const t = await tempWorkerDb();
    cleanup = t.cleanup;
    db = t.db;
    // the lead's XBRMarket requires the buyer's consent for the delegate before openChannel
    await send(marketAs(world, 3).getFunction('setConsent')(world.demo.marketId, delegate.address, 2, world.demo.catalogId, true, 'xbr.'));
  });
  after(async () => {
    await monitor?.stop();
    await cleanup?.();
    await world?.stop();
  });

  it('Opened / Closing / Closing / Closed of a real channel reach the market sink with the decoded values; others get nothing', async () => {
    const sinks = new ChannelSinkRegistry();
    const mine = recorder(marketId);
    const other = recorder(randomUuid());
    sinks.add(mine.sink);
    sinks.add(other.sink);
    assert.throws(() => sinks.add(recorder(marketId).sink), { uri: 'wamp.error.invalid_argument' });
    monitor = monitorOn(world, db, { channelSinks: sinks });
    await monitor.caughtUp();
    assert.deepEqual(mine.seen, []);

    const channelId = randomUuid();
    const amount = 100n * XBR;
    const rOpen = await openChannel(channelId, amount);
    const rClosing = await closeChannel(channelId, 2, 60n * XBR, false);
    const rClosed = await closeChannel(channelId, 3, 30n * XBR, true);
    await untilBlock(monitor, rClosed.blockNumber);

    const m = world.demo.members;
    const sig = rOpen.logs.find((l) => l.address === world.deployment.addresses.channel);
    assert.ok(sig !== undefined);
    const openSignature = getBytes(channel.interface.parseLog(sig)?.args.getValue('signature') as string);
    assert.equal(openSignature.length, 65);
    const common = { ctype: 1, marketId: Uint8Array.from(marketId), channelId: Uint8Array.from(channelId) };
    assert.deepEqual(plain(mine.seen), plain([
      {
        type: 'Opened', ...originOf(rOpen), ...common, actor: asAddress(bytes(m.buyer.address)), delegate: asAddress(bytes(delegate.address)),
        marketmaker: asAddress(bytes(m.maker.address)), recipient: asAddress(bytes(m.marketOwner.address)), amount, signature: openSignature,
      } as ChannelChainEvent,
      { type: 'Closing', ...originOf(rClosing), ...common, payout: 40n * XBR, fee: 0n, refund: 60n * XBR, timeoutAt: BigInt(rClosing.blockNumber) + TIMEOUT } as ChannelChainEvent,
      { type: 'Closing', ...originOf(rClosed, 0), ...common, payout: 70n * XBR, fee: 0n, refund: 30n * XBR, timeoutAt: BigInt(rClosed.blockNumber) + TIMEOUT } as ChannelChainEvent,
      { type: 'Closed', ...originOf(rClosed, 1), ...common, payout: 70n * XBR, fee: 0n, refund: 30n * XBR, closedAt: BigInt(rClosed.blockNumber) } as ChannelChainEvent,
    ]));
    assert.deepEqual(other.seen, []);

    // without a sink the market's channel events are skipped and the monitor moves on
    assert.equal(sinks.remove(marketId), true);
    const rSkipped = await openChannel(randomUuid(), 5n * XBR);
    await untilBlock(monitor, rSkipped.blockNumber);
    assert.equal(mine.seen.length, 4);
    assert.deepEqual(other.seen, []);
  });

  it('after a restart a committed range is not delivered again; a throwing sink gets the range again', async () => {
    assert.ok(monitor !== undefined);
    await monitor.stop();
    const committed = monitor.lastBlock();
    assert.ok(committed !== undefined);

    const sinks = new ChannelSinkRegistry();
    const again = recorder(marketId, { throwOnce: true });
    sinks.add(again.sink);
    monitor = monitorOn(world, db, { channelSinks: sinks });
    const retries: RetryNotice[] = [];
    monitor.on('retry', (n) => retries.push(n));
    const channelId = randomUuid();
    const r = await openChannel(channelId, 7n * XBR);
    await untilBlock(monitor, r.blockNumber);

    // only the new channel: nothing from the ranges committed before the restart
    assert.ok(again.seen.length >= 1);
    for (const ev of again.seen) assert.ok(ev.blockNumber > committed, `event of block ${ev.blockNumber} was committed before the restart`);
    assert.deepEqual(again.seen.map((e) => [e.type, Buffer.from(e.channelId).toString('hex')]), [['Opened', Buffer.from(channelId).toString('hex')]]);
    // the first attempt threw: logged, retried, delivered once it succeeded
    assert.deepEqual(retries.map((n) => n.stage), ['channel_sink']);
  });
});
