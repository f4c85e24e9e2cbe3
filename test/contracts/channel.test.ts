/**
 * XBRChannel on the in-process dev chain (docs/protocol.md#xbr-channel): PAYMENT / PAYING channels opened with an
 * EIP712ChannelOpen signature of the actor and closed with EIP712ChannelClose signed by the delegate and the
 * market maker — all signatures produced by our schema/eip712 (`signChannelOpen` / `signChannelClose` /
 * `sign()`). Every revert reason, the docs/protocol.md#test-vectors settlement vectors, the cooperative instant close, and the
 * docs/protocol.md#chain-defects fixes: a non-cooperative close (CLOSING) accepts newer states, rejects outdated / replayed ones and
 * is settled by anyone after NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT **blocks** (the original locked the deposit
 * for ever). Gas is printed beside the original's (notes/original-gas.md) and asserted lower; the cooperative final
 * close also within COOPERATIVE_CLOSE_MAX_GAS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Wallet,
  ZeroAddress,
  getBytes,
  hexlify,
  type BaseContract,
  type TransactionReceipt,
} from 'ethers';
import {
  xbrCatalogAbi,
  xbrCatalogBytecode,
  xbrChannelAbi,
  xbrChannelBytecode,
  xbrMarketAbi,
  xbrMarketBytecode,
  xbrNetworkAbi,
  xbrNetworkBytecode,
  xbrTokenAbi,
  xbrTokenBytecode,
} from '../../contracts/build/index.js';
import { deployContract, startDevchain, type Devchain } from '../../contracts/devchain.js';
import { parseAddress, parseUuid } from '../../schema/codec/index.js';
import {
  sign,
  signChannelClose,
  signChannelOpen,
  typeHash,
  type ChannelCloseMessage,
  type ChannelOpenMessage,
} from '../../schema/eip712/index.js';
import { toHex } from '../schema/eip712/helpers.js';
import {
  EULA,
  accounts,
  expectRevert,
  gasReporter,
  highS,
  idFactory,
  latestBlock,
  mineBlocks,
  parseEvents,
  send,
} from './helpers.js';

const XBR = 10n ** 18n;
const MILLI = 10n ** 15n;
const FEE_42 = 420_000_000_000_000_000_000_000_000n; // docs/protocol.md#test-vectors
const CONTRIBUTION_30 = 300_000_000_000_000_000_000_000_000n;
const TIMEOUT = 1440n;
const PAYMENT = 1;
const PAYING = 2;
const PROVIDER = 1;
const CONSUMER = 2;
const State = { NULL: 0n, OPEN: 1n, CLOSING: 2n, CLOSED: 3n } as const;

/** Revert reasons of XBRChannel (docs/protocol.md#xbr-channel; "new" = ours, see contracts/README.md). */
const R = {
  invalidMarket: 'INVALID_MARKET', // new (constructor)
  noSuchMarket: 'NO_SUCH_MARKET',
  exists: 'INVALID_CHANNEL_ALREADY_EXISTS',
  actor: 'INVALID_CHANNEL_ACTOR',
  delegate: 'INVALID_CHANNEL_DELEGATE',
  maker: 'INVALID_CHANNEL_MARKETMAKER',
  recipient: 'INVALID_CHANNEL_RECIPIENT',
  block: 'INVALID_CHANNEL_BLOCK_NUMBER',
  amount: 'INVALID_CHANNEL_AMOUNT',
  signature: 'INVALID_CHANNEL_SIGNATURE',
  type: 'INVALID_CHANNEL_TYPE',
  notMakerOrBuyer: 'SENDER_NOT_MARKETMAKER_OR_BUYER',
  notMakerOrOwner: 'SENDER_NOT_MARKETMAKER_OR_OWNER',
  notConsumer: 'ACTOR_NOT_CONSUMER',
  notProvider: 'ACTOR_NOT_PROVIDER',
  recipientNotMarket: 'RECIPIENT_NOT_MARKET',
  recipientNotActor: 'RECIPIENT_NOT_ACTOR',
  fromActorFailed: 'OPEN_CHANNEL_TRANSFER_FROM_ACTOR_FAILED',
  fromMakerFailed: 'OPEN_CHANNEL_TRANSFER_FROM_MARKETMAKER_FAILED',
  noSuchChannel: 'NO_SUCH_CHANNEL',
  notOpen: 'CHANNEL_NOT_OPEN',
  delegateSignature: 'INVALID_DELEGATE_SIGNATURE',
  makerSignature: 'INVALID_MARKETMAKER_SIGNATURE',
  closingBalance: 'INVALID_CLOSING_BALANCE',
  closingSeq: 'INVALID_CLOSING_SEQ',
  timeout: 'CHANNEL_TIMEOUT',
  outdated: 'OUTDATED_TRANSACTION',
  balanceOutdated: 'TRANSACTION_BALANCE_OUTDATED',
  notClosing: 'CHANNEL_NOT_CLOSING', // new (settleChannel)
  notTimedOut: 'CHANNEL_NOT_TIMED_OUT', // new (settleChannel)
  notConsented: 'DELEGATE_NOT_CONSENTED', // new (openChannel, docs/protocol.md#chain-defect-18)
  notParty: 'SENDER_NOT_CHANNEL_PARTY', // new (requestChannelClose, docs/protocol.md#chain-defect-4)
  signatureLength: 'INVALID_SIGNATURE_LENGTH', // XBRTypes
} as const;

