/**
 * XBRMarket on the in-process dev chain (docs/protocol.md#xbr-market): markets, actors (join/leave with securities held in
 * escrow and refunded), consents, direct and pre-signed (EIP712MarketCreate / MarketJoin / MarketLeave /
 * Consent signed with our schema/eip712 module: standard digests), every revert reason, the pre-signed
 * window, replay protection, and the docs/protocol.md#chain-defects fixes (no public `_leaveMarket` / `_setConsent`, standard
 * Consent / MarketLeave digests, refundable securities, unsigned securities only from member or maker,
 * stored seq in `MarketCreated`, exact actor lists, RETIRED members may leave, PROVIDER_CONSUMER views).
 * Gas is printed beside the original's figure (notes/original-gas.md), not asserted.
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
  XBR_TYPES,
  hashConsentOnChain,
  hashMarketLeaveOnChain,
  sign,
  signDigest,
  typeHash,
} from '../../schema/eip712/index.js';
import { toHex } from '../schema/eip712/helpers.js';
import {
  EULA,
  MAX_AGE,
  META,
  TERMS,
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

const PREFIX = 'xbr.myapp';
const XBR = 10n ** 18n;
const SUPPLY = 10n ** 9n * XBR;
const FEE = (SUPPLY * 5n) / 100n;
const Level = { VERIFIED: 2n } as const;
const PROVIDER = 1;
const CONSUMER = 2;
const BOTH = 3;

/** Revert reasons of XBRMarket (docs/protocol.md#xbr-market; the ones marked "new" are ours, see contracts/README.md). */
const R = {
  notMember: 'SENDER_NOT_A_MEMBER',
  marketExists: 'MARKET_ALREADY_EXISTS',
  invalidCoin: 'INVALID_COIN',
  invalidMaker: 'INVALID_MAKER',
  makerBusy: 'MAKER_ALREADY_WORKING_FOR_OTHER_MARKET',
  invalidProviderSecurity: 'INVALID_PROVIDER_SECURITY',
  invalidConsumerSecurity: 'INVALID_CONSUMER_SECURITY',
  invalidFee: 'INVALID_MARKET_FEE',
  invalidCreateSignature: 'INVALID_MARKET_CREATE_SIGNATURE',
  invalidCreateBlock: 'INVALID_CREATED_BLOCK_NUMBER',
  securitiesNotSigned: 'SECURITIES_NOT_SIGNED', // new (docs/protocol.md#chain-defect-11)
  noSuchMarket: 'NO_SUCH_MARKET',
  senderIsOwner: 'SENDER_IS_OWNER',
  invalidActorType: 'INVALID_ACTOR_TYPE',
  alreadyProvider: 'ALREADY_JOINED_AS_PROVIDER',
  alreadyConsumer: 'ALREADY_JOINED_AS_CONSUMER',
  transferFromFailed: 'JOIN_MARKET_TRANSFER_FROM_FAILED',
  invalidJoinSignature: 'INVALID_MARKET_JOIN_SIGNATURE',
  invalidJoinBlock: 'INVALID_REGISTERED_BLOCK_NUMBER',
  notProvider: 'MEMBER_NOT_PROVIDER',
  notConsumer: 'MEMBER_NOT_CONSUMER',
  invalidLeaveSignature: 'INVALID_SIGNATURE',
  invalidLeaveBlock: 'INVALID_BLOCK_NUMBER',
  invalidDelegate: 'INVALID_CHANNEL_DELEGATE',
  noSuchCatalog: 'NO_SUCH_CATALOG',
  prefixEmpty: 'SERVICE_PREFIX_EMPTY',
  invalidConsentSignature: 'INVALID_CONSENT_SIGNATURE',
  invalidConsentBlock: 'INVALID_CONSENT_BLOCK_NUMBER',
  reused: 'SIGNATURE_REUSED', // new: replayed/outdated join, leave and consent signatures
  invalidSignatureLength: 'INVALID_SIGNATURE_LENGTH', // XBRTypes
  invalidNetwork: 'INVALID_NETWORK', // new
  invalidCatalog: 'INVALID_CATALOG', // new
} as const;

/** Gas figures of the original XBRMarket (notes/original-gas.md rows 6, 19–26; shanghai = cancun). */
const ORIGINAL_GAS: Record<string, number> = {
  'deploy XBRMarket': 5_116_383,
  'createMarket (first, sec 0, CIDs)': 473_592,
  'createMarket (second, sec 100, CIDs)': 479_422,
  'createMarket (third, "")': 320_186,
  'joinMarket PROVIDER (sec 0, CID, first market)': 293_663,
  'joinMarket CONSUMER (sec 0, CID, first market)': 293_680,
  'joinMarket PROVIDER (sec 100, CID)': 355_178,
  'joinMarket CONSUMER (sec 100, CID)': 355_195,
  'joinMarket CONSUMER ("", second market)': 176_655,
};

const reportGas = gasReporter(ORIGINAL_GAS, { mustBeat: true });

const newId = idFactory(0xbeef0000n);
const newMaker = (): string => Wallet.createRandom().address;

