/**
 * XBRNetwork on the in-process dev chain (docs/protocol.md#xbr-network): constructor state, member registration (direct and
 * pre-signed EIP712MemberRegister signed with our schema/eip712 module), retirement (direct and
 * pre-signed EIP712MemberUnregister), maintainer functions, every revert reason, the pre-signed block
 * window, replay and the docs/protocol.md#chain-defects fixes (zero-address / malleable signatures, setMemberLevel target check).
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
import { xbrNetworkAbi, xbrNetworkBytecode, xbrTokenAbi, xbrTokenBytecode } from '../../contracts/build/index.js';
import { deployContract, startDevchain, type Devchain } from '../../contracts/devchain.js';
import { parseAddress } from '../../schema/codec/index.js';
import { XBR_DOMAIN, XBR_TYPES, hashTypedMessage, sign, xbrDomainSeparator } from '../../schema/eip712/index.js';
import { fromHex, loadVectors, messageFromJson, toHex, type TypedVector } from '../schema/eip712/helpers.js';
import {
  EULA,
  MAX_AGE,
  accounts,
  expectRevert,
  gasReporter,
  highS,
  latestBlock,
  parseEvents,
  send,
} from './helpers.js';

const SUPPLY = 10n ** 27n;
const PROFILE = 'QmQMtxYtLQkirCsVmc3YSTFQWXHkwcASMnu5msezGEwHLT';
const ANYADR = '0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF';
const Level = { NULL: 0n, ACTIVE: 1n, VERIFIED: 2n, RETIRED: 3n, PENALTY: 4n, BLOCKED: 5n } as const;

/** Revert reasons of XBRNetwork (docs/protocol.md#xbr-network; the ones marked "new" are ours, see contracts/README.md). */
const R = {
  alreadyRegistered: 'MEMBER_ALREADY_REGISTERED',
  invalidEula: 'INVALID_EULA',
  invalidRegisterSignature: 'INVALID_MEMBER_REGISTER_SIGNATURE',
  invalidRegisteredBlock: 'INVALID_REGISTERED_BLOCK_NUMBER',
  notRegistered: 'MEMBER_NOT_REGISTERED',
  invalidSignature: 'INVALID_SIGNATURE',
  invalidBlock: 'INVALID_BLOCK_NUMBER',
  noSuchMember: 'NO_SUCH_MEMBER',
  invalidContribution: 'INVALID_CONTRIBUTION',
  invalidSignatureLength: 'INVALID_SIGNATURE_LENGTH', // XBRTypes (docs/protocol.md#contract-signatures)
  notMaintainer: 'NOT_MAINTAINER', // XBRMaintained (the original reverted without a reason)
  reused: 'SIGNATURE_REUSED', // new: unregisterMemberFor replay
  invalidLevel: 'INVALID_MEMBER_LEVEL', // new: setMemberLevel(…, NULL)
  invalidToken: 'INVALID_TOKEN', // new: zero token
  invalidOrganization: 'INVALID_ORGANIZATION', // new: zero organization
} as const;

/** Gas figures of the original XBRNetwork (notes/original-gas.md, shanghai = cancun). */
const ORIGINAL_GAS: Record<string, number> = {
  'deploy XBRNetwork': 2_141_280,
  'registerMember (profile CID)': 217_384,
  'registerMember (profile "")': 151_580,
  'registerMemberFor (profile CID)': 324_378,
  'registerMemberFor (profile "")': 258_369,
};

const reportGas = gasReporter(ORIGINAL_GAS);