/** Gas of the original XBRChannel (notes/original-gas.md rows 7, 27–32; shanghai = cancun). */
const ORIGINAL_GAS: Record<string, number> = {
  'deploy XBRChannel': 4_497_494,
  'openChannel PAYMENT (by actor, first channel)': 502_141,
  'openChannel PAYMENT (by maker)': 485_025,
  'openChannel PAYING (by maker)': 467_242,
  'closeChannel PAYMENT cooperative final seq 5': 250_932,
  'closeChannel PAYING cooperative final seq 5': 250_910,
  'closeChannel PAYMENT final seq 1': 187_147,
};
/** Ceiling of the cooperative final close (4 transfers), the normal end of every channel (contracts/README.md, XBRChannel). */
const COOPERATIVE_CLOSE_MAX_GAS = 125_000n;
const gasReport: string[] = [];

const reportGas = gasReporter(ORIGINAL_GAS, { mustBeat: true, log: gasReport });

const newId = idFactory(0xc4a10000n);

describe('XBRChannel', () => {
  let chain: Devchain;
  let token: BaseContract;
  let network: BaseContract;
  let market: BaseContract;
  let channel: BaseContract;
  let tokenAddress: string;
  let networkAddress: string;
  let marketAddress: string;
  let channelAddress: string;
  let marketId: string; // owner 1, maker 2, fee 42 %
  let freeMarketId: string; // owner 1, maker 8, fee 0
  let catalogId: string; // owner 1; consents name it
  let catalogContract: BaseContract;
  const catalog = (from = 1) => catalogContract.connect(s(from));
  const delegate = Wallet.createRandom();
  const delegate2 = Wallet.createRandom();

  const { w, s } = accounts(() => chain);
  const ch = (name: string, from = 0) => channel.connect(s(from)).getFunction(name);
  const mkt = (name: string, from = 0) => market.connect(s(from)).getFunction(name);
  const net = (name: string, from = 0) => network.connect(s(from)).getFunction(name);
  const tok = (name: string, from = 0) => token.connect(s(from)).getFunction(name);
  /** The channel contract's own events (token logs skipped), as [name, ...args]. */
  const events = (receipt: TransactionReceipt) => parseEvents(channel, receipt, channelAddress);
  const latest = (): Promise<bigint> => latestBlock(chain);
  const mine = (n: bigint): Promise<void> => mineBlocks(chain, n);
  const balance = async (a: string): Promise<bigint> => (await tok('balanceOf')(a)) as bigint;
  const balances = async (addrs: readonly string[]): Promise<bigint[]> => Promise.all(addrs.map(balance));
  const key = (i: number) => getBytes(w(i).privateKey);
  const binding = () => ({ chainId: chain.chainId, verifyingContract: parseAddress(networkAddress) });
  const closingState = async (id: string) => {
    const r = (await ch('channelClosingStates')(id)) as unknown[];
    const [state, closingAt, closingSeq, closingBalance, closedAt, closedSeq, closedBalance, delegateSignature, marketmakerSignature] = r;
    return { state, closingAt, closingSeq, closingBalance, closedAt, closedSeq, closedBalance, delegateSignature, marketmakerSignature };
  };

  interface OpenArgs {
    ctype: number;
    openedAt: bigint;
    marketId: string;
    channelId: string;
    actor: string;
    delegate: string;
    marketmaker: string;
    recipient: string;
    amount: bigint;
  }
  const openMessage = (a: OpenArgs, over: Partial<ChannelOpenMessage> = {}): ChannelOpenMessage => ({
    ...binding(),
    ctype: a.ctype,
    openedAt: a.openedAt,
    marketId: parseUuid(a.marketId.slice(2)),
    channelId: parseUuid(a.channelId.slice(2)),
    actor: parseAddress(a.actor),
    delegate: parseAddress(a.delegate),
    marketmaker: parseAddress(a.marketmaker),
    recipient: parseAddress(a.recipient),
    amount: a.amount,
    ...over,
  });
  const openArgs = (a: OpenArgs, signature: string | Uint8Array) =>
    [a.ctype, a.openedAt, a.marketId, a.channelId, a.actor, a.delegate, a.marketmaker, a.recipient, a.amount, signature] as const;
  /** PAYMENT channel args: consumer 3 in `marketId` (maker 2, owner 1). */
  const paymentArgs = async (amount: bigint, over: Partial<OpenArgs> = {}): Promise<OpenArgs> => ({
    ctype: PAYMENT,
    openedAt: await latest(),
    marketId,
    channelId: newId(),
    actor: w(3).address,
    delegate: delegate.address,
    marketmaker: w(2).address,
    recipient: w(1).address,
    amount,
    ...over,
  });
  /** PAYING channel args: provider 4 in `marketId`, funded by the maker 2. */
  const payingArgs = async (amount: bigint, over: Partial<OpenArgs> = {}): Promise<OpenArgs> => ({
    ctype: PAYING,
    openedAt: await latest(),
    marketId,
    channelId: newId(),
    actor: w(4).address,
    delegate: delegate2.address,
    marketmaker: w(2).address,
    recipient: w(4).address,
    amount,
    ...over,
  });
  /** Opens with the actor's (`signer` index) signature from `signChannelOpen`; returns the receipt. */
  const open = async (a: OpenArgs, from: number, signer: number): Promise<TransactionReceipt> =>
    send(ch('openChannel', from)(...openArgs(a, hexlify(signChannelOpen(openMessage(a), key(signer))))));

  const closeMessage = (a: OpenArgs, closeAt: bigint, seq: number, bal: bigint, isFinal: boolean): ChannelCloseMessage => ({
    ...binding(),
    closeAt,
    marketId: parseUuid(a.marketId.slice(2)),
    channelId: parseUuid(a.channelId.slice(2)),
    channelSeq: seq,
    balance: bal,
    isFinal,
  });
  /** closeChannel args signed by the channel's delegate and maker (or the given keys). */
  const closeArgs = async (
    a: OpenArgs,
    seq: number,
    bal: bigint,
    isFinal: boolean,
    opts: { closeAt?: bigint; delegateKey?: Uint8Array; makerKey?: Uint8Array } = {},
  ) => {
    const closeAt = opts.closeAt ?? (await latest());
    const msg = closeMessage(a, closeAt, seq, bal, isFinal);
    const delegateKey = opts.delegateKey ?? getBytes(a.ctype === PAYMENT ? delegate.privateKey : delegate2.privateKey);
    const makerKey = opts.makerKey ?? key(2);
    return [a.channelId, closeAt, seq, bal, isFinal, hexlify(signChannelClose(msg, delegateKey)), hexlify(signChannelClose(msg, makerKey))] as const;
  };
  const close = async (a: OpenArgs, seq: number, bal: bigint, isFinal: boolean, from = 9) =>
    send(ch('closeChannel', from)(...(await closeArgs(a, seq, bal, isFinal))));

  // 0 deployer (VERIFIED, organization, holds the supply); 1 market owner; 2 maker (member); 3 consumer;
  // 4 provider; 5 provider+consumer in the free market; 6 ACTIVE, joined nowhere; 9, 12 not members.
  // 1..8 hold 10,000 XBR; 2, 3, 4, 5 approve the channel contract for 10,000 XBR.
  before(async () => {
    chain = await startDevchain();
    token = await deployContract(s(0), xbrTokenAbi, xbrTokenBytecode);
    tokenAddress = await token.getAddress();
    network = await deployContract(s(0), xbrNetworkAbi, xbrNetworkBytecode, tokenAddress, w(0).address);
    networkAddress = await network.getAddress();
    catalogContract = await deployContract(s(0), xbrCatalogAbi, xbrCatalogBytecode, networkAddress);
    market = await deployContract(s(0), xbrMarketAbi, xbrMarketBytecode, networkAddress, await catalogContract.getAddress());
    marketAddress = await market.getAddress();
    channel = await deployContract(s(0), xbrChannelAbi, xbrChannelBytecode, marketAddress);
    channelAddress = await channel.getAddress();
    reportGas('deploy XBRChannel', (await channel.deploymentTransaction()?.wait()) ?? null);
    await send(net('setContribution')(CONTRIBUTION_30));
    for (const i of [1, 2, 3, 4, 5, 6, 7, 8]) {
      await send(net('registerMember', i)(EULA, ''));
      await send(tok('transfer')(w(i).address, 10_000n * XBR));
    }
    marketId = newId();
    await send(mkt('createMarket', 1)(marketId, tokenAddress, '', '', w(2).address, 0n, 0n, FEE_42));
    freeMarketId = newId();
    await send(mkt('createMarket', 1)(freeMarketId, tokenAddress, '', '', w(8).address, 0n, 0n, 0n));
    await send(mkt('joinMarket', 3)(marketId, CONSUMER, ''));
    await send(mkt('joinMarket', 4)(marketId, PROVIDER, ''));
    await send(mkt('joinMarket', 5)(freeMarketId, 3, ''));
    for (const i of [2, 3, 4, 5, 8]) await send(tok('approve', i)(channelAddress, 10_000n * XBR));
    // openChannel requires the actor's consent for the delegate in the channel's role (docs/protocol.md#chain-defect-18)
    catalogId = newId();
    await send(catalog().getFunction('createCatalog')(catalogId, '', ''));
    await send(mkt('setConsent', 3)(marketId, delegate.address, CONSUMER, catalogId, true, 'xbr.demo.'));
    await send(mkt('setConsent', 4)(marketId, delegate2.address, PROVIDER, catalogId, true, 'xbr.demo.'));
    // PROVIDER_CONSUMER consents count for both roles
    await send(mkt('setConsent', 5)(freeMarketId, delegate.address, 3, catalogId, true, 'xbr.demo.'));
    await send(mkt('setConsent', 5)(freeMarketId, delegate2.address, 3, catalogId, true, 'xbr.demo.'));
  });

  after(async () => {
    await chain?.stop();
    console.log(gasReport.join('\n'));
  });

  describe('constructor, getters, EIP712', () => {
    it('stores market and network; constants; unknown channels read as zero; zero market rejected', async () => {
      assert.equal(await ch('market')(), marketAddress);
      assert.equal(await ch('network')(), networkAddress);
      assert.equal(await ch('NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT')(), TIMEOUT);
      assert.equal(await mkt('NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT')(), TIMEOUT);
      assert.equal(await ch('PRESIGNED_TXN_MAX_AGE')(), 1440n);
      const id = newId();
      assert.deepEqual([...((await ch('channels')(id)) as unknown[])], [
        0n, 0n, 0n, '0x' + '00'.repeat(16), '0x' + '00'.repeat(16), ZeroAddress, ZeroAddress, ZeroAddress, ZeroAddress, 0n, '0x',
      ]);
      assert.deepEqual(await closingState(id), {
        state: 0n, closingAt: 0n, closingSeq: 0n, closingBalance: 0n, closedAt: 0n, closedSeq: 0n, closedBalance: 0n,
        delegateSignature: '0x', marketmakerSignature: '0x',
      });
      await expectRevert(deployContract(s(0), xbrChannelAbi, xbrChannelBytecode, ZeroAddress), R.invalidMarket);
    });

    it('typehashes are the docs/protocol.md#eip712-typehashes constants; signChannelOpen / signChannelClose equal sign()', async () => {
      assert.equal(toHex(typeHash('EIP712ChannelOpen')), '0xb64bcb01b836057f268e088d4d8e9cfb8d4fbb900c798b6815d934b7bc5759de');
      assert.equal(toHex(typeHash('EIP712ChannelClose')), '0x6a7865c9be84b09244f7d7e79c1882659ea258ccd2aed77adfc9b753b83a761a');
      const a = await paymentArgs(5n * XBR);
      assert.deepEqual(signChannelOpen(openMessage(a), key(3)), sign('EIP712ChannelOpen', openMessage(a), key(3)));
      const m = closeMessage(a, 7n, 2, 3n * XBR, false);
      assert.deepEqual(signChannelClose(m, key(2)), sign('EIP712ChannelClose', m, key(2)));
    });
  });

  describe('gas (first channel first, as in notes/original-gas.md)', () => {
    it('openChannel PAYMENT by actor / by maker, PAYING by maker; cooperative closes', async () => {
      const a1 = await paymentArgs(100n * XBR);
      const r1 = await open(a1, 3, 3);
      reportGas('openChannel PAYMENT (by actor, first channel)', r1);
      const a2 = await paymentArgs(100n * XBR);
      reportGas('openChannel PAYMENT (by maker)', await open(a2, 2, 3));
      const a3 = await payingArgs(100n * XBR);
      reportGas('openChannel PAYING (by maker)', await open(a3, 2, 4));
      const keep = await paymentArgs(1n * XBR); // stays open: the contract's balance never returns to 0
      await open(keep, 3, 3);
      const cooperative = [await close(a1, 5, 40n * XBR, true, 3), await close(a3, 5, 40n * XBR, true, 2)] as const;
      reportGas('closeChannel PAYMENT cooperative final seq 5', cooperative[0]);
      reportGas('closeChannel PAYING cooperative final seq 5', cooperative[1]);
      for (const r of cooperative) {
        assert.ok(r.gasUsed <= COOPERATIVE_CLOSE_MAX_GAS, `cooperative close: ${r.gasUsed} gas > ${COOPERATIVE_CLOSE_MAX_GAS}`);
      }
      reportGas('closeChannel PAYMENT final seq 1', await send(ch('closeChannel', 0)(...(await closeArgs(a2, 1, 40n * XBR, true)))));
      const a4 = await paymentArgs(100n * XBR);
      await open(a4, 3, 3);
      reportGas('closeChannel PAYMENT non-final seq 2 (→ CLOSING)', await close(a4, 2, 60n * XBR, false));
      reportGas('closeChannel PAYMENT non-final seq 3 (newer state)', await close(a4, 3, 50n * XBR, false));
      await mine(TIMEOUT);
      reportGas('settleChannel PAYMENT after the timeout', await send(ch('settleChannel', 9)(a4.channelId)));
    });
  });

  describe('openChannel', () => {
    it('PAYMENT by the consumer: Opened, channels(), OPEN state, deposit pulled from the actor', async () => {
      const a = await paymentArgs(123n * XBR);
      const signature = hexlify(sign('EIP712ChannelOpen', openMessage(a), key(3)));
      const [actorBefore, chBefore] = await balances([w(3).address, channelAddress]);
      const r = await send(ch('openChannel', 3)(...openArgs(a, signature)));
      assert.deepEqual(events(r), [
        ['Opened', BigInt(PAYMENT), a.marketId, a.channelId, a.actor, a.delegate, a.marketmaker, a.recipient, a.amount, signature],
      ]);
      assert.deepEqual([...((await ch('channels')(a.channelId)) as unknown[])], [
        a.openedAt, 1n, BigInt(PAYMENT), a.marketId, a.channelId, a.actor, a.delegate, a.marketmaker, a.recipient, a.amount, '0x',
      ]);
      assert.deepEqual(await closingState(a.channelId), {
        state: State.OPEN, closingAt: 0n, closingSeq: 1n, closingBalance: 0n, closedAt: 0n, closedSeq: 0n, closedBalance: 0n,
        delegateSignature: '0x', marketmakerSignature: '0x',
      });
      assert.deepEqual(await balances([w(3).address, channelAddress]), [(actorBefore ?? 0n) - a.amount, (chBefore ?? 0n) + a.amount]);
    });

    it('PAYING by the market owner (funded by the maker), PAYMENT by the maker; PROVIDER_CONSUMER may open both', async () => {
      const a = await payingArgs(99n * XBR);
      const makerBefore = await balance(w(2).address);
      await open(a, 1, 4);
      assert.equal(await balance(w(2).address), makerBefore - a.amount);
      const row = (await ch('channels')(a.channelId)) as unknown[];
      assert.equal(row[8], w(4).address); // recipient = actor
      const b = await paymentArgs(1n, { marketId: freeMarketId, actor: w(5).address, marketmaker: w(8).address });
      await open(b, 8, 5);
      const c = await payingArgs(1n, { marketId: freeMarketId, actor: w(5).address, recipient: w(5).address, marketmaker: w(8).address });
      await open(c, 8, 5);
    });

    it('every revert reason, in the original check order', async () => {
      const sig = (a: OpenArgs, signer = 3) => hexlify(signChannelOpen(openMessage(a), key(signer)));
      const tryOpen = (a: OpenArgs, from = 3, signature: string | Uint8Array = sig(a)) => ch('openChannel', from)(...openArgs(a, signature));
      const a = await paymentArgs(10n * XBR);
      await expectRevert(tryOpen({ ...a, marketId: newId() }), R.noSuchMarket);
      const used = await paymentArgs(1n);
      await open(used, 3, 3);
      await expectRevert(tryOpen({ ...a, channelId: used.channelId }), R.exists);
      await expectRevert(tryOpen({ ...a, actor: w(12).address }), R.actor);
      await expectRevert(tryOpen({ ...a, delegate: ZeroAddress }), R.delegate);
      await expectRevert(tryOpen({ ...a, marketmaker: w(6).address }), R.maker);
      await expectRevert(tryOpen({ ...a, recipient: w(12).address }), R.recipient);
      await expectRevert(tryOpen({ ...a, openedAt: (await latest()) + 5n }), R.block);
      await expectRevert(tryOpen({ ...a, amount: 0n }), R.amount);
      await expectRevert(tryOpen({ ...a, amount: 10n ** 27n + 1n }), R.amount);
      await expectRevert(tryOpen(a, 3, sig(a, 6)), R.signature); // signed by someone else
      await expectRevert(tryOpen(a, 3, sig({ ...a, amount: 11n * XBR })), R.signature); // other values
      await expectRevert(tryOpen(a, 3, new Uint8Array(65)), R.signature); // zero signature (ecrecover → 0)
      await expectRevert(tryOpen(a, 3, highS(sig(a))), R.signature); // malleated
      await expectRevert(tryOpen(a, 3, new Uint8Array(64)), R.signatureLength);
      const chainless = hexlify(signChannelOpen(openMessage(a, { chainId: 1n }), key(3)));
      await expectRevert(tryOpen(a, 3, chainless), R.signature);
      await expectRevert(tryOpen({ ...a, ctype: 0 }), R.type);
      await expectRevert(tryOpen({ ...a, ctype: 3 }), R.type);
      // PAYMENT
      await expectRevert(tryOpen(a, 1), R.notMakerOrBuyer);
      await expectRevert(tryOpen({ ...a, actor: w(4).address }, 4, sig({ ...a, actor: w(4).address }, 4)), R.notConsumer);
      await expectRevert(tryOpen({ ...a, recipient: w(6).address }), R.recipientNotMarket);
      await expectRevert(tryOpen({ ...a, delegate: w(12).address }), R.notConsented);
      await send(tok('approve', 6)(channelAddress, 0n));
      await send(mkt('joinMarket', 6)(marketId, CONSUMER, ''));
      await send(mkt('setConsent', 6)(marketId, delegate.address, CONSUMER, catalogId, true, 'xbr.demo.'));
      const poor = { ...a, actor: w(6).address };
      await expectRevert(tryOpen(poor, 6, sig(poor, 6)), R.fromActorFailed);
      // PAYING
      const p = await payingArgs(10n * XBR);
      await expectRevert(tryOpen(p, 4, sig(p, 4)), R.notMakerOrOwner);
      const notProvider = { ...p, actor: w(3).address, recipient: w(3).address };
      await expectRevert(tryOpen(notProvider, 2, sig(notProvider, 3)), R.notProvider);
      const unconsented = { ...p, delegate: delegate.address }; // consented by 3 as CONSUMER, not by 4 as PROVIDER
      await expectRevert(tryOpen(unconsented, 2, sig(unconsented, 4)), R.notConsented);
      await expectRevert(tryOpen({ ...p, recipient: w(1).address }, 2, sig({ ...p, recipient: w(1).address }, 4)), R.recipientNotActor);
      await expectRevert(tryOpen({ ...p, amount: 10_001n * XBR }, 2, sig({ ...p, amount: 10_001n * XBR }, 4)), R.fromMakerFailed);
      // the same signed open cannot be replayed under the same id
      await send(tryOpen(p, 2, sig(p, 4)));
      await expectRevert(tryOpen(p, 2, sig(p, 4)), R.exists);
    });
  });

  describe('closeChannel: settlement vectors (docs/protocol.md#test-vectors; fee 42 %, contribution 30 %)', () => {
    const parties = () => [w(2).address, w(3).address, w(4).address, w(1).address, w(0).address, channelAddress];

    it('PAYMENT 123 XBR, (13, 55, final): Closing + Closed; 39.44 → maker, 55 → consumer, 19.992 → owner, 8.568 → org', async () => {
      const a = await paymentArgs(123n * XBR);
      await open(a, 3, 3);
      const before = await balances(parties());
      const r = await close(a, 13, 55n * XBR, true);
      const block = BigInt(r.blockNumber);
      assert.deepEqual(events(r), [
        ['Closing', 1n, a.marketId, a.channelId, 39_440n * MILLI, 19_992n * MILLI, 55n * XBR, block + TIMEOUT],
        ['Closed', 1n, a.marketId, a.channelId, 39_440n * MILLI, 19_992n * MILLI, 55n * XBR, block],
      ]);
      const after = await balances(parties());
      const delta = after.map((v, i) => v - (before[i] ?? 0n));
      assert.deepEqual(delta, [39_440n * MILLI, 55n * XBR, 0n, 19_992n * MILLI, 8_568n * MILLI, -123n * XBR]);
      assert.deepEqual(await closingState(a.channelId), {
        state: State.CLOSED, closingAt: 0n, closingSeq: 13n, closingBalance: 55n * XBR, closedAt: block, closedSeq: 13n,
        closedBalance: 55n * XBR, delegateSignature: '0x', marketmakerSignature: '0x',
      });
    });

    it('PAYING 99 XBR, (9, 37, final): 35.96 → provider, 37 → maker, 18.228 → owner, 7.812 → org', async () => {
      const a = await payingArgs(99n * XBR);
      await open(a, 2, 4);
      const before = await balances(parties());
      const r = await close(a, 9, 37n * XBR, true);
      assert.deepEqual(events(r).map((e) => e.slice(0, 7)), [
        ['Closing', 2n, a.marketId, a.channelId, 35_960n * MILLI, 18_228n * MILLI, 37n * XBR],
        ['Closed', 2n, a.marketId, a.channelId, 35_960n * MILLI, 18_228n * MILLI, 37n * XBR],
      ]);
      const delta = (await balances(parties())).map((v, i) => v - (before[i] ?? 0n));
      assert.deepEqual(delta, [37n * XBR, 0n, 35_960n * MILLI, 18_228n * MILLI, 7_812n * MILLI, -99n * XBR]);
    });

    it('PAYMENT 123 XBR, (2, 90, non-final): Closing (19.14, 9.702, 90), state CLOSING, nothing paid', async () => {
      const a = await paymentArgs(123n * XBR);
      await open(a, 3, 3);
      const before = await balances(parties());
      const r = await close(a, 2, 90n * XBR, false);
      const block = BigInt(r.blockNumber);
      assert.deepEqual(events(r), [['Closing', 1n, a.marketId, a.channelId, 19_140n * MILLI, 9_702n * MILLI, 90n * XBR, block + TIMEOUT]]);
      assert.deepEqual(await balances(parties()), before);
      const st = await closingState(a.channelId);
      assert.deepEqual([st.state, st.closingAt, st.closingSeq, st.closingBalance, st.closedAt], [State.CLOSING, block + TIMEOUT, 2n, 90n * XBR, 0n]);
    });

    it('PAYMENT 10 XBR instant from OPEN, (1, 4, final): only Closed (3.48, 1.764, 4)', async () => {
      const a = await paymentArgs(10n * XBR);
      await open(a, 3, 3);
      const r = await close(a, 1, 4n * XBR, true);
      assert.deepEqual(events(r), [['Closed', 1n, a.marketId, a.channelId, 3_480n * MILLI, 1_764n * MILLI, 4n * XBR, BigInt(r.blockNumber)]]);
    });

    it('PAYMENT 10 XBR, (5, 0, non-final): balance 0 closes at once, Closing + Closed (5.8, 2.94, 0)', async () => {
      const a = await paymentArgs(10n * XBR);
      await open(a, 3, 3);
      const consumerBefore = await balance(w(3).address);
      const r = await close(a, 5, 0n, false);
      assert.deepEqual(events(r).map((e) => e.slice(0, 7)), [
        ['Closing', 1n, a.marketId, a.channelId, 5_800n * MILLI, 2_940n * MILLI, 0n],
        ['Closed', 1n, a.marketId, a.channelId, 5_800n * MILLI, 2_940n * MILLI, 0n],
      ]);
      assert.equal(await balance(w(3).address), consumerBefore); // no refund transfer
      assert.equal((await closingState(a.channelId)).state, State.CLOSED);
    });

    it('fee-free market: no fee, no contribution transfers; full earned amount to the maker', async () => {
      const a = await paymentArgs(10n * XBR, { marketId: freeMarketId, actor: w(5).address, marketmaker: w(8).address });
      await open(a, 5, 5);
      const before = await balances([w(8).address, w(5).address, w(1).address, w(0).address]);
      const args = await closeArgs(a, 3, 7n * XBR, true, { makerKey: key(8) });
      const r = await send(ch('closeChannel', 9)(...args));
      assert.deepEqual(events(r).map((e) => e.slice(0, 7)), [
        ['Closing', 1n, a.marketId, a.channelId, 3n * XBR, 0n, 7n * XBR],
        ['Closed', 1n, a.marketId, a.channelId, 3n * XBR, 0n, 7n * XBR],
      ]);
      const delta = (await balances([w(8).address, w(5).address, w(1).address, w(0).address])).map((v, i) => v - (before[i] ?? 0n));
      assert.deepEqual(delta, [3n * XBR, 7n * XBR, 0n, 0n]);
    });
  });

  describe('closeChannel: non-cooperative close, timeout in blocks, settleChannel', () => {
    it('non-final seq ≥ 2 → CLOSING; newer seq accepted; outdated / replayed / higher balance rejected; after the timeout anyone settles', async () => {
      const a = await paymentArgs(100n * XBR);
      await open(a, 3, 3);
      const first = await closeArgs(a, 2, 80n * XBR, false);
      const r1 = await send(ch('closeChannel', 3)(...first)); // the consumer's delegate state, submitted by the consumer
      assert.equal((await closingState(a.channelId)).closingAt, BigInt(r1.blockNumber) + TIMEOUT);
      await expectRevert(ch('closeChannel', 3)(...first), R.outdated); // replay
      const newer = await closeArgs(a, 4, 70n * XBR, false);
      const r2 = await send(ch('closeChannel', 2)(...newer)); // the maker answers with a newer state
      const timeoutAt = BigInt(r2.blockNumber) + TIMEOUT;
      assert.deepEqual(events(r2).map((e) => e[0]), ['Closing']);
      let st = await closingState(a.channelId);
      assert.deepEqual([st.state, st.closingSeq, st.closingBalance, st.closingAt], [State.CLOSING, 4n, 70n * XBR, timeoutAt]);
      await expectRevert(ch('closeChannel', 3)(...newer), R.outdated); // replay of the current state
      await expectRevert(ch('closeChannel', 3)(...(await closeArgs(a, 3, 60n * XBR, false))), R.outdated); // older seq
      await expectRevert(ch('closeChannel', 3)(...(await closeArgs(a, 4, 60n * XBR, true))), R.outdated); // same seq, even final
      await expectRevert(ch('closeChannel', 3)(...(await closeArgs(a, 5, 75n * XBR, false))), R.balanceOutdated);
      await expectRevert(ch('settleChannel', 9)(a.channelId), R.notTimedOut);
      await mine(timeoutAt - (await latest()) - 2n); // the next block is timeoutAt - 1
      await expectRevert(ch('settleChannel', 9)(a.channelId), R.notTimedOut);
      await mine(1n); // the next block is timeoutAt: every close is too late, anyone (even a non-member) settles
      await expectRevert(ch('closeChannel', 3)(...(await closeArgs(a, 6, 65n * XBR, false))), R.timeout);
      const parties = [w(2).address, w(3).address, w(1).address, w(0).address, channelAddress];
      const before = await balances(parties);
      const r3 = await send(ch('settleChannel', 12)(a.channelId));
      assert.equal(BigInt(r3.blockNumber), timeoutAt);
      // earned 30: fee 12.6 (42 %), contribution 3.78, payout 17.4 → maker, 70 → consumer
      assert.deepEqual(events(r3), [['Closed', 1n, a.marketId, a.channelId, 17_400n * MILLI, 8_820n * MILLI, 70n * XBR, timeoutAt]]);
      const delta = (await balances(parties)).map((v, i) => v - (before[i] ?? 0n));
      assert.deepEqual(delta, [17_400n * MILLI, 70n * XBR, 8_820n * MILLI, 3_780n * MILLI, -100n * XBR]);
      st = await closingState(a.channelId);
      assert.deepEqual([st.state, st.closedSeq, st.closedBalance, st.closedAt], [State.CLOSED, 4n, 70n * XBR, timeoutAt]);
      await expectRevert(ch('settleChannel', 9)(a.channelId), R.notClosing);
      await expectRevert(ch('closeChannel', 3)(...(await closeArgs(a, 9, 0n, true))), R.notOpen);
    });

    it('CHANNEL_TIMEOUT: a newer state after the timeout is rejected (settle instead)', async () => {
      const a = await paymentArgs(10n * XBR);
      await open(a, 3, 3);
      await close(a, 2, 8n * XBR, false);
      await mine(TIMEOUT);
      await expectRevert(ch('closeChannel', 3)(...(await closeArgs(a, 3, 7n * XBR, true))), R.timeout);
      await send(ch('settleChannel', 9)(a.channelId));
    });

    it('a cooperative final close during CLOSING (newer seq) pays out at once: Closing + Closed', async () => {
      const a = await paymentArgs(10n * XBR);
      await open(a, 3, 3);
      await close(a, 2, 8n * XBR, false);
      const r = await close(a, 3, 6n * XBR, true);
      assert.deepEqual(events(r).map((e) => e[0]), ['Closing', 'Closed']);
      assert.equal((await closingState(a.channelId)).state, State.CLOSED);
    });

    it('non-final seq 1 from OPEN starts CLOSING (the original ignored it silently); PAYING settles to provider / maker', async () => {
      const a = await payingArgs(10n * XBR);
      await open(a, 2, 4);
      const r = await close(a, 1, 6n * XBR, false);
      assert.deepEqual(events(r).map((e) => e[0]), ['Closing']);
      assert.equal((await closingState(a.channelId)).state, State.CLOSING);
      await mine(TIMEOUT);
      const before = await balances([w(4).address, w(2).address]);
      await send(ch('settleChannel', 0)(a.channelId));
      const delta = (await balances([w(4).address, w(2).address])).map((v, i) => v - (before[i] ?? 0n));
      // earned 4: fee 1.68, payout 2.32 → provider; 6 → maker
      assert.deepEqual(delta, [2_320n * MILLI, 6n * XBR]);
    });

    it('an old co-signed state (closeAt far in the past) is still accepted; a future closeAt is not', async () => {
      const a = await paymentArgs(10n * XBR);
      await open(a, 3, 3);
      const oldAt = await latest();
      const args = await closeArgs(a, 2, 9n * XBR, true, { closeAt: oldAt });
      await mine(2n * TIMEOUT);
      await expectRevert(ch('closeChannel', 9)(...(await closeArgs(a, 2, 9n * XBR, true, { closeAt: (await latest()) + 2n }))), R.block);
      await send(ch('closeChannel', 9)(...args));
    });

    it('every closeChannel / settleChannel revert reason', async () => {
      const a = await paymentArgs(10n * XBR);
      await open(a, 3, 3);
      const tryClose = async (args: Promise<readonly unknown[]>) => ch('closeChannel', 9)(...(await args));
      await expectRevert(tryClose(closeArgs({ ...a, channelId: newId() }, 2, 1n, true)), R.noSuchChannel);
      await expectRevert(ch('settleChannel', 9)(newId()), R.noSuchChannel);
      await expectRevert(ch('settleChannel', 9)(a.channelId), R.notClosing);
      await expectRevert(tryClose(closeArgs(a, 2, 1n, true, { closeAt: (await latest()) + 2n })), R.block);
      await expectRevert(tryClose(closeArgs(a, 2, 1n, true, { delegateKey: key(3) })), R.delegateSignature); // the actor is not the delegate
      await expectRevert(tryClose(closeArgs(a, 2, 1n, true, { makerKey: key(1) })), R.makerSignature); // the owner is not the maker
      const good = await closeArgs(a, 2, 1n, true);
      await expectRevert(ch('closeChannel', 9)(good[0], good[1], good[2], good[3], false, good[5], good[6]), R.delegateSignature); // isFinal flipped
      await expectRevert(ch('closeChannel', 9)(good[0], good[1], good[2], good[3], good[4], new Uint8Array(65), good[6]), R.delegateSignature);
      await expectRevert(ch('closeChannel', 9)(good[0], good[1], good[2], good[3], good[4], highS(good[5]), good[6]), R.delegateSignature);
      await expectRevert(ch('closeChannel', 9)(good[0], good[1], good[2], good[3], good[4], good[5], highS(good[6])), R.makerSignature);
      await expectRevert(ch('closeChannel', 9)(good[0], good[1], good[2], good[3], good[4], good[5], new Uint8Array(64)), R.signatureLength);
      await expectRevert(tryClose(closeArgs(a, 2, 10n * XBR + 1n, true)), R.closingBalance);
      await expectRevert(tryClose(closeArgs(a, 0, 1n, true)), R.closingSeq);
      await send(ch('closeChannel', 9)(...good));
      await expectRevert(ch('closeChannel', 9)(...good), R.notOpen); // replayed final close
    });
  });

  describe('delegate consent (docs/protocol.md#chain-defect-18)', () => {
    it('a delegate may open while its actor consents for at least one catalog; repeated consents do not double count', async () => {
      const d = Wallet.createRandom();
      const other = newId();
      await send(catalog().getFunction('createCatalog')(other, '', ''));
      const consent = (cat: string, given: boolean) => send(mkt('setConsent', 3)(marketId, d.address, CONSUMER, cat, given, 'xbr.demo.'));
      const tryOpenWith = async () => {
        const a = await paymentArgs(1n, { delegate: d.address });
        return ch('openChannel', 3)(...openArgs(a, hexlify(signChannelOpen(openMessage(a), key(3)))));
      };
      await expectRevert(tryOpenWith(), R.notConsented);
      assert.equal(await mkt('hasDelegateConsent')(marketId, w(3).address, d.address, CONSUMER), false);
      await consent(catalogId, true);
      await consent(catalogId, true); // same consent again: still one catalog
      await consent(other, true);
      assert.equal(await mkt('hasDelegateConsent')(marketId, w(3).address, d.address, CONSUMER), true);
      assert.equal(await mkt('hasDelegateConsent')(marketId, w(3).address, d.address, PROVIDER), false);
      await send(tryOpenWith());
      await consent(catalogId, false);
      await send(tryOpenWith()); // still consented for `other`
      await consent(other, false);
      assert.equal(await mkt('hasDelegateConsent')(marketId, w(3).address, d.address, CONSUMER), false);
      await expectRevert(tryOpenWith(), R.notConsented);
      await consent(other, false); // withdrawing twice must not underflow nor re-enable
      await expectRevert(tryOpenWith(), R.notConsented);
    });
  });

  describe('requestChannelClose: unilateral close (docs/protocol.md#chain-defect-4)', () => {
    it('the consumer starts the timeout alone; the maker answers with its newest co-signed state; settled to that state', async () => {
      const a = await paymentArgs(10n * XBR);
      await open(a, 3, 3);
      const r = await send(ch('requestChannelClose', 3)(a.channelId));
      const timeoutAt = BigInt(r.blockNumber) + TIMEOUT;
      assert.deepEqual(events(r), [['Closing', BigInt(PAYMENT), a.marketId, a.channelId, 0n, 0n, a.amount, timeoutAt]]);
      const st = await closingState(a.channelId);
      assert.deepEqual([st.state, st.closingSeq, st.closingBalance, st.closingAt], [State.CLOSING, 1n, a.amount, timeoutAt]);
      await expectRevert(ch('requestChannelClose', 3)(a.channelId), R.notOpen);
      await expectRevert(close(a, 1, 10n * XBR, true, 2), R.outdated); // the open state itself is not newer
      await close(a, 4, 6n * XBR, false, 2); // the maker's answer: 4 XBR earned
      await mine(TIMEOUT);
      const before = await balances([w(2).address, w(3).address]);
      await send(ch('settleChannel', 9)(a.channelId));
      const delta = (await balances([w(2).address, w(3).address])).map((v, i) => v - (before[i] ?? 0n));
      assert.deepEqual(delta, [2_320n * MILLI, 6n * XBR]); // fee 42 % of 4 → payout 2.32 to the maker, 6 back
    });

    it('an unanswered request by the maker refunds the whole deposit; the delegate may request too; outsiders may not', async () => {
      const a = await paymentArgs(10n * XBR);
      await open(a, 3, 3);
      await expectRevert(ch('requestChannelClose', 9)(a.channelId), R.notParty);
      await expectRevert(ch('requestChannelClose', 1)(a.channelId), R.notParty); // the market owner is no party
      await expectRevert(ch('requestChannelClose', 9)(newId()), R.noSuchChannel);
      await send(ch('requestChannelClose', 2)(a.channelId));
      await expectRevert(ch('settleChannel', 9)(a.channelId), R.notTimedOut);
      await mine(TIMEOUT);
      const before = await balance(w(3).address);
      await send(ch('settleChannel', 9)(a.channelId));
      assert.equal(await balance(w(3).address), before + a.amount);
      assert.equal((await closingState(a.channelId)).state, State.CLOSED);
      await expectRevert(ch('requestChannelClose', 2)(a.channelId), R.notOpen);

      const p = await payingArgs(5n * XBR);
      await open(p, 2, 4);
      await chain.provider.send('hardhat_setBalance', [delegate2.address, '0x56BC75E2D63100000']);
      const fromDelegate = await delegate2.connect(chain.provider).sendTransaction({
        to: channelAddress,
        data: channel.interface.encodeFunctionData('requestChannelClose', [p.channelId]),
      });
      assert.equal((await fromDelegate.wait())?.status, 1);
      assert.equal((await closingState(p.channelId)).state, State.CLOSING);
    });
  });
});