describe('XBRMarket', () => {
  let chain: Devchain;
  let token: BaseContract;
  let network: BaseContract;
  let catalog: BaseContract;
  let market: BaseContract;
  let tokenAddress: string;
  let networkAddress: string;
  let marketAddress: string;
  let catalogId: string;

  const { w, s } = accounts(() => chain);
  const fn = (name: string, from = 0) => market.connect(s(from)).getFunction(name);
  const net = (name: string, from = 0) => network.connect(s(from)).getFunction(name);
  const tok = (name: string, from = 0) => token.connect(s(from)).getFunction(name);
  /** The market's own events (token Transfer/Approval logs are skipped). */
  const events = (receipt: TransactionReceipt) => parseEvents(market, receipt, marketAddress);
  const latest = (): Promise<bigint> => latestBlock(chain);
  const mine = (n = 1n): Promise<void> => mineBlocks(chain, n);
  const balance = async (a: string): Promise<bigint> => (await tok('balanceOf')(a)) as bigint;
  const marketOf = async (id: string) => {
    const r = (await fn('markets')(id)) as unknown[];
    const [created, seq, owner, coin, terms, meta, maker, providerSecurity, consumerSecurity, marketFee, signature] = r;
    return { created, seq, owner, coin, terms, meta, maker, providerSecurity, consumerSecurity, marketFee, signature };
  };
  const actorOf = async (id: string, actor: string, type: number) => {
    const [joined, security, meta, signature] = (await fn('getMarketActor')(id, actor, type)) as [bigint, bigint, string, string];
    return { joined, security, meta, signature };
  };
  const stats = async (a: string) => [...((await fn('memberStats')(a)) as bigint[])];
  const list = async (name: 'getAllMarketProviders' | 'getAllMarketConsumers', id: string) => [...((await fn(name)(id)) as string[])];
  const consentOf = async (id: string, member: string, delegate: string, type: number, cat: string) => {
    const [updated, consent, servicePrefix] = (await fn('getConsent')(id, member, delegate, type, cat)) as [bigint, boolean, string];
    return { updated, consent, servicePrefix };
  };
  const key = (i: number) => getBytes(w(i).privateKey);
  const binding = () => ({ chainId: chain.chainId, verifyingContract: parseAddress(networkAddress) });

  interface CreateOver {
    member?: string;
    coin?: string;
    terms?: string;
    meta?: string;
    marketFee?: bigint;
    chainId?: bigint;
  }
  const createMessage = (i: number, created: bigint, marketId: string, maker: string, over: CreateOver = {}) => ({
    ...binding(),
    ...(over.chainId === undefined ? {} : { chainId: over.chainId }),
    member: parseAddress(over.member ?? w(i).address),
    created,
    marketId: parseUuid(marketId.slice(2)),
    coin: parseAddress(over.coin ?? tokenAddress),
    terms: over.terms ?? TERMS,
    meta: over.meta ?? META,
    maker: parseAddress(maker),
    marketFee: over.marketFee ?? FEE,
  });
  const signCreate = (i: number, created: bigint, marketId: string, maker: string, over: CreateOver = {}) =>
    hexlify(sign('EIP712MarketCreate', createMessage(i, created, marketId, maker, over), key(i)));
  const signJoin = (i: number, joined: bigint, marketId: string, actorType: number, meta = META, member = w(i).address) =>
    hexlify(
      sign(
        'EIP712MarketJoin',
        { ...binding(), member: parseAddress(member), joined, marketId: parseUuid(marketId.slice(2)), actorType, meta },
        key(i),
      ),
    );
  const leaveMessage = (i: number, left: bigint, marketId: string, actorType: number) => ({
    ...binding(),
    member: parseAddress(w(i).address),
    left,
    marketId: parseUuid(marketId.slice(2)),
    actorType,
  });
  const signLeave = (i: number, left: bigint, marketId: string, actorType: number) =>
    hexlify(sign('EIP712MarketLeave', leaveMessage(i, left, marketId, actorType), key(i)));
  const consentMessage = (i: number, updated: bigint, marketId: string, delegate: string, type: number, consent: boolean, prefix = PREFIX) => ({
    ...binding(),
    member: parseAddress(w(i).address),
    updated,
    marketId: parseUuid(marketId.slice(2)),
    delegate: parseAddress(delegate),
    delegateType: type,
    apiCatalog: parseUuid(catalogId.slice(2)),
    consent,
    servicePrefix: prefix,
  });
  const signConsent = (i: number, updated: bigint, marketId: string, delegate: string, type: number, consent: boolean, prefix = PREFIX) =>
    hexlify(sign('EIP712Consent', consentMessage(i, updated, marketId, delegate, type, consent, prefix), key(i)));

  /** Creates a market owned by member `i` (defaults: sec 0/0, no fee, empty strings); returns its id. */
  const createMkt = async (i: number, providerSecurity = 0n, consumerSecurity = 0n): Promise<string> => {
    const id = newId();
    await send(fn('createMarket', i)(id, tokenAddress, '', '', newMaker(), providerSecurity, consumerSecurity, 0n));
    return id;
  };

  // members: 0 deployer (VERIFIED, organization, holds the supply), 1..8 ACTIVE, 3 VERIFIED, 4 RETIRED,
  // 9 (relayer) and 10+ are not members. 1..8 hold 10,000 XBR each.
  before(async () => {
    chain = await startDevchain();
    token = await deployContract(s(0), xbrTokenAbi, xbrTokenBytecode);
    tokenAddress = await token.getAddress();
    network = await deployContract(s(0), xbrNetworkAbi, xbrNetworkBytecode, tokenAddress, w(0).address);
    networkAddress = await network.getAddress();
    catalog = await deployContract(s(0), xbrCatalogAbi, xbrCatalogBytecode, networkAddress);
    market = await deployContract(s(0), xbrMarketAbi, xbrMarketBytecode, networkAddress, await catalog.getAddress());
    marketAddress = await market.getAddress();
    reportGas('deploy XBRMarket', (await market.deploymentTransaction()?.wait()) ?? null);
    for (const i of [1, 2, 3, 4, 5, 6, 7, 8]) {
      await send(net('registerMember', i)(EULA, ''));
      await send(tok('transfer')(w(i).address, 10_000n * XBR));
    }
    await send(net('setMemberLevel')(w(3).address, Level.VERIFIED));
    catalogId = newId();
    await send(catalog.connect(s(1)).getFunction('createCatalog')(catalogId, '', ''));
  });

  after(async () => {
    await chain?.stop();
  });

  describe('constructor, getters, ABI', () => {
    it('stores network and catalog; no markets yet; unknown ids read as zero', async () => {
      assert.equal(await fn('network')(), networkAddress);
      assert.equal(await fn('catalog')(), await catalog.getAddress());
      assert.equal(await fn('PRESIGNED_TXN_MAX_AGE')(), MAX_AGE);
      assert.equal(await fn('NONCOOPERATIVE_CHANNEL_CLOSE_TIMEOUT')(), 1440n);
      assert.equal(await fn('marketSeq')(), 1n);
      assert.equal(await fn('countMarkets')(), 0n);
      const id = newId();
      assert.deepEqual(await marketOf(id), {
        created: 0n, seq: 0n, owner: ZeroAddress, coin: ZeroAddress, terms: '', meta: '', maker: ZeroAddress,
        providerSecurity: 0n, consumerSecurity: 0n, marketFee: 0n, signature: '0x',
      });
      assert.equal(await fn('marketsByMaker')(newMaker()), '0x' + '00'.repeat(16));
      assert.deepEqual(await stats(w(1).address), [0n, 0n, 0n, 0n]);
      assert.deepEqual(await actorOf(id, w(1).address, PROVIDER), { joined: 0n, security: 0n, meta: '', signature: '0x' });
      assert.deepEqual(await list('getAllMarketProviders', id), []);
    });

    it('XBRNetwork.memberLevel (new, level-only getter the market uses) agrees with members()', async () => {
      for (const [i, level] of [[0, 2n], [1, 1n], [3, 2n], [10, 0n]] as const) {
        assert.equal(await net('memberLevel')(w(i).address), level);
        assert.equal(((await net('members')(w(i).address)) as unknown[])[3], level);
      }
    });

    it('rejects a zero network / catalog (INVALID_NETWORK / INVALID_CATALOG)', async () => {
      const cat = await catalog.getAddress();
      await expectRevert(deployContract(s(0), xbrMarketAbi, xbrMarketBytecode, ZeroAddress, cat), R.invalidNetwork);
      await expectRevert(deployContract(s(0), xbrMarketAbi, xbrMarketBytecode, networkAddress, ZeroAddress), R.invalidCatalog);
    });

    it('has no unsigned public _leaveMarket/_setConsent (docs/protocol.md#chain-defect-2) and no never-written channel views (docs/protocol.md#chain-defect-15)', () => {
      const names = xbrMarketAbi.filter((e) => e.type === 'function').map((e) => (e as { name: string }).name);
      for (const gone of ['_leaveMarket', '_setConsent', 'getAllPaymentChannels', 'getAllPayingChannels', 'currentPaymentChannelByDelegate', 'currentPayingChannelByDelegate']) {
        assert.ok(!names.includes(gone), gone);
      }
      for (const present of ['createMarket', 'createMarketFor', 'joinMarket', 'joinMarketFor', 'leaveMarket', 'leaveMarketFor', 'setConsent', 'setConsentFor']) {
        assert.ok(names.includes(present), present);
      }
    });

    it('our client types have the docs/protocol.md#eip712-typehashes typehashes (the contract verifies exactly these)', () => {
      assert.equal(toHex(typeHash('EIP712MarketCreate')), '0x37e235cbd66e9ed2b5a8e998da9a3c83f7e5af2de5620a5a5ad4b8eef1c43172');
      assert.equal(toHex(typeHash('EIP712MarketJoin')), '0x3e351710228d0ef9846da4054264b23f077d536cdc6c9203a9b83c4551d256c0');
      assert.equal(toHex(typeHash('EIP712MarketLeave')), '0x1319a8a2c4c4dd0c13b681946dc9557a61e33464e4e1185a92322705d52c321a');
      assert.equal(toHex(typeHash('EIP712Consent')), '0x9f9d3164620fa4dbefb3387819b04cc28ccdeeeac4366cc2008c3e796cd22f2b');
    });
  });

  describe('createMarket', () => {
    it('creates markets with seq 1, 2, 3 (MarketCreated carries the stored seq); indexes and getters', async () => {
      const id = newId();
      const maker = newMaker();
      const r = await send(fn('createMarket', 1)(id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE));
      reportGas('createMarket (first, sec 0, CIDs)', r);
      const block = BigInt(r.blockNumber);
      assert.deepEqual(events(r), [['MarketCreated', id, block, 1n, w(1).address, tokenAddress, TERMS, META, maker, 0n, 0n, FEE]]);
      assert.deepEqual(await marketOf(id), {
        created: block, seq: 1n, owner: w(1).address, coin: tokenAddress, terms: TERMS, meta: META, maker,
        providerSecurity: 0n, consumerSecurity: 0n, marketFee: FEE, signature: '0x',
      });
      assert.equal(await fn('marketIds')(0n), id);
      assert.equal(await fn('marketsByMaker')(maker), id);
      assert.equal(await fn('marketsByOwner')(w(1).address, 0n), id);
      assert.equal(await fn('getMarketsByOwner')(w(1).address, 0n), id);
      assert.equal(await fn('countMarketsByOwner')(w(1).address), 1n);
      assert.equal(await fn('getMarketOwner')(id), w(1).address);
      assert.equal(await fn('getMarketCoin')(id), tokenAddress);
      assert.equal(await fn('getMarketFee')(id), FEE);
      assert.equal(await fn('getMarketMaker')(id), maker);
      assert.equal(await fn('countMarkets')(), 1n);
      assert.equal(await fn('marketSeq')(), 2n);
      assert.deepEqual(await stats(w(1).address), [1n, 0n, 0n, 0n]);

      const id2 = newId();
      const r2 = await send(fn('createMarket', 2)(id2, tokenAddress, TERMS, META, newMaker(), 100n * XBR, 100n * XBR, FEE));
      reportGas('createMarket (second, sec 100, CIDs)', r2);
      assert.equal((events(r2)[0] as unknown[])[3], 2n);
      const r3 = await send(fn('createMarket', 3)(newId(), tokenAddress, '', '', newMaker(), 0n, 0n, 0n));
      reportGas('createMarket (third, "")', r3);
      assert.equal((events(r3)[0] as unknown[])[3], 3n);
      assert.equal(await fn('countMarkets')(), 3n);
    });

    it('checks membership, id, coin, maker, securities and fee (in that order)', async () => {
      const c = (from: number, id: string, coin: string, maker: string, ps: bigint, cs: bigint, fee: bigint) =>
        fn('createMarket', from)(id, coin, '', '', maker, ps, cs, fee);
      await expectRevert(c(10, newId(), tokenAddress, newMaker(), 0n, 0n, 0n), R.notMember);
      await send(net('unregisterMember', 4)());
      await expectRevert(c(4, newId(), tokenAddress, newMaker(), 0n, 0n, 0n), R.notMember);
      const id = await createMkt(5);
      await expectRevert(c(6, id, tokenAddress, newMaker(), 0n, 0n, 0n), R.marketExists);
      // a coin that is not enabled, then enabled for one operator only
      const coin2 = await deployContract(s(0), xbrTokenAbi, xbrTokenBytecode);
      const coin2Address = await coin2.getAddress();
      await expectRevert(c(5, newId(), coin2Address, newMaker(), 0n, 0n, 0n), R.invalidCoin);
      await send(net('setCoinPayable')(coin2Address, w(5).address, true));
      await expectRevert(c(6, newId(), coin2Address, newMaker(), 0n, 0n, 0n), R.invalidCoin);
      await send(c(5, newId(), coin2Address, newMaker(), 0n, 0n, 0n));
      await expectRevert(c(5, newId(), tokenAddress, ZeroAddress, 0n, 0n, 0n), R.invalidMaker);
      const busy = (await fn('getMarketMaker')(id)) as string;
      await expectRevert(c(6, newId(), tokenAddress, busy, 0n, 0n, 0n), R.makerBusy);
      await expectRevert(c(6, newId(), tokenAddress, newMaker(), SUPPLY + 1n, 0n, 0n), R.invalidProviderSecurity);
      await expectRevert(c(6, newId(), tokenAddress, newMaker(), 0n, SUPPLY + 1n, 0n), R.invalidConsumerSecurity);
      await expectRevert(c(6, newId(), tokenAddress, newMaker(), 0n, 0n, SUPPLY + 1n), R.invalidFee);
      await send(c(6, newId(), tokenAddress, newMaker(), SUPPLY, SUPPLY, SUPPLY)); // the limits themselves
    });
  });

  describe('createMarketFor (EIP712MarketCreate)', () => {
    it('a schema/eip712 signature relayed by anyone creates the signer\'s market; wallets agree; replay rejected', async () => {
      const created = await latest();
      const id = newId();
      const maker = newMaker();
      const signature = signCreate(5, created, id, maker);
      const theirs = await w(5).signTypedData(
        { name: 'XBR', version: '1' },
        { EIP712MarketCreate: [...XBR_TYPES.EIP712MarketCreate] },
        { chainId: chain.chainId, verifyingContract: networkAddress, member: w(5).address, created, marketId: id, coin: tokenAddress, terms: TERMS, meta: META, maker, marketFee: FEE },
      );
      assert.equal(signature, theirs);
      const seq = (await fn('marketSeq')()) as bigint;
      const r = await send(fn('createMarketFor', 9)(w(5).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, signature));
      reportGas('createMarketFor (sec 0, CIDs)', r);
      assert.deepEqual(events(r), [['MarketCreated', id, created, seq, w(5).address, tokenAddress, TERMS, META, maker, 0n, 0n, FEE]]);
      assert.equal((await marketOf(id)).owner, w(5).address);
      assert.equal(await fn('marketsByMaker')(maker), id);
      await expectRevert(fn('createMarketFor', 9)(w(5).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, signature), R.marketExists);
    });

    it('unsigned securities: non-zero only when sent by the member or its signed maker (SECURITIES_NOT_SIGNED)', async () => {
      const created = await latest();
      const makerWallet = w(11);
      for (const [from, ok] of [[9, false], [6, true], [11, true]] as const) {
        const id = newId();
        const maker = from === 11 ? makerWallet.address : newMaker();
        const signature = signCreate(6, created, id, maker);
        const call = fn('createMarketFor', from)(w(6).address, created, id, tokenAddress, TERMS, META, maker, 7n, 8n, FEE, signature);
        if (ok) {
          await send(call);
          const m = await marketOf(id);
          assert.deepEqual([m.providerSecurity, m.consumerSecurity], [7n, 8n]);
        } else {
          await expectRevert(call, R.securitiesNotSigned);
        }
      }
    });

    it('bad signatures: other key / other values / zero address / high s / bad v → INVALID_MARKET_CREATE_SIGNATURE; length', async () => {
      const created = await latest();
      const id = newId();
      const maker = newMaker();
      const good = signCreate(7, created, id, maker);
      const bad = (args: readonly unknown[]) => expectRevert(fn('createMarketFor', 9)(...args), R.invalidCreateSignature);
      await bad([w(7).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, signCreate(8, created, id, maker, { member: w(7).address })]);
      await bad([w(8).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, good]);
      await bad([w(7).address, created, id, tokenAddress, TERMS, 'QmOther', maker, 0n, 0n, FEE, good]);
      await bad([w(7).address, created, id, tokenAddress, TERMS, META, newMaker(), 0n, 0n, FEE, good]);
      await bad([w(7).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE + 1n, good]);
      await bad([w(7).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, signCreate(7, created, id, maker, { chainId: 1n })]);
      await bad([ZeroAddress, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, new Uint8Array(65)]);
      await bad([w(7).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, highS(good)]);
      const badV = getBytes(good).slice();
      badV[64] = 29;
      await bad([w(7).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, badV]);
      await expectRevert(
        fn('createMarketFor', 9)(w(7).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, getBytes(good).slice(0, 64)),
        R.invalidSignatureLength,
      );
      // a future block is outside the window; the signer must be a member
      const future = (await latest()) + 5n;
      await expectRevert(
        fn('createMarketFor', 9)(w(7).address, future, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, signCreate(7, future, id, maker)),
        R.invalidCreateBlock,
      );
      await expectRevert(
        fn('createMarketFor', 9)(w(10).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, signCreate(10, created, id, maker)),
        R.notMember,
      );
      await send(fn('createMarketFor', 9)(w(7).address, created, id, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, good));
    });
  });

  describe('joinMarket / leaveMarket', () => {
    it('free market: provider and consumer join (lists, isActor, getMarketActor, marketsByActor, stats) and leave', async () => {
      const id = newId();
      await send(fn('createMarket', 1)(id, tokenAddress, '', '', newMaker(), 0n, 0n, 0n));
      const rp = await send(fn('joinMarket', 2)(id, PROVIDER, META));
      reportGas('joinMarket PROVIDER (sec 0, CID, first market)', rp);
      assert.deepEqual(events(rp), [['ActorJoined', id, w(2).address, BigInt(PROVIDER), BigInt(rp.blockNumber), 0n, META]]);
      const rc = await send(fn('joinMarket', 5)(id, CONSUMER, META));
      reportGas('joinMarket CONSUMER (sec 0, CID, first market)', rc);
      assert.deepEqual(await list('getAllMarketProviders', id), [w(2).address]);
      assert.deepEqual(await list('getAllMarketConsumers', id), [w(5).address]);
      assert.equal(await fn('isActor')(id, w(2).address, PROVIDER), true);
      assert.equal(await fn('isActor')(id, w(2).address, CONSUMER), false);
      assert.equal(await fn('isActor')(id, w(2).address, BOTH), false);
      assert.deepEqual(await actorOf(id, w(2).address, PROVIDER), { joined: BigInt(rp.blockNumber), security: 0n, meta: META, signature: '0x' });
      assert.deepEqual(await actorOf(id, w(2).address, CONSUMER), { joined: 0n, security: 0n, meta: '', signature: '0x' });
      assert.equal(await fn('marketsByActor')(w(2).address, 0n), id);
      assert.deepEqual((await stats(w(2).address)).slice(1), [1n, 0n, 0n]); // owned: earlier tests
      // the consumer also joins as provider; the actor index does not repeat the market
      await send(fn('joinMarket', 5)(id, PROVIDER, ''));
      assert.equal(await fn('isActor')(id, w(5).address, BOTH), true);
      assert.deepEqual((await stats(w(5).address)).slice(1), [1n, 0n, 0n]); // owned: earlier tests
      // leave (security 0: nothing refunded); lists stay exact (swap-remove)
      const rl = await send(fn('leaveMarket', 2)(id, PROVIDER));
      assert.deepEqual(events(rl), [['ActorLeft', id, w(2).address, BigInt(PROVIDER), BigInt(rl.blockNumber), 0n]]);
      assert.deepEqual(await list('getAllMarketProviders', id), [w(5).address]);
      assert.equal(await fn('isActor')(id, w(2).address, PROVIDER), false);
      assert.deepEqual(await actorOf(id, w(2).address, PROVIDER), { joined: 0n, security: 0n, meta: '', signature: '0x' });
      // rejoin works; the market is listed once
      await send(fn('joinMarket', 2)(id, PROVIDER, ''));
      assert.deepEqual(await list('getAllMarketProviders', id), [w(5).address, w(2).address]);
      assert.deepEqual((await stats(w(2).address)).slice(1), [1n, 0n, 0n]); // owned: earlier tests
      await send(fn('leaveMarket', 5)(id, PROVIDER));
      assert.deepEqual(await list('getAllMarketProviders', id), [w(2).address]);
      assert.equal(await fn('isActor')(id, w(2).address, PROVIDER), true);
      await send(fn('leaveMarket', 2)(id, PROVIDER)); // its index was moved: must still be removable
      assert.deepEqual(await list('getAllMarketProviders', id), []);
    });

    it('docs/protocol.md#xbr-market: free market PROVIDER_CONSUMER join and leave → securitiesToBeRefunded = 0', async () => {
      const id = await createMkt(1);
      const rj = await send(fn('joinMarket', 6)(id, BOTH, META));
      assert.deepEqual(events(rj), [['ActorJoined', id, w(6).address, 3n, BigInt(rj.blockNumber), 0n, META]]);
      assert.deepEqual(await actorOf(id, w(6).address, BOTH), { joined: BigInt(rj.blockNumber), security: 0n, meta: META, signature: '0x' });
      const rl = await send(fn('leaveMarket', 6)(id, BOTH));
      assert.deepEqual(events(rl), [['ActorLeft', id, w(6).address, 3n, BigInt(rl.blockNumber), 0n]]);
      assert.equal(await fn('isActor')(id, w(6).address, PROVIDER), false);
      assert.equal(await fn('isActor')(id, w(6).address, CONSUMER), false);
    });

    it('securities go into escrow in the market contract and are refunded in full on leave (docs/protocol.md#chain-defect-7)', async () => {
      const id = newId();
      await send(fn('createMarket', 2)(id, tokenAddress, TERMS, META, newMaker(), 100n * XBR, 40n * XBR, FEE));
      const owner0 = await balance(w(2).address);
      const [owned1, joined1] = await stats(w(1).address);
      const escrow0 = await balance(marketAddress);
      // without allowance the transfer fails
      await expectRevert(fn('joinMarket', 1)(id, PROVIDER, META), R.transferFromFailed);
      await send(tok('approve', 1)(marketAddress, 100n * XBR));
      const b1 = await balance(w(1).address);
      const rp = await send(fn('joinMarket', 1)(id, PROVIDER, META));
      reportGas('joinMarket PROVIDER (sec 100, CID)', rp);
      assert.deepEqual(events(rp), [['ActorJoined', id, w(1).address, 1n, BigInt(rp.blockNumber), 100n * XBR, META]]);
      assert.equal(await balance(w(1).address), b1 - 100n * XBR);
      assert.equal(await tok('allowance')(w(1).address, marketAddress), 0n);
      await send(tok('approve', 5)(marketAddress, 40n * XBR));
      const rc = await send(fn('joinMarket', 5)(id, CONSUMER, META));
      reportGas('joinMarket CONSUMER (sec 100, CID)', rc);
      assert.equal(await balance(marketAddress), escrow0 + 140n * XBR);
      assert.equal(await balance(w(2).address), owner0); // the owner receives nothing
      assert.deepEqual(await stats(w(1).address), [owned1, (joined1 ?? 0n) + 1n, 100n * XBR, 0n]);
      assert.deepEqual(await actorOf(id, w(1).address, PROVIDER), { joined: BigInt(rp.blockNumber), security: 100n * XBR, meta: META, signature: '0x' });
      // type 3 pays both securities in one transfer
      await send(tok('approve', 6)(marketAddress, 140n * XBR));
      await send(fn('joinMarket', 6)(id, BOTH, ''));
      assert.equal((await actorOf(id, w(6).address, BOTH)).security, 140n * XBR);
      // leave refunds
      const rl = await send(fn('leaveMarket', 1)(id, PROVIDER));
      assert.deepEqual(events(rl), [['ActorLeft', id, w(1).address, 1n, BigInt(rl.blockNumber), 100n * XBR]]);
      assert.equal(await balance(w(1).address), b1);
      assert.deepEqual(await stats(w(1).address), [owned1, (joined1 ?? 0n) + 1n, 100n * XBR, 100n * XBR]);
      const b6 = await balance(w(6).address);
      await send(fn('leaveMarket', 6)(id, CONSUMER));
      assert.equal(await balance(w(6).address), b6 + 40n * XBR);
      await send(fn('leaveMarket', 6)(id, PROVIDER));
      assert.equal(await balance(w(6).address), b6 + 140n * XBR);
      assert.equal(await balance(marketAddress), escrow0 + 40n * XBR); // only 5's consumer security remains
    });

    it('a second market with "" meta (actor index and stats slots exist already)', async () => {
      const id = await createMkt(3);
      const r = await send(fn('joinMarket', 5)(id, CONSUMER, ''));
      reportGas('joinMarket CONSUMER ("", second market)', r);
    });

    it('join checks: member, market, owner, type, already joined (in that order)', async () => {
      const id = await createMkt(1);
      await expectRevert(fn('joinMarket', 10)(id, PROVIDER, ''), R.notMember);
      await expectRevert(fn('joinMarket', 4)(id, PROVIDER, ''), R.notMember); // RETIRED
      await expectRevert(fn('joinMarket', 2)(newId(), PROVIDER, ''), R.noSuchMarket);
      await expectRevert(fn('joinMarket', 1)(id, PROVIDER, ''), R.senderIsOwner);
      await expectRevert(fn('joinMarket', 2)(id, 0, ''), R.invalidActorType);
      await expectRevert(fn('joinMarket', 2)(id, 4, ''), R.invalidActorType);
      await send(fn('joinMarket', 3)(id, PROVIDER, '')); // VERIFIED may join (docs/protocol.md#chain-defect-16)
      await expectRevert(fn('joinMarket', 3)(id, PROVIDER, ''), R.alreadyProvider);
      await expectRevert(fn('joinMarket', 3)(id, BOTH, ''), R.alreadyProvider);
      await send(fn('joinMarket', 2)(id, CONSUMER, ''));
      await expectRevert(fn('joinMarket', 2)(id, CONSUMER, ''), R.alreadyConsumer);
      await expectRevert(fn('joinMarket', 2)(id, BOTH, ''), R.alreadyConsumer);
      await expectRevert(fn('getMarketActor')(id, w(2).address, 0), R.invalidActorType);
      assert.equal(await fn('isActor')(id, w(2).address, 0), false);
    });

    it('leave checks: market, type, role joined; a RETIRED member can still leave and get its security back', async () => {
      const id = await createMkt(1, 10n * XBR, 0n);
      await send(tok('approve', 7)(marketAddress, 10n * XBR));
      await send(fn('joinMarket', 7)(id, PROVIDER, ''));
      await expectRevert(fn('leaveMarket', 7)(newId(), PROVIDER), R.noSuchMarket);
      await expectRevert(fn('leaveMarket', 7)(id, 0), R.invalidActorType);
      await expectRevert(fn('leaveMarket', 7)(id, 4), R.invalidActorType);
      await expectRevert(fn('leaveMarket', 7)(id, CONSUMER), R.notConsumer);
      await expectRevert(fn('leaveMarket', 7)(id, BOTH), R.notConsumer);
      await expectRevert(fn('leaveMarket', 8)(id, PROVIDER), R.notProvider);
      await send(net('unregisterMember', 7)());
      const b = await balance(w(7).address);
      await send(fn('leaveMarket', 7)(id, PROVIDER));
      assert.equal(await balance(w(7).address), b + 10n * XBR);
      await expectRevert(fn('leaveMarket', 7)(id, PROVIDER), R.notProvider);
    });
  });

  describe('joinMarketFor / leaveMarketFor (EIP712MarketJoin / EIP712MarketLeave, standard digests)', () => {
    it('join and leave by relayed signatures; wallets agree; replays and stale signatures are rejected (SIGNATURE_REUSED)', async () => {
      const id = await createMkt(1, 5n * XBR, 0n);
      await send(tok('approve', 8)(marketAddress, 10n * XBR));
      const joined = await latest();
      const js = signJoin(8, joined, id, PROVIDER);
      const theirs = await w(8).signTypedData(
        { name: 'XBR', version: '1' },
        { EIP712MarketJoin: [...XBR_TYPES.EIP712MarketJoin] },
        { chainId: chain.chainId, verifyingContract: networkAddress, member: w(8).address, joined, marketId: id, actorType: PROVIDER, meta: META },
      );
      assert.equal(js, theirs);
      const r = await send(fn('joinMarketFor', 9)(w(8).address, joined, id, PROVIDER, META, js));
      reportGas('joinMarketFor PROVIDER (sec 5, CID)', r);
      assert.deepEqual(events(r), [['ActorJoined', id, w(8).address, 1n, joined, 5n * XBR, META]]);
      await expectRevert(fn('joinMarketFor', 9)(w(8).address, joined, id, PROVIDER, META, js), R.alreadyProvider);
      // leave by signature (must be later than the join)
      await expectRevert(fn('leaveMarketFor', 9)(w(8).address, joined, id, PROVIDER, signLeave(8, joined, id, PROVIDER)), R.reused);
      const left = await latest();
      const ls = signLeave(8, left, id, PROVIDER);
      const theirLeave = await w(8).signTypedData(
        { name: 'XBR', version: '1' },
        { EIP712MarketLeave: [...XBR_TYPES.EIP712MarketLeave] },
        { chainId: chain.chainId, verifyingContract: networkAddress, member: w(8).address, left, marketId: id, actorType: PROVIDER },
      );
      assert.equal(ls, theirLeave);
      const b = await balance(w(8).address);
      const rl = await send(fn('leaveMarketFor', 9)(w(8).address, left, id, PROVIDER, ls));
      reportGas('leaveMarketFor PROVIDER (refund 5)', rl);
      assert.deepEqual(events(rl), [['ActorLeft', id, w(8).address, 1n, left, 5n * XBR]]);
      assert.equal(await balance(w(8).address), b + 5n * XBR);
      // the old join signature cannot rejoin the member (it would also pull a security from its allowance)
      await expectRevert(fn('joinMarketFor', 9)(w(8).address, joined, id, PROVIDER, META, js), R.reused);
      // nor one signed in the block of the leave; a later one can
      const sameBlock = await latest();
      await expectRevert(fn('joinMarketFor', 9)(w(8).address, sameBlock, id, PROVIDER, '', signJoin(8, sameBlock, id, PROVIDER, '')), R.reused);
      await mine();
      const rejoin = await latest();
      await send(fn('joinMarketFor', 9)(w(8).address, rejoin, id, PROVIDER, '', signJoin(8, rejoin, id, PROVIDER, '')));
      // the old leave signature cannot force the member out again
      await expectRevert(fn('leaveMarketFor', 9)(w(8).address, left, id, PROVIDER, ls), R.reused);
      assert.equal(await fn('isActor')(id, w(8).address, PROVIDER), true);
    });

    it('bad signatures and windows: INVALID_MARKET_JOIN_SIGNATURE / INVALID_REGISTERED_BLOCK_NUMBER / INVALID_SIGNATURE / INVALID_BLOCK_NUMBER', async () => {
      const id = await createMkt(1);
      const now = await latest();
      const js = signJoin(6, now, id, CONSUMER);
      await expectRevert(fn('joinMarketFor', 9)(w(6).address, now, id, PROVIDER, META, js), R.invalidJoinSignature);
      await expectRevert(fn('joinMarketFor', 9)(w(6).address, now, id, CONSUMER, '', js), R.invalidJoinSignature);
      await expectRevert(fn('joinMarketFor', 9)(w(5).address, now, id, CONSUMER, META, js), R.invalidJoinSignature);
      await expectRevert(fn('joinMarketFor', 9)(w(6).address, now, id, CONSUMER, META, highS(js)), R.invalidJoinSignature);
      await expectRevert(fn('joinMarketFor', 9)(ZeroAddress, now, id, CONSUMER, META, new Uint8Array(65)), R.invalidJoinSignature);
      const future = now + 5n;
      await expectRevert(fn('joinMarketFor', 9)(w(6).address, future, id, CONSUMER, META, signJoin(6, future, id, CONSUMER)), R.invalidJoinBlock);
      await expectRevert(fn('joinMarketFor', 9)(w(10).address, now, id, CONSUMER, META, signJoin(10, now, id, CONSUMER)), R.notMember);
      await send(fn('joinMarketFor', 9)(w(6).address, now, id, CONSUMER, META, js));
      await mine();
      const left = await latest();
      const ls = signLeave(6, left, id, CONSUMER);
      await expectRevert(fn('leaveMarketFor', 9)(w(6).address, left, id, PROVIDER, ls), R.invalidLeaveSignature);
      await expectRevert(fn('leaveMarketFor', 9)(w(5).address, left, id, CONSUMER, ls), R.invalidLeaveSignature);
      await expectRevert(fn('leaveMarketFor', 9)(w(6).address, left, id, CONSUMER, highS(ls)), R.invalidLeaveSignature);
      await expectRevert(fn('leaveMarketFor', 9)(ZeroAddress, left, id, CONSUMER, new Uint8Array(65)), R.invalidLeaveSignature);
      await expectRevert(fn('leaveMarketFor', 9)(w(6).address, left, id, CONSUMER, getBytes(ls).slice(0, 64)), R.invalidSignatureLength);
      // the original's digest (MarketJoin typehash over the leave fields, docs/protocol.md#test-vectors) is rejected now
      const original = hexlify(signDigest(hashMarketLeaveOnChain(leaveMessage(6, left, id, CONSUMER)), key(6)));
      await expectRevert(fn('leaveMarketFor', 9)(w(6).address, left, id, CONSUMER, original), R.invalidLeaveSignature);
      const lf = (await latest()) + 5n;
      await expectRevert(fn('leaveMarketFor', 9)(w(6).address, lf, id, CONSUMER, signLeave(6, lf, id, CONSUMER)), R.invalidLeaveBlock);
      await send(fn('leaveMarketFor', 9)(w(6).address, left, id, CONSUMER, ls));
    });
  });

  describe('setConsent / setConsentFor (EIP712Consent with servicePrefix, standard digest)', () => {
    let id: string;
    const delegate = Wallet.createRandom().address;
    before(async () => {
      id = await createMkt(1);
      await send(fn('joinMarket', 2)(id, PROVIDER, ''));
      await send(fn('joinMarket', 5)(id, BOTH, ''));
    });

    it('sets and reads consent; ConsentSet', async () => {
      const r = await send(fn('setConsent', 2)(id, delegate, PROVIDER, catalogId, true, PREFIX));
      reportGas('setConsent', r);
      const block = BigInt(r.blockNumber);
      assert.deepEqual(events(r), [['ConsentSet', w(2).address, block, id, delegate, 1n, catalogId, true, PREFIX]]);
      assert.deepEqual(await consentOf(id, w(2).address, delegate, PROVIDER, catalogId), { updated: block, consent: true, servicePrefix: PREFIX });
      await send(fn('setConsent', 2)(id, delegate, PROVIDER, catalogId, false, PREFIX));
      assert.equal((await consentOf(id, w(2).address, delegate, PROVIDER, catalogId)).consent, false);
      await send(fn('setConsent', 5)(id, delegate, BOTH, catalogId, true, PREFIX));
      assert.equal((await consentOf(id, w(5).address, delegate, BOTH, catalogId)).consent, true);
    });

    it('checks: member, market, type, role, delegate, catalog, prefix (in that order)', async () => {
      const c = (from: number, mid: string, d: string, t: number, cat: string, p: string) => fn('setConsent', from)(mid, d, t, cat, true, p);
      await expectRevert(c(10, id, delegate, PROVIDER, catalogId, PREFIX), R.notMember);
      await expectRevert(c(2, newId(), delegate, PROVIDER, catalogId, PREFIX), R.noSuchMarket);
      await expectRevert(c(2, id, delegate, 0, catalogId, PREFIX), R.invalidActorType);
      await expectRevert(c(2, id, delegate, 4, catalogId, PREFIX), R.invalidActorType);
      await expectRevert(c(2, id, delegate, CONSUMER, catalogId, PREFIX), R.notConsumer);
      await expectRevert(c(2, id, delegate, BOTH, catalogId, PREFIX), R.notConsumer);
      await expectRevert(c(6, id, delegate, PROVIDER, catalogId, PREFIX), R.notProvider);
      await expectRevert(c(2, id, ZeroAddress, PROVIDER, catalogId, PREFIX), R.invalidDelegate);
      await expectRevert(c(2, id, delegate, PROVIDER, newId(), PREFIX), R.noSuchCatalog);
      await expectRevert(c(2, id, delegate, PROVIDER, catalogId, ''), R.prefixEmpty);
    });

    it('setConsentFor: client signature accepted (wallets agree), the original digest rejected, replay / stale → SIGNATURE_REUSED', async () => {
      await mine();
      const updated = await latest();
      const sig = signConsent(2, updated, id, delegate, PROVIDER, true);
      const theirs = await w(2).signTypedData(
        { name: 'XBR', version: '1' },
        { EIP712Consent: [...XBR_TYPES.EIP712Consent] },
        { chainId: chain.chainId, verifyingContract: networkAddress, member: w(2).address, updated, marketId: id, delegate, delegateType: PROVIDER, apiCatalog: catalogId, consent: true, servicePrefix: PREFIX },
      );
      assert.equal(sig, theirs);
      const original = hexlify(signDigest(hashConsentOnChain(consentMessage(2, updated, id, delegate, PROVIDER, true)), key(2)));
      const args = [w(2).address, updated, id, delegate, PROVIDER, catalogId, true, PREFIX] as const;
      await expectRevert(fn('setConsentFor', 9)(...args, original), R.invalidConsentSignature);
      const r = await send(fn('setConsentFor', 9)(...args, sig));
      reportGas('setConsentFor', r);
      assert.deepEqual(events(r), [['ConsentSet', w(2).address, updated, id, delegate, 1n, catalogId, true, PREFIX]]);
      await expectRevert(fn('setConsentFor', 9)(...args, sig), R.reused);
      // the member withdraws directly; the old "true" signature cannot restore it
      await send(fn('setConsent', 2)(id, delegate, PROVIDER, catalogId, false, PREFIX));
      await expectRevert(fn('setConsentFor', 9)(...args, sig), R.reused);
      assert.equal((await consentOf(id, w(2).address, delegate, PROVIDER, catalogId)).consent, false);
      // bad signatures / window
      const now = await latest();
      const good = signConsent(2, now, id, delegate, PROVIDER, true);
      const bad = (a: readonly unknown[]) => expectRevert(fn('setConsentFor', 9)(...a), R.invalidConsentSignature);
      await bad([w(2).address, now, id, delegate, PROVIDER, catalogId, false, PREFIX, good]);
      await bad([w(2).address, now, id, delegate, PROVIDER, catalogId, true, 'xbr.other', good]);
      await bad([w(5).address, now, id, delegate, PROVIDER, catalogId, true, PREFIX, good]);
      await bad([w(2).address, now, id, delegate, PROVIDER, catalogId, true, PREFIX, highS(good)]);
      await bad([ZeroAddress, now, id, delegate, PROVIDER, catalogId, true, PREFIX, new Uint8Array(65)]);
      const future = now + 5n;
      await expectRevert(
        fn('setConsentFor', 9)(w(2).address, future, id, delegate, PROVIDER, catalogId, true, PREFIX, signConsent(2, future, id, delegate, PROVIDER, true)),
        R.invalidConsentBlock,
      );
      await mine();
      const later = await latest();
      await send(fn('setConsentFor', 9)(w(2).address, later, id, delegate, PROVIDER, catalogId, true, PREFIX, signConsent(2, later, id, delegate, PROVIDER, true)));
      assert.equal((await consentOf(id, w(2).address, delegate, PROVIDER, catalogId)).consent, true);
    });
  });

  describe('pre-signed window (PRESIGNED_TXN_MAX_AGE = 1440)', () => {
    it('a signed block older than 1440 blocks is rejected by every …For function; the oldest allowed works', async () => {
      const id = await createMkt(1);
      const delegate = Wallet.createRandom().address;
      await send(fn('joinMarket', 3)(id, PROVIDER, ''));
      await mine(2n * MAX_AGE);
      const old = (await latest()) + 1n - MAX_AGE - 1n; // one block too old for the next transaction
      const mid = newId();
      const maker = newMaker();
      await expectRevert(fn('createMarketFor', 9)(w(5).address, old, mid, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, signCreate(5, old, mid, maker)), R.invalidCreateBlock);
      await expectRevert(fn('joinMarketFor', 9)(w(6).address, old, id, CONSUMER, '', signJoin(6, old, id, CONSUMER, '')), R.invalidJoinBlock);
      await expectRevert(fn('leaveMarketFor', 9)(w(3).address, old, id, PROVIDER, signLeave(3, old, id, PROVIDER)), R.invalidLeaveBlock);
      await expectRevert(
        fn('setConsentFor', 9)(w(3).address, old, id, delegate, PROVIDER, catalogId, true, PREFIX, signConsent(3, old, id, delegate, PROVIDER, true)),
        R.invalidConsentBlock,
      );
      const oldest = (await latest()) + 1n - MAX_AGE;
      await send(fn('createMarketFor', 9)(w(5).address, oldest, mid, tokenAddress, TERMS, META, maker, 0n, 0n, FEE, signCreate(5, oldest, mid, maker)));
    });
  });
});
