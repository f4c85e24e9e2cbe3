/**
 * Typed XBR contract bindings (worker/chain/contracts.ts) on the in-process dev chain with the demo setup:
 * read methods return the demo values with the documented types; `encodeOpenChannel` / `encodeCloseChannel`
 * sent through the {@link TransactionSender} open and cooperatively close a PAYMENT channel, and the `Opened`,
 * `Closing`, `Closed` events (and the setup's network/catalog/market events) decode.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Wallet, getBytes, hexlify, randomBytes } from 'ethers';
import { DEFAULT_MAKER_KEY, DEMO_ACCOUNTS, DEMO_CIDS, DEMO_IDS, deployXbr, setupDemo, startDevchain, type Demo, type Devchain, type XbrDeployment } from '../../../contracts/index.js';
import { parseAddress, parseUuid } from '../../../schema/codec/index.js';
import { createLogger } from '../../../schema/log.js';
import { signChannelClose, signChannelOpen } from '../../../schema/eip712/index.js';
import { ActorType, ChannelState, ChannelType, MemberLevel } from '../../../schema/db/index.js';
import {
  BroadcastJournal,
  TransactionSender,
  XBR_EVENT_TOPICS,
  connectXbr,
  decodeXbrEvent,
  decodeXbrEvents,
  findXbrEvents,
  toHex16,
  xbrInterfaces,
  xbrLogFilter,
  type XbrBindings,
} from '../../../worker/chain/index.js';

const XBR = 10n ** 18n;
const HEX16 = /^0x[0-9a-f]{32}$/;
const ZERO16 = `0x${'0'.repeat(32)}`;

describe('connectXbr on the dev chain (demo setup)', () => {
  let chain: Devchain;
  let deployment: XbrDeployment;
  let demo: Demo;
  let xbr: XbrBindings;
  let journal: BroadcastJournal;
  let sender: TransactionSender;
  let dir: string;
  const w = (i: number): Wallet => {
    const x = chain.wallets[i];
    if (x === undefined) throw new Error(`no wallet ${i}`);
    return new Wallet(x.privateKey);
  };

  before(async () => {
    chain = await startDevchain();
    const deployer = chain.signers[0];
    assert.ok(deployer);
    deployment = await deployXbr(deployer);
    demo = await setupDemo(chain, deployment);
    xbr = connectXbr(chain.provider, deployment.addresses);
    dir = mkdtempSync(join(tmpdir(), 'xbr-contracts-'));
    journal = await BroadcastJournal.open(dir);
    sender = new TransactionSender({
      provider: chain.provider, privateKey: hexlify(DEFAULT_MAKER_KEY), journal, pollIntervalMs: 20, timeoutMs: 20_000, logger: createLogger({}, 'error'),
    });
  });
  after(async () => {
    sender.close();
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
    await chain.stop();
  });

  it('network reads', async () => {
    assert.equal(await xbr.network.verifyingChain(), 31337n);
    assert.equal(await xbr.network.verifyingContract(), deployment.addresses.network);
    assert.equal(await xbr.network.memberLevel(demo.members.seller.address), MemberLevel.ACTIVE);
    assert.equal(await xbr.network.memberLevel(demo.members.deployer.address), MemberLevel.VERIFIED);
    assert.equal(await xbr.network.memberLevel(demo.members.maker.address), MemberLevel.NONE);
    const m = await xbr.network.members(demo.members.buyer.address.toLowerCase());
    assert.equal(typeof m.registered, 'bigint');
    assert.ok(m.registered > 0n);
    assert.ok(m.eula.startsWith('Qm'));
    assert.equal(m.profile, '');
    assert.equal(m.level, MemberLevel.ACTIVE);
    // a schema/codec Address works as well
    assert.equal(await xbr.network.memberLevel(parseAddress(demo.members.seller.address)), MemberLevel.ACTIVE);
  });

  it('market reads', async () => {
    const { marketId } = demo;
    const byMaker = await xbr.market.marketsByMaker(demo.members.maker.address);
    assert.match(byMaker, HEX16);
    assert.equal(byMaker, marketId.toLowerCase());
    assert.equal(await xbr.market.marketsByMaker(demo.members.buyer.address), ZERO16);
    assert.equal(await xbr.market.getMarketOwner(marketId), demo.members.marketOwner.address);
    assert.equal(await xbr.market.getMarketCoin(marketId), deployment.addresses.token);
    assert.equal(await xbr.market.getMarketFee(marketId), 0n);
    assert.equal(await xbr.market.getMarketMaker(getBytes(marketId)), demo.members.maker.address);
    assert.equal(await xbr.market.isActor(marketId, demo.members.seller.address, ActorType.PROVIDER), true);
    assert.equal(await xbr.market.isActor(marketId, demo.members.buyer.address, ActorType.CONSUMER), true);
    assert.equal(await xbr.market.isActor(marketId, demo.members.seller.address, ActorType.CONSUMER), false);
    assert.deepEqual(
      await xbr.market.getConsent(marketId, demo.members.seller.address, demo.members.maker.address, ActorType.PROVIDER, demo.catalogId),
      { updated: 0n, consent: false, servicePrefix: '' },
    );
    // the demo's delegate consents (openChannel requires them)
    assert.equal(await xbr.market.hasDelegateConsent(marketId, demo.members.buyer.address, demo.members.buyerDelegate.address, ActorType.CONSUMER), true);
    assert.equal(await xbr.market.hasDelegateConsent(marketId, demo.members.seller.address, demo.members.sellerDelegate.address, ActorType.PROVIDER), true);
    assert.equal(await xbr.market.hasDelegateConsent(marketId, demo.members.buyer.address, demo.members.sellerDelegate.address, ActorType.CONSUMER), false);
    assert.equal((await xbr.market.getConsent(marketId, demo.members.buyer.address, demo.members.buyerDelegate.address, ActorType.CONSUMER, demo.catalogId)).servicePrefix, 'xbr.demo.');
    const mk = await xbr.market.markets(parseUuid(marketId.slice(2)));
    assert.equal(typeof mk.created, 'bigint');
    assert.equal(mk.seq, 1);
    assert.equal(mk.owner, demo.members.marketOwner.address);
    assert.equal(mk.coin, deployment.addresses.token);
    assert.equal(mk.terms, DEMO_CIDS.marketTerms);
    assert.equal(mk.meta, DEMO_CIDS.marketMeta);
    assert.equal(mk.maker, demo.members.maker.address);
    assert.equal(mk.providerSecurity, 0n);
    assert.equal(mk.consumerSecurity, 0n);
    assert.equal(mk.marketFee, 0n);
  });

  it('catalog reads', async () => {
    const c = await xbr.catalog.catalogs(demo.catalogId);
    assert.equal(c.seq, 1);
    assert.equal(c.owner, demo.members.seller.address);
    assert.equal(c.terms, DEMO_CIDS.catalogTerms);
    assert.equal(c.meta, DEMO_CIDS.catalogMeta);
    assert.ok(c.created > 0n);
    const a = await xbr.catalog.apis(demo.catalogId, demo.apiId);
    assert.deepEqual({ schema: a.schema, meta: a.meta }, { schema: DEMO_CIDS.apiSchema, meta: DEMO_CIDS.apiMeta });
    assert.equal(typeof a.published, 'bigint');
    assert.deepEqual(await xbr.catalog.apis(demo.catalogId, DEMO_IDS.marketId), { published: 0n, schema: '', meta: '' });
  });

  it('token reads', async () => {
    assert.equal(await xbr.token.totalSupply(), 10n ** 9n * XBR);
    assert.equal(await xbr.token.balanceOf(demo.members.maker.address), 100_000n * XBR);
    assert.equal(await xbr.token.allowance(demo.members.maker.address, deployment.addresses.channel), 100_000n * XBR);
    assert.equal(await xbr.token.allowance(demo.members.buyer.address, deployment.addresses.channel), 10_000n * XBR);
  });

  it('bytes16 / address inputs are validated', async () => {
    assert.throws(() => toHex16('0x1234'), /bytes16 expected/);
    await assert.rejects(xbr.market.getMarketOwner(new Uint8Array(15)), /bytes16 expected/);
    assert.equal(toHex16(getBytes(DEMO_IDS.marketId.toUpperCase().replace('0X', '0x'))), DEMO_IDS.marketId.toLowerCase());
  });

  it('the setup events decode from getLogs (network, catalog, market)', async () => {
    const logs = await chain.provider.getLogs({ ...xbrLogFilter(deployment.addresses), fromBlock: 0, toBlock: 'latest' });
    const events = decodeXbrEvents(deployment.addresses, logs);
    const count = (n: string) => events.filter((e) => e.name === n).length;
    assert.equal(count('MemberRegistered'), 4); // deployer (constructor) + owner, seller, buyer
    assert.equal(count('CatalogCreated'), 1);
    assert.equal(count('ApiPublished'), 1);
    assert.equal(count('MarketCreated'), 1);
    assert.equal(count('ActorJoined'), 2);
    const [mc] = findXbrEvents(deployment.addresses, logs, 'MarketCreated');
    assert.ok(mc);
    assert.equal(mc.marketId, demo.marketId.toLowerCase());
    assert.equal(mc.marketSeq, 1);
    assert.equal(mc.maker, demo.members.maker.address);
    assert.equal(mc.terms, DEMO_CIDS.marketTerms);
    assert.equal(mc.origin.address, deployment.addresses.market);
    const [api] = findXbrEvents(deployment.addresses, logs, 'ApiPublished');
    assert.ok(api);
    assert.deepEqual([api.catalogId, api.apiId, api.schema], [demo.catalogId.toLowerCase(), demo.apiId.toLowerCase(), DEMO_CIDS.apiSchema]);
    const joined = findXbrEvents(deployment.addresses, logs, 'ActorJoined');
    assert.deepEqual(joined.map((e) => [e.actor, e.actorType]), [
      [demo.members.seller.address, ActorType.PROVIDER],
      [demo.members.buyer.address, ActorType.CONSUMER],
    ]);
    // the same log from another address is not ours
    const first = logs[0];
    assert.ok(first);
    assert.equal(decodeXbrEvent({ ...deployment.addresses, network: deployment.addresses.token }, first), undefined);
  });

  it('encodeSettleChannel round-trips through the interface', () => {
    const id = hexlify(randomBytes(16));
    const call = xbr.channel.encodeSettleChannel(id);
    assert.equal(call.to, deployment.addresses.channel);
    const parsed = xbrInterfaces.channel.parseTransaction({ data: call.data });
    assert.equal(parsed?.name, 'settleChannel');
    assert.equal(parsed?.args[0], id);
    const request = xbrInterfaces.channel.parseTransaction({ data: xbr.channel.encodeRequestChannelClose(id).data });
    assert.equal(request?.name, 'requestChannelClose');
    assert.equal(request?.args[0], id);
  });

  it('encodeOpenChannel via the TransactionSender opens a PAYMENT channel; cooperative close decodes Closing + Closed', async () => {
    const buyer = w(3);
    const delegate = w(DEMO_ACCOUNTS.buyerDelegate); // the buyer consented to it in the demo (openChannel requires it)
    const channelId = hexlify(randomBytes(16));
    const openedAt = BigInt(await chain.provider.getBlockNumber());
    const amount = 100n * XBR;
    const binding = { chainId: chain.chainId, verifyingContract: parseAddress(deployment.addresses.network) };
    const marketUuid = parseUuid(demo.marketId.slice(2));
    const channelUuid = parseUuid(channelId.slice(2));
    const signature = signChannelOpen(
      {
        ...binding, ctype: ChannelType.PAYMENT, openedAt, marketId: marketUuid, channelId: channelUuid, actor: parseAddress(buyer.address),
        delegate: parseAddress(delegate.address), marketmaker: parseAddress(demo.members.maker.address),
        recipient: parseAddress(demo.members.marketOwner.address), amount,
      },
      getBytes(buyer.privateKey),
    );
    const open = xbr.channel.encodeOpenChannel({
      ctype: ChannelType.PAYMENT, openedAt, marketId: marketUuid, channelId, actor: buyer.address, delegate: delegate.address,
      marketmaker: demo.members.maker.address, recipient: demo.members.marketOwner.address, amount, signature,
    });
    const { receipt } = await sender.send({ ...open, label: 'openChannel' });
    const [opened, ...rest] = findXbrEvents(deployment.addresses, receipt.logs, 'Opened');
    assert.equal(rest.length, 0);
    assert.ok(opened);
    assert.equal(opened.ctype, ChannelType.PAYMENT);
    assert.equal(opened.marketId, demo.marketId.toLowerCase());
    assert.equal(opened.channelId, channelId);
    assert.equal(opened.actor, buyer.address);
    assert.equal(opened.delegate, delegate.address);
    assert.equal(opened.marketmaker, demo.members.maker.address);
    assert.equal(opened.recipient, demo.members.marketOwner.address);
    assert.equal(opened.amount, amount);
    assert.equal(opened.signature, hexlify(signature));
    assert.equal(opened.origin.transactionHash, receipt.hash);
    assert.equal(opened.origin.blockNumber, receipt.blockNumber);

    const ch = await xbr.channel.channels(channelUuid);
    assert.deepEqual(ch, {
      created: openedAt, seq: 1, ctype: ChannelType.PAYMENT, marketId: demo.marketId.toLowerCase(), channelId, actor: buyer.address,
      delegate: delegate.address, marketmaker: demo.members.maker.address, recipient: demo.members.marketOwner.address, amount,
    });
    assert.equal((await xbr.channel.channelClosingStates(channelId)).state, ChannelState.OPEN);
    assert.equal(await xbr.token.balanceOf(deployment.addresses.channel), amount);

    // cooperative final close at seq 2 (balance 60 left → payout 40 to the maker, refund 60 to the buyer)
    const closeAt = BigInt(await chain.provider.getBlockNumber());
    const balance = 60n * XBR;
    const msg = { ...binding, closeAt, marketId: marketUuid, channelId: channelUuid, channelSeq: 2, balance, isFinal: true };
    const makerBefore = await xbr.token.balanceOf(demo.members.maker.address);
    const close = xbr.channel.encodeCloseChannel({
      channelId, closeAt, closingChannelSeq: 2, balance, isFinal: true,
      delegateSignature: signChannelClose(msg, getBytes(delegate.privateKey)), marketmakerSignature: signChannelClose(msg, DEFAULT_MAKER_KEY),
    });
    const closed = await sender.send({ ...close, label: 'closeChannel' });
    const events = decodeXbrEvents(deployment.addresses, closed.receipt.logs);
    assert.deepEqual(events.map((e) => e.name), ['Closing', 'Closed']);
    const [closedEv] = findXbrEvents(deployment.addresses, closed.receipt.logs, 'Closed');
    assert.ok(closedEv);
    assert.deepEqual(
      { ctype: closedEv.ctype, marketId: closedEv.marketId, channelId: closedEv.channelId, payout: closedEv.payout, fee: closedEv.fee, refund: closedEv.refund, closedAt: closedEv.closedAt },
      { ctype: ChannelType.PAYMENT, marketId: demo.marketId.toLowerCase(), channelId, payout: 40n * XBR, fee: 0n, refund: balance, closedAt: BigInt(closed.receipt.blockNumber) },
    );
    const st = await xbr.channel.channelClosingStates(channelId);
    assert.equal(st.state, ChannelState.CLOSED);
    assert.equal(st.closedSeq, 2);
    assert.equal(st.closedBalance, balance);
    assert.equal(await xbr.token.balanceOf(demo.members.maker.address), makerBefore + 40n * XBR);
    assert.equal(await xbr.token.balanceOf(deployment.addresses.channel), 0n);

    // the same events through a getLogs filter restricted to the channel events
    const logs = await chain.provider.getLogs({ ...xbrLogFilter(deployment.addresses, ['Opened', 'Closing', 'Closed']), fromBlock: receipt.blockNumber, toBlock: 'latest' });
    assert.deepEqual(decodeXbrEvents(deployment.addresses, logs).map((e) => e.name), ['Opened', 'Closing', 'Closed']);
    assert.equal(logs[0]?.topics[0], XBR_EVENT_TOPICS.Opened);
  });
});
