/**
 * XBRCatalog on the in-process dev chain (docs/protocol.md#xbr-catalog): catalogs and APIs, direct and pre-signed
 * (EIP712CatalogCreate / EIP712ApiPublish signed with our schema/eip712 module), every revert reason,
 * the pre-signed block window, replay, and the docs/protocol.md#chain-defects fixes (ApiPublished emitted, readable API records,
 * standard ApiPublish digest with `string schema`, VERIFIED may publish, 1440-block window without
 * underflow, zero-address / malleable signatures rejected).
 * Gas is printed beside the original's figure (notes/original-gas.md), not asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ZeroAddress,
  getBytes,
  hexlify,
  type BaseContract,
  type TransactionReceipt,
} from 'ethers';
import {
  xbrCatalogAbi,
  xbrCatalogBytecode,
  xbrNetworkAbi,
  xbrNetworkBytecode,
  xbrTokenAbi,
  xbrTokenBytecode,
} from '../../contracts/build/index.js';
import { deployContract, startDevchain, type Devchain } from '../../contracts/devchain.js';
import { parseAddress, parseUuid } from '../../schema/codec/index.js';
import { XBR_TYPES, hashApiPublishOnChain, hashTypedMessage, sign, signDigest } from '../../schema/eip712/index.js';
import { fromHex, loadVectors, messageFromJson, toHex, type TypedVector } from '../schema/eip712/helpers.js';
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
  parseEvents,
  send,
} from './helpers.js';

const SCHEMA = 'QmQ5JFWUMNhDGLigbqzWkJxJiB3mKRgT8L99pq7tx6ypKW';
const Level = { VERIFIED: 2n, RETIRED: 3n } as const;

/** Revert reasons of XBRCatalog (docs/protocol.md#xbr-catalog; the ones marked "new" are ours, see contracts/README.md). */
const R = {
  notMember: 'SENDER_NOT_A_MEMBER',
  catalogExists: 'CATALOG_ALREADY_EXISTS',
  invalidCreateSignature: 'INVALID_CATALOG_CREATE_SIGNATURE',
  invalidCreateBlock: 'INVALID_CATALOG_CREATE_BLOCK_NUMBER',
  noSuchCatalog: 'NO_SUCH_CATALOG',
  notOwner: 'SENDER_IS_NOT_OWNER',
  apiExists: 'API_ALREADY_EXISTS',
  invalidPublishSignature: 'INVALID_API_PUBLISH_SIGNATURE',
  invalidPublishBlock: 'INVALID_API_PUBLISH_BLOCK_NUMBER',
  invalidSignatureLength: 'INVALID_SIGNATURE_LENGTH', // XBRTypes (docs/protocol.md#contract-signatures)
  invalidNetwork: 'INVALID_NETWORK', // new: zero network in the constructor
} as const;

/** Gas figures of the original XBRCatalog (notes/original-gas.md rows 5, 17, 18; shanghai = cancun). */
const ORIGINAL_GAS: Record<string, number> = {
  'deploy XBRCatalog': 1_896_871,
  'createCatalog (first, CIDs)': 287_156,
  'createCatalog (second, "")': 121_475,
};

const reportGas = gasReporter(ORIGINAL_GAS);

/** A 16-byte id from a label (first 16 bytes of a fixed hex string + counter). */
const newId = idFactory(0xc0ffee00n);