describe('XBRNetwork', () => {
  let chain: Devchain;
  let token: BaseContract;
  let network: BaseContract;
  let address: string;
  let tokenAddress: string;
  let deployBlock: bigint;

  const { w, s } = accounts(() => chain);
  /** The network's function `name`, sent from account `from` (default 0, the deployer). */
  const fn = (name: string, from = 0) => network.connect(s(from)).getFunction(name);
  const events = (receipt: TransactionReceipt) => parseEvents(network, receipt);
  const latest = (): Promise<bigint> => latestBlock(chain);
  const member = async (a: string) => {
    const [registered, eula, profile, level, signature] = (await fn('members')(a)) as [bigint, string, string, bigint, string];
    return { registered, eula, profile, level, signature };
  };

  /** EIP712MemberRegister signed by wallet `i` with our schema/eip712 module. */
  const signRegister = async (i: number, registered: bigint, over: { eula?: string; profile?: string; chainId?: bigint; verifyingContract?: string; member?: string } = {}) =>
    hexlify(
      sign(
        'EIP712MemberRegister',
        {
          chainId: over.chainId ?? (await fn('verifyingChain')()),
          verifyingContract: parseAddress(over.verifyingContract ?? address),
          member: parseAddress(over.member ?? w(i).address),
          registered,
          eula: over.eula ?? EULA,
          profile: over.profile ?? PROFILE,
        },
        getBytes(w(i).privateKey),
      ),
    );
  const signUnregister = async (i: number, retired: bigint, over: { chainId?: bigint; member?: string } = {}) =>
    hexlify(
      sign(
        'EIP712MemberUnregister',
        {
          chainId: over.chainId ?? chain.chainId,
          verifyingContract: parseAddress(address),
          member: parseAddress(over.member ?? w(i).address),
          retired,
        },
        getBytes(w(i).privateKey),
      ),
    );

  before(async () => {
    chain = await startDevchain();
    token = await deployContract(s(0), xbrTokenAbi, xbrTokenBytecode);
    tokenAddress = await token.getAddress();
    network = await deployContract(s(0), xbrNetworkAbi, xbrNetworkBytecode, tokenAddress, w(0).address);
    address = await network.getAddress();
    const receipt = (await network.deploymentTransaction()?.wait()) ?? null;
    reportGas('deploy XBRNetwork', receipt);
    assert.ok(receipt !== null);
    deployBlock = BigInt(receipt.blockNumber);
  });

  after(async () => {
    await chain?.stop();
  });

  describe('constructor and constants', () => {
    it('sets the constants, token, organization, contribution, the ANYADR coin and the deployer as VERIFIED', async () => {
      assert.equal(await fn('ANYADR')(), ANYADR);
      assert.equal(await fn('PRESIGNED_TXN_MAX_AGE')(), MAX_AGE);
      assert.equal(await fn('verifyingChain')(), chain.chainId);
      assert.equal(await fn('verifyingContract')(), address);
      assert.equal(await fn('eula')(), EULA);
      assert.equal(await fn('contribution')(), (SUPPLY * 30n) / 100n);
      assert.equal(await fn('contribution')(), 300000000000000000000000000n);
      assert.equal(await fn('token')(), tokenAddress);
      assert.equal(await fn('organization')(), w(0).address);
      assert.equal(await fn('coins')(tokenAddress, ANYADR), true);
      assert.equal(await fn('coins')(tokenAddress, w(1).address), false);
      assert.equal(await fn('isMaintainer')(w(0).address), true);
      // the deployer's `registered` is a block number like everybody else's (docs/protocol.md#chain-defect-21)
      assert.deepEqual(await member(w(0).address), { registered: deployBlock, eula: EULA, profile: '', level: Level.VERIFIED, signature: '0x' });
      assert.deepEqual(await member(w(1).address), { registered: 0n, eula: '', profile: '', level: Level.NULL, signature: '0x' });
      const receipt = await network.deploymentTransaction()?.wait();
      assert.ok(receipt);
      assert.deepEqual(events(receipt), [
        ['MaintainerAdded', w(0).address],
        ['CoinChanged', tokenAddress, ANYADR, true],
        ['MemberRegistered', w(0).address, deployBlock, '', '', Level.VERIFIED],
      ]);
    });

    it('rejects a zero token (INVALID_TOKEN) or organization (INVALID_ORGANIZATION)', async () => {
      await expectRevert(deployContract(s(0), xbrNetworkAbi, xbrNetworkBytecode, ZeroAddress, w(0).address), R.invalidToken);
      await expectRevert(deployContract(s(0), xbrNetworkAbi, xbrNetworkBytecode, tokenAddress, ZeroAddress), R.invalidOrganization);
    });

    it('the on-chain domain is XBR/1 without chainId: our module digest = ethers TypedDataEncoder', async () => {
      assert.deepEqual(XBR_DOMAIN, { name: 'XBR', version: '1' });
      assert.equal(toHex(xbrDomainSeparator()), '0x6929f68fd2da453efae5e9c70a5e5d2d4f8286a9209a4a62641f299ca8ffb0e4');
      const msg = { chainId: chain.chainId, verifyingContract: address, member: w(1).address, registered: 5n, eula: EULA, profile: PROFILE };
      const ours = await signRegister(1, 5n);
      const theirs = await w(1).signTypedData({ name: 'XBR', version: '1' }, { EIP712MemberRegister: [...XBR_TYPES.EIP712MemberRegister] }, msg);
      assert.equal(ours, theirs);
    });

    it('docs/protocol.md#test-vectors MemberRegister / MemberUnregister vectors are reproduced by the module that signs for the chain', () => {
      const all = loadVectors();
      for (const [label, primaryType] of [['MemberRegister', 'EIP712MemberRegister'], ['MemberUnregister', 'EIP712MemberUnregister']] as const) {
        const v = all[label] as TypedVector;
        const msg = messageFromJson(primaryType, v.message);
        assert.equal(toHex(hashTypedMessage(primaryType, msg)), v.digest, label);
        assert.equal(toHex(sign(primaryType, msg, fromHex(v.signerKey))), v.signature, label);
      }
    });
  });

  describe('registerMember', () => {
    it('registers the caller as ACTIVE at the current block; emits MemberRegistered', async () => {
      const r = await send(fn('registerMember', 1)(EULA, PROFILE));
      reportGas('registerMember (profile CID)', r);
      const block = BigInt(r.blockNumber);
      assert.deepEqual(events(r), [['MemberRegistered', w(1).address, block, EULA, PROFILE, Level.ACTIVE]]);
      assert.deepEqual(await member(w(1).address), { registered: block, eula: EULA, profile: PROFILE, level: Level.ACTIVE, signature: '0x' });
      const r2 = await send(fn('registerMember', 2)(EULA, ''));
      reportGas('registerMember (profile "")', r2);
      assert.deepEqual(await member(w(2).address), { registered: BigInt(r2.blockNumber), eula: EULA, profile: '', level: Level.ACTIVE, signature: '0x' });
    });

    it('a registered member cannot register again (MEMBER_ALREADY_REGISTERED); the eula must match (INVALID_EULA)', async () => {
      await expectRevert(fn('registerMember', 1)(EULA, PROFILE), R.alreadyRegistered);
      await expectRevert(fn('registerMember', 0)(EULA, ''), R.alreadyRegistered);
      await expectRevert(fn('registerMember', 3)('QmV1eeDextSdUrRUQp9tUXF8SdvVeykaiwYLgrXHHVyULY', PROFILE), R.invalidEula);
      await expectRevert(fn('registerMember', 3)('', PROFILE), R.invalidEula);
      assert.equal((await member(w(3).address)).level, Level.NULL);
    });
  });

  describe('registerMemberFor (EIP712MemberRegister)', () => {
    it('a signature from schema/eip712 relayed by anyone registers the signer with the signed block number', async () => {
      const registered = await latest();
      const signature = await signRegister(4, registered);
      const r = await send(fn('registerMemberFor', 9)(w(4).address, registered, EULA, PROFILE, signature));
      reportGas('registerMemberFor (profile CID)', r);
      assert.deepEqual(events(r), [['MemberRegistered', w(4).address, registered, EULA, PROFILE, Level.ACTIVE]]);
      assert.deepEqual(await member(w(4).address), { registered, eula: EULA, profile: PROFILE, level: Level.ACTIVE, signature: '0x' });
      assert.equal((await member(w(9).address)).level, Level.NULL);
      const registered5 = await latest();
      const r2 = await send(fn('registerMemberFor', 9)(w(5).address, registered5, EULA, '', await signRegister(5, registered5, { profile: '' })));
      reportGas('registerMemberFor (profile "")', r2);
      assert.deepEqual(await member(w(5).address), { registered: registered5, eula: EULA, profile: '', level: Level.ACTIVE, signature: '0x' });
    });

    it('a replayed registration is rejected (MEMBER_ALREADY_REGISTERED), also after the member retired', async () => {
      const registered = await latest();
      const signature = await signRegister(6, registered);
      const args = [w(6).address, registered, EULA, PROFILE, signature] as const;
      await send(fn('registerMemberFor', 9)(...args));
      await expectRevert(fn('registerMemberFor', 9)(...args), R.alreadyRegistered);
      await expectRevert(fn('registerMemberFor', 6)(...args), R.alreadyRegistered);
      await send(fn('unregisterMember', 6)());
      await expectRevert(fn('registerMemberFor', 9)(...args), R.alreadyRegistered);
      // and a maintainer cannot bring the member back to NULL (which would re-enable the signature)
      await expectRevert(fn('setMemberLevel')(w(6).address, Level.NULL), R.invalidLevel);
    });

    it('a signature by another key or over other values reverts with INVALID_MEMBER_REGISTER_SIGNATURE', async () => {
      const registered = await latest();
      const good = await signRegister(7, registered);
      const bad = (args: readonly unknown[]) => expectRevert(fn('registerMemberFor', 9)(...args), R.invalidRegisterSignature);
      await bad([w(7).address, registered, EULA, PROFILE, await signRegister(8, registered, { member: w(7).address })]);
      await bad([w(7).address, registered, EULA, 'QmOther', good]);
      await bad([w(7).address, registered - 1n, EULA, PROFILE, good]);
      await bad([w(8).address, registered, EULA, PROFILE, good]);
      // chain binding: another chainId or verifyingContract inside the message
      await bad([w(7).address, registered, EULA, PROFILE, await signRegister(7, registered, { chainId: 1n })]);
      await bad([w(7).address, registered, EULA, PROFILE, await signRegister(7, registered, { verifyingContract: tokenAddress })]);
      // the signature of another eula fails the signature check first
      await bad([w(7).address, registered, 'QmWrong', PROFILE, good]);
      await send(fn('registerMemberFor', 9)(w(7).address, registered, EULA, PROFILE, good));
    });

    it('zero-address, malleable (high-s) and bad-v signatures are rejected; v 0/1 is accepted (docs/protocol.md#chain-defect-9)', async () => {
      // the original registered 0x0 from 65 zero bytes
      const registered = await latest();
      await expectRevert(fn('registerMemberFor', 9)(ZeroAddress, registered, EULA, '', new Uint8Array(65)), R.invalidRegisterSignature);
      const v27 = new Uint8Array(65);
      v27[64] = 27;
      await expectRevert(fn('registerMemberFor', 9)(ZeroAddress, registered, EULA, '', v27), R.invalidRegisterSignature);
      assert.equal((await member(ZeroAddress)).level, Level.NULL);
      const signature = await signRegister(10, registered);
      const args = (sig: string | Uint8Array) => [w(10).address, registered, EULA, PROFILE, sig] as const;
      await expectRevert(fn('registerMemberFor', 9)(...args(highS(signature))), R.invalidRegisterSignature);
      const badV = getBytes(signature);
      badV[64] = 29;
      await expectRevert(fn('registerMemberFor', 9)(...args(badV)), R.invalidRegisterSignature);
      const v01 = getBytes(signature);
      v01[64] = v01[64]! - 27;
      await send(fn('registerMemberFor', 9)(...args(v01)));
      assert.equal((await member(w(10).address)).level, Level.ACTIVE);
    });

    it('a signature that is not 65 bytes reverts with INVALID_SIGNATURE_LENGTH', async () => {
      const registered = await latest();
      const sig = getBytes(await signRegister(11, registered));
      const args = (s: Uint8Array | string) => [w(11).address, registered, EULA, PROFILE, s] as const;
      await expectRevert(fn('registerMemberFor', 9)(...args(sig.subarray(0, 64))), R.invalidSignatureLength);
      await expectRevert(fn('registerMemberFor', 9)(...args(new Uint8Array([...sig, 0]))), R.invalidSignatureLength);
      await expectRevert(fn('registerMemberFor', 9)(...args('0x')), R.invalidSignatureLength);
    });

    it('valid signatures still fail on MEMBER_ALREADY_REGISTERED and INVALID_EULA', async () => {
      const registered = await latest();
      await expectRevert(fn('registerMemberFor', 9)(w(1).address, registered, EULA, PROFILE, await signRegister(1, registered)), R.alreadyRegistered);
      const wrong = 'QmV1eeDextSdUrRUQp9tUXF8SdvVeykaiwYLgrXHHVyULY';
      await expectRevert(
        fn('registerMemberFor', 9)(w(11).address, registered, wrong, PROFILE, await signRegister(11, registered, { eula: wrong })),
        R.invalidEula,
      );
    });

    it('while block.number ≤ PRESIGNED_TXN_MAX_AGE every past block passes the window, also 0', async () => {
      assert.ok((await latest()) + 1n <= MAX_AGE);
      await send(fn('registerMemberFor', 9)(w(18).address, 0n, EULA, '', await signRegister(18, 0n, { profile: '' })));
      assert.deepEqual(await member(w(18).address), { registered: 0n, eula: EULA, profile: '', level: Level.ACTIVE, signature: '0x' });
    });

    it('the signed block must be within PRESIGNED_TXN_MAX_AGE blocks and not in the future (INVALID_REGISTERED_BLOCK_NUMBER)', async () => {
      await chain.eip1193.request({ method: 'hardhat_mine', params: ['0x' + (2n * MAX_AGE).toString(16)] });
      const next = (await latest()) + 1n; // the block the transaction is mined in
      const attempt = async (i: number, registered: bigint) =>
        fn('registerMemberFor', 9)(w(i).address, registered, EULA, '', await signRegister(i, registered, { profile: '' }));
      await expectRevert(attempt(11, next + 1n), R.invalidRegisteredBlock);
      await expectRevert(attempt(11, next - MAX_AGE - 1n), R.invalidRegisteredBlock);
      await expectRevert(attempt(11, 1n), R.invalidRegisteredBlock);
      await send(attempt(11, (await latest()) + 1n - MAX_AGE)); // oldest allowed
      await send(attempt(12, (await latest()) + 1n)); // the block it is mined in
      assert.equal((await member(w(11).address)).level, Level.ACTIVE);
      assert.equal((await member(w(12).address)).level, Level.ACTIVE);
    });
  });

  describe('unregisterMember / unregisterMemberFor (EIP712MemberUnregister)', () => {
    it('unregisterMember retires the caller; emits MemberRetired; a second time or a non-member reverts', async () => {
      const r = await send(fn('unregisterMember', 2)());
      assert.deepEqual(events(r), [['MemberRetired', w(2).address, BigInt(r.blockNumber)]]);
      assert.equal((await member(w(2).address)).level, Level.RETIRED);
      await expectRevert(fn('unregisterMember', 2)(), R.notRegistered);
      await expectRevert(fn('unregisterMember', 13)(), R.notRegistered);
    });

    it('unregisterMemberFor retires the signer with the signed block, once (SIGNATURE_REUSED after reactivation)', async () => {
      const retired = await latest();
      const signature = await signUnregister(5, retired);
      const r = await send(fn('unregisterMemberFor', 9)(w(5).address, retired, signature));
      reportGas('unregisterMemberFor', r);
      assert.deepEqual(events(r), [['MemberRetired', w(5).address, retired]]);
      assert.equal((await member(w(5).address)).level, Level.RETIRED);
      await expectRevert(fn('unregisterMemberFor', 9)(w(5).address, retired, signature), R.notRegistered);
      await send(fn('setMemberLevel')(w(5).address, Level.ACTIVE));
      await expectRevert(fn('unregisterMemberFor', 9)(w(5).address, retired, signature), R.reused);
      assert.equal((await member(w(5).address)).level, Level.ACTIVE);
    });

    it('reverts with INVALID_SIGNATURE, INVALID_SIGNATURE_LENGTH, INVALID_BLOCK_NUMBER, MEMBER_NOT_REGISTERED', async () => {
      const retired = await latest();
      const good = await signUnregister(4, retired);
      await expectRevert(fn('unregisterMemberFor', 9)(w(4).address, retired, await signUnregister(8, retired, { member: w(4).address })), R.invalidSignature);
      await expectRevert(fn('unregisterMemberFor', 9)(w(4).address, retired - 1n, good), R.invalidSignature);
      await expectRevert(fn('unregisterMemberFor', 9)(w(4).address, retired, await signUnregister(4, retired, { chainId: 1n })), R.invalidSignature);
      await expectRevert(fn('unregisterMemberFor', 9)(w(4).address, retired, highS(good)), R.invalidSignature);
      await expectRevert(fn('unregisterMemberFor', 9)(ZeroAddress, retired, new Uint8Array(65)), R.invalidSignature);
      await expectRevert(fn('unregisterMemberFor', 9)(w(4).address, retired, getBytes(good).subarray(0, 64)), R.invalidSignatureLength);
      const future = retired + 2n;
      await expectRevert(fn('unregisterMemberFor', 9)(w(4).address, future, await signUnregister(4, future)), R.invalidBlock);
      const old = retired - MAX_AGE;
      await expectRevert(fn('unregisterMemberFor', 9)(w(4).address, old, await signUnregister(4, old)), R.invalidBlock);
      await expectRevert(fn('unregisterMemberFor', 9)(w(13).address, retired, await signUnregister(13, retired)), R.notRegistered);
      assert.equal((await member(w(4).address)).level, Level.ACTIVE);
      await send(fn('unregisterMemberFor', 4)(w(4).address, retired, good));
      assert.equal((await member(w(4).address)).level, Level.RETIRED);
    });
  });

  describe('maintainer functions', () => {
    it('setMemberLevel sets a member level and emits MemberChanged; the target must be a member (docs/protocol.md#chain-defect-12)', async () => {
      const r = await send(fn('setMemberLevel')(w(1).address, Level.VERIFIED));
      assert.deepEqual(events(r), [['MemberChanged', w(1).address, BigInt(r.blockNumber), EULA, PROFILE, Level.VERIFIED]]);
      assert.equal((await member(w(1).address)).level, Level.VERIFIED);
      await expectRevert(fn('setMemberLevel')(w(13).address, Level.ACTIVE), R.noSuchMember);
      await expectRevert(fn('setMemberLevel')(w(1).address, Level.NULL), R.invalidLevel);
      // the caller need not be a member: a maintainer that is not one may act; a member that is no maintainer may not
      await send(fn('addMaintainer')(w(14).address));
      await send(fn('setMemberLevel', 14)(w(1).address, Level.BLOCKED));
      assert.equal((await member(w(1).address)).level, Level.BLOCKED);
      await expectRevert(fn('setMemberLevel', 1)(w(1).address, Level.ACTIVE), R.notMaintainer);
      await expectRevert(fn('unregisterMember', 1)(), R.notRegistered); // BLOCKED cannot retire
      await send(fn('renounceMaintainer', 14)());
      await expectRevert(fn('setMemberLevel', 14)(w(1).address, Level.ACTIVE), R.notMaintainer);
    });

    it('setCoinPayable enables/disables a coin for an operator and emits CoinChanged', async () => {
      const coin = w(15).address;
      await expectRevert(fn('setCoinPayable', 1)(coin, ANYADR, true), R.notMaintainer);
      const r = await send(fn('setCoinPayable')(coin, w(3).address, true));
      assert.deepEqual(events(r), [['CoinChanged', coin, w(3).address, true]]);
      assert.equal(await fn('coins')(coin, w(3).address), true);
      assert.equal(await fn('coins')(coin, ANYADR), false);
      await send(fn('setCoinPayable')(coin, w(3).address, false));
      assert.equal(await fn('coins')(coin, w(3).address), false);
    });

    it('setNetworkToken moves the ANYADR flag to the new token and returns whether it changed', async () => {
      const other = await deployContract(s(0), xbrTokenAbi, xbrTokenBytecode);
      const otherAddress = await other.getAddress();
      await expectRevert(fn('setNetworkToken', 1)(otherAddress), R.notMaintainer);
      await expectRevert(fn('setNetworkToken')(ZeroAddress), R.invalidToken);
      assert.equal(await fn('setNetworkToken').staticCall(tokenAddress), false);
      assert.equal(await fn('setNetworkToken').staticCall(otherAddress), true);
      const r = await send(fn('setNetworkToken')(otherAddress));
      assert.deepEqual(events(r), [
        ['CoinChanged', tokenAddress, ANYADR, false],
        ['CoinChanged', otherAddress, ANYADR, true],
      ]);
      assert.equal(await fn('token')(), otherAddress);
      assert.equal(await fn('coins')(tokenAddress, ANYADR), false);
      assert.equal(await fn('coins')(otherAddress, ANYADR), true);
      await send(fn('setNetworkToken')(tokenAddress));
      assert.equal(await fn('token')(), tokenAddress);
      assert.equal(await fn('coins')(tokenAddress, ANYADR), true);
      assert.equal(await fn('coins')(otherAddress, ANYADR), false);
    });

    it('setNetworkOrganization replaces the organization and returns whether it changed', async () => {
      await expectRevert(fn('setNetworkOrganization', 1)(w(16).address), R.notMaintainer);
      await expectRevert(fn('setNetworkOrganization')(ZeroAddress), R.invalidOrganization);
      assert.equal(await fn('setNetworkOrganization').staticCall(w(0).address), false);
      assert.equal(await fn('setNetworkOrganization').staticCall(w(16).address), true);
      const r = await send(fn('setNetworkOrganization')(w(16).address));
      assert.deepEqual(events(r), []);
      assert.equal(await fn('organization')(), w(16).address);
    });

    it('setContribution accepts at most the token supply (INVALID_CONTRIBUTION) and returns whether it changed', async () => {
      await expectRevert(fn('setContribution', 1)(0n), R.notMaintainer);
      await expectRevert(fn('setContribution')(SUPPLY + 1n), R.invalidContribution);
      assert.equal(await fn('setContribution').staticCall((SUPPLY * 30n) / 100n), false);
      assert.equal(await fn('setContribution').staticCall(SUPPLY), true);
      await send(fn('setContribution')(SUPPLY));
      assert.equal(await fn('contribution')(), SUPPLY);
      await send(fn('setContribution')(0n));
      assert.equal(await fn('contribution')(), 0n);
    });

    it('maintainers are managed through XBRMaintained (docs/protocol.md#chain-defect-8)', async () => {
      await expectRevert(fn('addMaintainer', 1)(w(1).address), R.notMaintainer);
      await send(fn('addMaintainer')(w(17).address));
      assert.equal(await fn('isMaintainer')(w(17).address), true);
      await send(fn('removeMaintainer', 17)(w(0).address));
      assert.equal(await fn('isMaintainer')(w(0).address), false);
      await expectRevert(fn('setContribution')(1n), R.notMaintainer);
      await send(fn('addMaintainer', 17)(w(0).address));
      assert.equal(await fn('maintainerCount')(), 2n);
    });
  });
});
