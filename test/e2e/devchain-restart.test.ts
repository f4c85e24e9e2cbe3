/**
 * The embedded dev chain remembers the market across restarts (its journal in `.xbr-edge/devchain-state`),
 * end to end through the real processes of the shipped config (controller, dev chain and IPFS guests, router,
 * xbrmm worker):
 * 1. a node opens a payment and a paying channel on chain, a buyer buys a key; the node stops;
 * 2. started again on the same node directory: the dev chain replays its journal, the worker keeps its
 *    databases (no "discarding" warning), the chain has the same blocks, block number and contract addresses,
 *    the channel its balance (as its member reads it), and the buyer buys the next key with seq + 1;
 * 3. started with `--fresh` (the controller's flag, which the dev chain guest gets for that start): a new
 *    chain — the worker discards its databases (chain identity), and the channel is gone; the config file is
 *    unchanged;
 * 4. `--fresh` on a node without a dev chain state is refused before anything starts.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Wampy } from 'wampy';
import { unpackUint256 } from '../../schema/codec/uint256.js';
import type { Uuid } from '../../schema/codec/types.js';
import { logLines, startMarketEdge, type DevchainFile, type EdgeConfig, type MarketEdge } from './harness/market-edge.js';
import { addr, call, callError, connectMember, e2eConfig, openChannelOnChain, TestBuyer, TestSeller, untilKnown, world, XBR, type BalanceResult, type ChannelResult } from './market/offers-purchase-helpers.js';

const MM = 'xbr.marketmaker.';
const PAYMENT = 100n * XBR;
const PAYING = 500n * XBR;
const PRICE = 5n * XBR;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const discarded = (edge: MarketEdge): boolean => logLines(edge).some((l) => typeof l.msg === 'string' && l.msg.includes('discarding the replica'));
const withoutUrl = (f: DevchainFile): Omit<DevchainFile, 'url'> => {
  const { url: _url, ...rest } = f;
  return rest;
};

interface Balance {
  remaining: bigint;
  inflight: bigint;
  seq: number;
}
async function balanceOf(buyer: Wampy, channelId: Uuid): Promise<Balance> {
  const b = await call<BalanceResult>(buyer, MM + 'get_payment_channel_balance', [channelId]);
  return { remaining: unpackUint256(b.remaining), inflight: unpackUint256(b.inflight), seq: b.seq };
}

describe('the embedded dev chain keeps its state across restarts', { timeout: 420_000 }, () => {
  let cbdir: string | undefined;
  let edge: MarketEdge | undefined;
  after(async () => {
    await edge?.stop().catch(() => undefined);
    if (cbdir !== undefined) rmSync(cbdir, { recursive: true, force: true });
  });

  let paymentId: Uuid;
  let before: { block: number; hashes: string[]; devchain: DevchainFile; balance: Balance };

  it('a node opens channels and sells a key, then stops', async () => {
    edge = await startMarketEdge({ configure: e2eConfig, keepCbdir: true });
    cbdir = edge.cbdir;
    const client = await edge.connect({ serializer: 'cbor' });
    const w = await world(edge, client);
    const seller = await TestSeller.start(w, 2, edge.account(5));
    await openChannelOnChain(w, 2, PAYING, addr(edge.account(5)));
    paymentId = await openChannelOnChain(w, 1, PAYMENT, addr(edge.account(6)));
    const buyer = new TestBuyer(w, await connectMember(edge, 3), edge.account(6), paymentId, PAYMENT);
    const o = await seller.offer({ price: PRICE });
    const { key } = await untilKnown(() => buyer.buy(o.keyId, PRICE));
    assert.equal(hex(key), hex(o.key));
    const balance = await balanceOf(buyer.session, paymentId);
    assert.deepEqual(balance, { remaining: PAYMENT - PRICE, inflight: 0n, seq: 2 });
    const provider = edge.provider();
    const block = await provider.getBlockNumber();
    const hashes: string[] = [];
    for (let i = 0; i <= block; i++) hashes.push((await provider.getBlock(i))!.hash!);
    before = { block, hashes, devchain: edge.devchain, balance };
    assert.ok(!discarded(edge));
    assert.equal(await edge.stop(), 0, edge.output().slice(-3000));
    edge = undefined;
  });

  it('started again on the same directory: the same chain, the DBs kept, the channel with its balance, and the next purchase at seq + 1', async () => {
    assert.ok(cbdir !== undefined && before !== undefined, 'the first start ran');
    edge = await startMarketEdge({ cbdir, configure: e2eConfig, keepCbdir: true });
    assert.match(edge.output(), /devchain: replayed \d+ journal entries \(\d+ requests\)/);
    assert.ok(!discarded(edge), `the worker kept its databases:\n${edge.output().slice(-3000)}`);
    // the same chain: devchain.json (but for the chain's port, which the harness picks anew), blocks, addresses
    assert.deepEqual(withoutUrl(edge.devchain), withoutUrl(before.devchain));
    const provider = edge.provider();
    assert.equal(await provider.getBlockNumber(), before.block, 'the block number (nothing mined since)');
    for (let i = 0; i <= before.block; i++) assert.equal((await provider.getBlock(i))!.hash, before.hashes[i], `block ${i}`);
    for (const [name, address] of Object.entries(edge.devchain.contracts)) assert.notEqual(await provider.getCode(address), '0x', name);

    const client = await edge.connect({ serializer: 'cbor' });
    const w = await world(edge, client);
    const buyerSession = await connectMember(edge, 3);
    // the channel, read as its member, with the balance it had
    const ch = await call<ChannelResult>(buyerSession, MM + 'get_payment_channel', [paymentId]);
    assert.equal(unpackUint256(ch.amount), PAYMENT);
    assert.deepEqual(await balanceOf(buyerSession, paymentId), before.balance);
    // the buyer goes on from that state: the next purchase is seq + 1
    const seller = await TestSeller.start(w, 2, edge.account(5));
    const buyer = new TestBuyer(w, buyerSession, edge.account(6), paymentId, before.balance.remaining);
    buyer.seq = before.balance.seq;
    const o = await seller.offer({ price: PRICE });
    const { key, receipt } = await buyer.buy(o.keyId, PRICE);
    assert.equal(hex(key), hex(o.key));
    assert.equal(receipt.channel_seq, before.balance.seq + 1);
    assert.deepEqual(await balanceOf(buyerSession, paymentId), { remaining: PAYMENT - 2n * PRICE, inflight: 0n, seq: before.balance.seq + 1 });
    assert.equal(await edge.stop(), 0, edge.output().slice(-3000));
    edge = undefined;
  });

  it('started with --fresh: a new chain, the worker discards its databases, the channel is gone', async () => {
    assert.ok(cbdir !== undefined && before !== undefined, 'the first start ran');
    edge = await startMarketEdge({ cbdir, configure: e2eConfig, keepCbdir: true, controllerArgs: ['--fresh'] });
    const config = JSON.parse(readFileSync(join(cbdir, 'router-config.json'), 'utf8')) as EdgeConfig;
    const guest = config.workers.find((x) => x['type'] === 'guest' && x['id'] === 'devchain')!;
    assert.ok(!(guest['arguments'] as string[]).includes('--fresh'), 'the config file is not changed');
    assert.match(edge.output(), /devchain: --fresh: removed the state/);
    assert.doesNotMatch(edge.output(), /devchain: replayed/);
    assert.ok(discarded(edge), 'the worker saw another chain and discarded its databases');
    assert.deepEqual(edge.devchain.contracts, before.devchain.contracts, 'the same addresses (a fresh deployment)');
    assert.notEqual((await edge.provider().getBlock(1))!.hash, before.hashes[1], 'another chain');
    const buyerSession = await connectMember(edge, 3);
    const e = await callError(buyerSession, MM + 'get_payment_channel_balance', [paymentId]);
    assert.equal(e.errorUri, 'crossbar.error.no_such_object');
    const journal = readFileSync(join(cbdir, '.xbr-edge/devchain-state/journal'), 'utf8');
    assert.ok(journal.split('\n').length < 60, 'a new journal: the deployment and demo only');
  });
});