describe('XBRCatalog', () => {
  let chain: Devchain;
  let network: BaseContract;
  let catalog: BaseContract;
  let networkAddress: string;
  let catalogAddress: string;

  const { w, s } = accounts(() => chain);
  const fn = (name: string, from = 0) => catalog.connect(s(from)).getFunction(name);
  const net = (name: string, from = 0) => network.connect(s(from)).getFunction(name);
  const events = (receipt: TransactionReceipt) => parseEvents(catalog, receipt);
  const latest = (): Promise<bigint> => latestBlock(chain);
  const catalogOf = async (id: string) => {
    const [created, seq, owner, terms, meta, signature] = (await fn('catalogs')(id)) as [bigint, bigint, string, string, string, string];
    return { created, seq, owner, terms, meta, signature };
  };
  const apiOf = async (catalogId: string, apiId: string) => {
    const [published, schema, meta] = (await fn('apis')(catalogId, apiId)) as [bigint, string, string];
    return { published, schema, meta };
  };

  interface Over {
    chainId?: bigint;
    verifyingContract?: string;
    member?: string;
    terms?: string;
    meta?: string;
    schema?: string;
  }
  /** EIP712CatalogCreate signed by wallet `i` with our schema/eip712 module. */
  const signCreate = (i: number, created: bigint, catalogId: string, over: Over = {}) =>
    hexlify(
      sign(
        'EIP712CatalogCreate',
        {
          chainId: over.chainId ?? chain.chainId,
          verifyingContract: parseAddress(over.verifyingContract ?? networkAddress),
          member: parseAddress(over.member ?? w(i).address),
          created,
          catalogId: parseUuid(catalogId.slice(2)),
          terms: over.terms ?? TERMS,
          meta: over.meta ?? META,
        },
        getBytes(w(i).privateKey),
      ),
    );
  const publishMessage = (i: number, published: bigint, catalogId: string, apiId: string, over: Over = {}) => ({
    chainId: over.chainId ?? chain.chainId,
    verifyingContract: parseAddress(over.verifyingContract ?? networkAddress),
    member: parseAddress(over.member ?? w(i).address),
    published,
    catalogId: parseUuid(catalogId.slice(2)),
    apiId: parseUuid(apiId.slice(2)),
    schema: over.schema ?? SCHEMA,
    meta: over.meta ?? META,
  });
  /** EIP712ApiPublish (client type, `string schema`) signed by wallet `i` with our schema/eip712 module. */
  const signPublish = (i: number, published: bigint, catalogId: string, apiId: string, over: Over = {}) =>
    hexlify(sign('EIP712ApiPublish', publishMessage(i, published, catalogId, apiId, over), getBytes(w(i).privateKey)));

  // members: 0 deployer (VERIFIED), 1 and 2 ACTIVE, 3 VERIFIED, 4 RETIRED, 5..8 ACTIVE (pre-signed tests);
  // 9 (relayer) and 10+ are not members.
  before(async () => {
    chain = await startDevchain();
    const token = await deployContract(s(0), xbrTokenAbi, xbrTokenBytecode);
    network = await deployContract(s(0), xbrNetworkAbi, xbrNetworkBytecode, await token.getAddress(), w(0).address);
    networkAddress = await network.getAddress();
    catalog = await deployContract(s(0), xbrCatalogAbi, xbrCatalogBytecode, networkAddress);
    catalogAddress = await catalog.getAddress();
    reportGas('deploy XBRCatalog', (await catalog.deploymentTransaction()?.wait()) ?? null);
    for (const i of [1, 2, 3, 4, 5, 6, 7, 8]) await send(net('registerMember', i)(EULA, ''));
    await send(net('setMemberLevel')(w(3).address, Level.VERIFIED));
    await send(net('unregisterMember', 4)());
  });

  after(async () => {
    await chain?.stop();
  });

  describe('constructor and getters', () => {
    it('stores the network; no catalogs yet; unknown catalogs and APIs read as zero', async () => {
      assert.equal(await fn('network')(), networkAddress);
      assert.equal(await fn('PRESIGNED_TXN_MAX_AGE')(), MAX_AGE);
      assert.equal(await fn('catalogCount')(), 0n);
      const id = newId();
      assert.deepEqual(await catalogOf(id), { created: 0n, seq: 0n, owner: ZeroAddress, terms: '', meta: '', signature: '0x' });
      assert.deepEqual(await apiOf(id, newId()), { published: 0n, schema: '', meta: '' });
    });

    it('rejects a zero network (INVALID_NETWORK)', async () => {
      await expectRevert(deployContract(s(0), xbrCatalogAbi, xbrCatalogBytecode, ZeroAddress), R.invalidNetwork);
    });

    it('docs/protocol.md#test-vectors CatalogCreate / ApiPublish vectors are reproduced by the module that signs for the chain', () => {
      const all = loadVectors();
      for (const [label, primaryType] of [['CatalogCreate', 'EIP712CatalogCreate'], ['ApiPublish', 'EIP712ApiPublish']] as const) {
        const v = all[label] as TypedVector;
        const msg = messageFromJson(primaryType, v.message);
        assert.equal(toHex(hashTypedMessage(primaryType, msg)), v.digest, label);
        assert.equal(toHex(sign(primaryType, msg, fromHex(v.signerKey))), v.signature, label);
      }
      // the original's `terms` variant (docs/protocol.md#test-vectors) is a different digest: the contract now verifies the client one
      const onchain = all['ApiPublish.onchain'] as { digest: string };
      const client = all['ApiPublish'] as TypedVector;
      assert.notEqual(onchain.digest, client.digest);
      assert.equal(toHex(hashApiPublishOnChain(messageFromJson('EIP712ApiPublish', client.message))), onchain.digest);
    });
  });

  describe('createCatalog', () => {
    it('creates a catalog owned by the caller with seq 1, 2, …; emits CatalogCreated', async () => {
      const id = newId();
      const r = await send(fn('createCatalog', 1)(id, TERMS, META));
      reportGas('createCatalog (first, CIDs)', r);
      const block = BigInt(r.blockNumber);
      assert.deepEqual(events(r), [['CatalogCreated', id, block, 1n, w(1).address, TERMS, META]]);
      assert.deepEqual(await catalogOf(id), { created: block, seq: 1n, owner: w(1).address, terms: TERMS, meta: META, signature: '0x' });
      assert.equal(await fn('catalogIds')(0n), id);
      assert.equal(await fn('catalogCount')(), 1n);
      const id2 = newId();
      const r2 = await send(fn('createCatalog', 2)(id2, '', ''));
      reportGas('createCatalog (second, "")', r2);
      assert.deepEqual(events(r2), [['CatalogCreated', id2, BigInt(r2.blockNumber), 2n, w(2).address, '', '']]);
      assert.deepEqual(await catalogOf(id2), { created: BigInt(r2.blockNumber), seq: 2n, owner: w(2).address, terms: '', meta: '', signature: '0x' });
      assert.equal(await fn('catalogIds')(1n), id2);
      const r3 = await send(fn('createCatalog', 1)(newId(), TERMS, META));
      reportGas('createCatalog (third, CIDs)', r3);
    });

    it('VERIFIED members (the deployer, a promoted member) may create catalogs', async () => {
      const id = newId();
      await send(fn('createCatalog', 0)(id, TERMS, ''));
      assert.equal((await catalogOf(id)).owner, w(0).address);
      const id3 = newId();
      await send(fn('createCatalog', 3)(id3, '', META));
      assert.deepEqual({ ...(await catalogOf(id3)), created: 0n }, { created: 0n, seq: 5n, owner: w(3).address, terms: '', meta: META, signature: '0x' });
    });

    it('non-members and retired members are rejected (SENDER_NOT_A_MEMBER); ids are unique (CATALOG_ALREADY_EXISTS)', async () => {
      await expectRevert(fn('createCatalog', 10)(newId(), TERMS, META), R.notMember);
      await expectRevert(fn('createCatalog', 4)(newId(), TERMS, META), R.notMember);
      const id = newId();
      await send(fn('createCatalog', 1)(id, TERMS, META));
      await expectRevert(fn('createCatalog', 1)(id, TERMS, META), R.catalogExists);
      await expectRevert(fn('createCatalog', 2)(id, '', ''), R.catalogExists);
      assert.equal((await catalogOf(id)).owner, w(1).address);
    });
  });

  describe('createCatalogFor (EIP712CatalogCreate)', () => {
    it('a signature from schema/eip712 relayed by anyone creates the signer\'s catalog with the signed block; replay is rejected', async () => {
      const created = await latest();
      const id = newId();
      const signature = signCreate(5, created, id);
      // our module and a wallet's signTypedData agree
      const theirs = await w(5).signTypedData(
        { name: 'XBR', version: '1' },
        { EIP712CatalogCreate: [...XBR_TYPES.EIP712CatalogCreate] },
        { chainId: chain.chainId, verifyingContract: networkAddress, member: w(5).address, created, catalogId: id, terms: TERMS, meta: META },
      );
      assert.equal(signature, theirs);
      const count = (await fn('catalogCount')()) as bigint;
      const r = await send(fn('createCatalogFor', 9)(w(5).address, created, id, TERMS, META, signature));
      reportGas('createCatalogFor (CIDs)', r);
      assert.deepEqual(events(r), [['CatalogCreated', id, created, count + 1n, w(5).address, TERMS, META]]);
      assert.deepEqual(await catalogOf(id), { created, seq: count + 1n, owner: w(5).address, terms: TERMS, meta: META, signature: '0x' });
      await expectRevert(fn('createCatalogFor', 9)(w(5).address, created, id, TERMS, META, signature), R.catalogExists);
      await expectRevert(fn('createCatalogFor', 5)(w(5).address, created, id, TERMS, META, signature), R.catalogExists);
    });

    it('while block.number ≤ PRESIGNED_TXN_MAX_AGE blocks 0..3 are accepted (the original underflowed, docs/protocol.md#chain-defect-17)', async () => {
      assert.ok((await latest()) + 1n <= MAX_AGE);
      for (const created of [0n, 3n]) {
        const id = newId();
        await send(fn('createCatalogFor', 9)(w(6).address, created, id, '', '', signCreate(6, created, id, { terms: '', meta: '' })));
        assert.equal((await catalogOf(id)).created, created);
      }
    });

    it('a signature by another key or over other values reverts with INVALID_CATALOG_CREATE_SIGNATURE', async () => {
      const created = await latest();
      const id = newId();
      const good = signCreate(7, created, id);
      const bad = (args: readonly unknown[]) => expectRevert(fn('createCatalogFor', 9)(...args), R.invalidCreateSignature);
      await bad([w(7).address, created, id, TERMS, META, signCreate(8, created, id, { member: w(7).address })]);
      await bad([w(8).address, created, id, TERMS, META, good]);
      await bad([w(7).address, created - 1n, id, TERMS, META, good]);
      await bad([w(7).address, created, newId(), TERMS, META, good]);
      await bad([w(7).address, created, id, 'QmOther', META, good]);
      await bad([w(7).address, created, id, TERMS, '', good]);
      // chain binding: another chainId, or the catalog instead of the network as verifyingContract
      await bad([w(7).address, created, id, TERMS, META, signCreate(7, created, id, { chainId: 1n })]);
      await bad([w(7).address, created, id, TERMS, META, signCreate(7, created, id, { verifyingContract: catalogAddress })]);
      // zero-address recovery (65 zero bytes for member 0x0) and the malleable twin (docs/protocol.md#chain-defect-9)
      await bad([ZeroAddress, created, id, TERMS, META, new Uint8Array(65)]);
      await bad([w(7).address, created, id, TERMS, META, highS(good)]);
      const badV = getBytes(good);
      badV[64] = 29;
      await bad([w(7).address, created, id, TERMS, META, badV]);
      await expectRevert(fn('createCatalogFor', 9)(w(7).address, created, id, TERMS, META, getBytes(good).subarray(0, 64)), R.invalidSignatureLength);
      await expectRevert(fn('createCatalogFor', 9)(w(7).address, created, id, TERMS, META, '0x'), R.invalidSignatureLength);
      // v 0/1 is read as 27/28
      const v01 = getBytes(good);
      v01[64] = v01[64]! - 27;
      await send(fn('createCatalogFor', 9)(w(7).address, created, id, TERMS, META, v01));
      assert.equal((await catalogOf(id)).owner, w(7).address);
    });

    it('a valid signature of a non-member or retired member reverts with SENDER_NOT_A_MEMBER', async () => {
      const created = await latest();
      const id = newId();
      await expectRevert(fn('createCatalogFor', 9)(w(10).address, created, id, TERMS, META, signCreate(10, created, id)), R.notMember);
      await expectRevert(fn('createCatalogFor', 9)(w(4).address, created, id, TERMS, META, signCreate(4, created, id)), R.notMember);
    });
  });

  describe('publishApi', () => {
    it('the owner publishes an API: ApiPublished is emitted and the record is readable (docs/protocol.md#chain-defect-14)', async () => {
      const cat = newId();
      await send(fn('createCatalog', 1)(cat, TERMS, META));
      const api = newId();
      const r = await send(fn('publishApi', 1)(cat, api, SCHEMA, META));
      reportGas('publishApi (CIDs)', r);
      const block = BigInt(r.blockNumber);
      assert.deepEqual(events(r), [['ApiPublished', cat, api, block, SCHEMA, META]]);
      assert.deepEqual(await apiOf(cat, api), { published: block, schema: SCHEMA, meta: META });
      const api2 = newId();
      const r2 = await send(fn('publishApi', 1)(cat, api2, '', ''));
      reportGas('publishApi ("")', r2);
      assert.deepEqual(events(r2), [['ApiPublished', cat, api2, BigInt(r2.blockNumber), '', '']]);
      assert.deepEqual(await apiOf(cat, api2), { published: BigInt(r2.blockNumber), schema: '', meta: '' });
      // the same api id in another catalog is another API
      const cat2 = newId();
      await send(fn('createCatalog', 2)(cat2, '', ''));
      await send(fn('publishApi', 2)(cat2, api, SCHEMA, ''));
      assert.deepEqual(await apiOf(cat2, api), { published: await latest(), schema: SCHEMA, meta: '' });
      assert.deepEqual(await apiOf(cat, api), { published: block, schema: SCHEMA, meta: META });
    });

    it('a VERIFIED owner may publish (the original allowed ACTIVE only, docs/protocol.md#chain-defect-16)', async () => {
      const cat = newId();
      await send(fn('createCatalog', 3)(cat, '', ''));
      const api = newId();
      await send(fn('publishApi', 3)(cat, api, SCHEMA, META));
      assert.equal((await apiOf(cat, api)).schema, SCHEMA);
    });

    it('reverts with SENDER_NOT_A_MEMBER, NO_SUCH_CATALOG, SENDER_IS_NOT_OWNER, API_ALREADY_EXISTS', async () => {
      const cat = newId();
      await send(fn('createCatalog', 1)(cat, '', ''));
      await expectRevert(fn('publishApi', 10)(cat, newId(), SCHEMA, META), R.notMember);
      await expectRevert(fn('publishApi', 1)(newId(), newId(), SCHEMA, META), R.noSuchCatalog);
      await expectRevert(fn('publishApi', 2)(cat, newId(), SCHEMA, META), R.notOwner);
      const api = newId();
      await send(fn('publishApi', 1)(cat, api, SCHEMA, META));
      await expectRevert(fn('publishApi', 1)(cat, api, SCHEMA, META), R.apiExists);
      await expectRevert(fn('publishApi', 1)(cat, api, '', ''), R.apiExists);
      // an owner who retired can no longer publish
      const cat4 = newId();
      await send(fn('createCatalog', 8)(cat4, '', ''));
      await send(net('unregisterMember', 8)());
      await expectRevert(fn('publishApi', 8)(cat4, newId(), SCHEMA, META), R.notMember);
    });
  });

  describe('publishApiFor (EIP712ApiPublish)', () => {
    let cat5: string;
    before(async () => {
      cat5 = newId();
      await send(fn('createCatalog', 5)(cat5, TERMS, META));
    });

    it('a client-type (`string schema`) signature from schema/eip712 is accepted; replay is rejected (docs/protocol.md#chain-defect-3)', async () => {
      const published = await latest();
      const api = newId();
      const signature = signPublish(5, published, cat5, api);
      const theirs = await w(5).signTypedData(
        { name: 'XBR', version: '1' },
        { EIP712ApiPublish: [...XBR_TYPES.EIP712ApiPublish] },
        { chainId: chain.chainId, verifyingContract: networkAddress, member: w(5).address, published, catalogId: cat5, apiId: api, schema: SCHEMA, meta: META },
      );
      assert.equal(signature, theirs);
      const r = await send(fn('publishApiFor', 9)(w(5).address, published, cat5, api, SCHEMA, META, signature));
      reportGas('publishApiFor (CIDs)', r);
      assert.deepEqual(events(r), [['ApiPublished', cat5, api, published, SCHEMA, META]]);
      assert.deepEqual(await apiOf(cat5, api), { published, schema: SCHEMA, meta: META });
      await expectRevert(fn('publishApiFor', 9)(w(5).address, published, cat5, api, SCHEMA, META, signature), R.apiExists);
    });

    it('the original\'s `string terms` digest is rejected (INVALID_API_PUBLISH_SIGNATURE)', async () => {
      const published = await latest();
      const api = newId();
      const original = hexlify(signDigest(hashApiPublishOnChain(publishMessage(5, published, cat5, api)), getBytes(w(5).privateKey)));
      await expectRevert(fn('publishApiFor', 9)(w(5).address, published, cat5, api, SCHEMA, META, original), R.invalidPublishSignature);
    });

    it('a signature by another key or over other values reverts with INVALID_API_PUBLISH_SIGNATURE / INVALID_SIGNATURE_LENGTH', async () => {
      const published = await latest();
      const api = newId();
      const good = signPublish(5, published, cat5, api);
      const bad = (args: readonly unknown[]) => expectRevert(fn('publishApiFor', 9)(...args), R.invalidPublishSignature);
      await bad([w(5).address, published, cat5, api, SCHEMA, META, signPublish(6, published, cat5, api, { member: w(5).address })]);
      await bad([w(6).address, published, cat5, api, SCHEMA, META, good]);
      await bad([w(5).address, published - 1n, cat5, api, SCHEMA, META, good]);
      await bad([w(5).address, published, newId(), api, SCHEMA, META, good]);
      await bad([w(5).address, published, cat5, newId(), SCHEMA, META, good]);
      await bad([w(5).address, published, cat5, api, 'QmOther', META, good]);
      await bad([w(5).address, published, cat5, api, SCHEMA, '', good]);
      await bad([w(5).address, published, cat5, api, SCHEMA, META, signPublish(5, published, cat5, api, { chainId: 1n })]);
      await bad([w(5).address, published, cat5, api, SCHEMA, META, signPublish(5, published, cat5, api, { verifyingContract: catalogAddress })]);
      await bad([ZeroAddress, published, cat5, api, SCHEMA, META, new Uint8Array(65)]);
      await bad([w(5).address, published, cat5, api, SCHEMA, META, highS(good)]);
      await expectRevert(fn('publishApiFor', 9)(w(5).address, published, cat5, api, SCHEMA, META, getBytes(good).subarray(0, 64)), R.invalidSignatureLength);
      await send(fn('publishApiFor', 9)(w(5).address, published, cat5, api, SCHEMA, META, good));
    });

    it('valid signatures still fail on SENDER_NOT_A_MEMBER, NO_SUCH_CATALOG, SENDER_IS_NOT_OWNER', async () => {
      const published = await latest();
      const api = newId();
      await expectRevert(fn('publishApiFor', 9)(w(10).address, published, cat5, api, SCHEMA, META, signPublish(10, published, cat5, api)), R.notMember);
      const none = newId();
      await expectRevert(fn('publishApiFor', 9)(w(5).address, published, none, api, SCHEMA, META, signPublish(5, published, none, api)), R.noSuchCatalog);
      await expectRevert(fn('publishApiFor', 9)(w(6).address, published, cat5, api, SCHEMA, META, signPublish(6, published, cat5, api)), R.notOwner);
    });
  });

  describe('pre-signed window (PRESIGNED_TXN_MAX_AGE = 1440, as the network; the original: 5 blocks)', () => {
    it('the signed block must be within 1440 blocks and not in the future', async () => {
      const cat = newId();
      await send(fn('createCatalog', 6)(cat, '', ''));
      await chain.eip1193.request({ method: 'hardhat_mine', params: ['0x' + (2n * MAX_AGE).toString(16)] });
      const next = (await latest()) + 1n; // the block the next transaction is mined in
      const create = (created: bigint, id = newId()) =>
        fn('createCatalogFor', 9)(w(6).address, created, id, TERMS, META, signCreate(6, created, id));
      const publish = (published: bigint, api = newId()) =>
        fn('publishApiFor', 9)(w(6).address, published, cat, api, SCHEMA, META, signPublish(6, published, cat, api));
      await expectRevert(create(next + 1n), R.invalidCreateBlock);
      await expectRevert(create(next - MAX_AGE - 1n), R.invalidCreateBlock);
      await expectRevert(create(0n), R.invalidCreateBlock);
      await expectRevert(publish(next + 1n), R.invalidPublishBlock);
      await expectRevert(publish(next - MAX_AGE - 1n), R.invalidPublishBlock);
      await expectRevert(publish(0n), R.invalidPublishBlock);
      await send(create((await latest()) + 1n - MAX_AGE)); // oldest allowed
      await send(create((await latest()) + 1n)); // the block it is mined in
      await send(publish((await latest()) + 1n - MAX_AGE));
      await send(publish((await latest()) + 1n));
    });
  });
});
