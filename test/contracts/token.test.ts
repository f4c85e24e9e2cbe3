/**
 * XBRToken on the in-process dev chain: ERC-20 happy paths and reverts, and pre-signed approvals
 * (`approveFor` / `burnSignature`, EIP712Approve under the XBRToken domain, docs/protocol.md#eip712-approve) with
 * replay, expiry, relayer, malformed-signature and zero-address checks. Gas is printed, not asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Contract,
  Signature,
  TypedDataEncoder,
  Wallet,
  ZeroAddress,
  getBytes,
  hexlify,
  type BaseContract,
  type Signer,
  type TransactionReceipt,
  type TypedDataDomain,
} from 'ethers';
import { xbrTokenAbi, xbrTokenBytecode } from '../../contracts/build/index.js';
import { deployContract, startDevchain, type Devchain } from '../../contracts/devchain.js';
import { signDigest } from '../../schema/eip712/index.js';
import { expectRevert, send } from './helpers.js';

const SUPPLY = 10n ** 27n;
const XBR = 10n ** 18n;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const APPROVE_TYPES = {
  EIP712Approve: [
    { name: 'sender', type: 'address' },
    { name: 'relayer', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'expires', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
  ],
};

interface Approve {
  sender: string;
  relayer: string;
  spender: string;
  amount: bigint;
  expires: bigint;
  nonce: bigint;
}

/** Revert reasons used by XBRToken (docs/protocol.md#xbr-token for the approveFor ones; OpenZeppelin 3.x for ERC-20). */
const R = {
  exceedsBalance: 'ERC20: transfer amount exceeds balance',
  exceedsAllowance: 'ERC20: transfer amount exceeds allowance',
  transferFromZero: 'ERC20: transfer from the zero address',
  transferToZero: 'ERC20: transfer to the zero address',
  approveToZero: 'ERC20: approve to the zero address',
  decreasedBelowZero: 'ERC20: decreased allowance below zero',
  invalidSignature: 'INVALID_SIGNATURE',
  invalidSignatureLength: 'INVALID_SIGNATURE_LENGTH',
  invalidRelayer: 'INVALID_RELAYER',
  expired: 'SIGNATURE_EXPIRED',
  reused: 'SIGNATURE_REUSED',
  invalidSender: 'INVALID_SENDER',
} as const;

/** Gas figures of the original XBRToken (notes/original-gas.md, shanghai = cancun). */
const ORIGINAL_GAS: Record<string, number> = {
  'deploy XBRToken': 1_266_447,
  'transfer (to 0-balance)': 51_847,
  'transfer (to >0)': 34_747,
  'approve (0 → >0)': 46_344,
  'approve (>0 → >0)': 29_244,
  'transferFrom (partial, to 0-balance)': 59_832,
};

function reportGas(name: string, receipt: TransactionReceipt | null): void {
  assert.ok(receipt !== null);
  const original = ORIGINAL_GAS[name];
  const ratio = original === undefined ? '' : ` (original ${original}, ratio ${(Number(receipt.gasUsed) / original).toFixed(3)})`;
  console.log(`gas ${name} ${receipt.gasUsed}${ratio}`);
}

describe('XBRToken', () => {
  let chain: Devchain;
  let token: BaseContract;
  let address: string;
  let deployer: Signer;
  let domain: TypedDataDomain;

  /** The token's function `name`, sent from `from` (default: the deployer). */
  const fn = (name: string, from?: Signer) => (from === undefined ? token : token.connect(from)).getFunction(name);
  const events = (receipt: TransactionReceipt) =>
    receipt.logs.map((log) => {
      const parsed = token.interface.parseLog(log);
      assert.ok(parsed !== null);
      return { name: parsed.name, args: [...parsed.args] as unknown[] };
    });
  const sig65 = async (wallet: Wallet | Signer, msg: Approve, d: TypedDataDomain = domain): Promise<string> =>
    (wallet as Wallet).signTypedData(d, APPROVE_TYPES, msg);
  const approveForArgs = (msg: Approve, signature: string | Uint8Array) =>
    [msg.sender, msg.relayer, msg.spender, msg.amount, msg.expires, msg.nonce, signature] as const;
  const w = (i: number): Wallet => {
    const wallet = chain.wallets[i];
    assert.ok(wallet !== undefined);
    return wallet as unknown as Wallet;
  };
  const s = (i: number): Signer => {
    const signer = chain.signers[i];
    assert.ok(signer !== undefined);
    return signer;
  };
  let nonce = 1000n;
  const approval = (over: Partial<Approve> = {}): Approve => ({
    sender: w(1).address,
    relayer: ZeroAddress,
    spender: w(2).address,
    amount: 123n * XBR,
    expires: 0n,
    nonce: nonce++,
    ...over,
  });

  before(async () => {
    chain = await startDevchain();
    deployer = s(0);
    token = await deployContract(deployer, xbrTokenAbi, xbrTokenBytecode);
    address = await token.getAddress();
    domain = { name: 'XBRToken', version: '1', chainId: chain.chainId, verifyingContract: address };
    reportGas('deploy XBRToken', await token.deploymentTransaction()?.wait() ?? null);
  });

  after(async () => {
    await chain?.stop();
  });

  describe('ERC-20', () => {
    it('has name, symbol, decimals and the fixed supply, all minted to the deployer', async () => {
      assert.equal(await fn('name')(), 'XBRToken');
      assert.equal(await fn('symbol')(), 'XBR');
      assert.equal(await fn('decimals')(), 18n);
      assert.equal(await fn('totalSupply')(), SUPPLY);
      assert.equal(await fn('balanceOf')(await deployer.getAddress()), SUPPLY);
      const receipt = await token.deploymentTransaction()?.wait();
      assert.ok(receipt);
      assert.deepEqual(events(receipt), [{ name: 'Transfer', args: [ZeroAddress, await deployer.getAddress(), SUPPLY] }]);
    });

    it('transfer moves tokens and emits Transfer', async () => {
      const to = w(5).address;
      const r1 = await send(fn('transfer')(to, 10n * XBR));
      reportGas('transfer (to 0-balance)', r1);
      assert.deepEqual(events(r1), [{ name: 'Transfer', args: [await deployer.getAddress(), to, 10n * XBR] }]);
      reportGas('transfer (to >0)', await send(fn('transfer')(to, 5n * XBR)));
      assert.equal(await fn('balanceOf')(to), 15n * XBR);
      assert.equal(await fn('balanceOf')(await deployer.getAddress()), SUPPLY - 15n * XBR);
      // zero-value transfers are valid ERC-20 transfers
      await send(fn('transfer', s(5))(w(6).address, 0n));
      assert.equal(await fn('transfer').staticCall(to, 0n), true);
    });

    it('transfer reverts on insufficient balance and to the zero address', async () => {
      await expectRevert(fn('transfer', s(7))(w(8).address, 1n), R.exceedsBalance);
      await expectRevert(fn('transfer')(ZeroAddress, 1n), R.transferToZero);
    });

    it('approve sets the allowance and emits Approval; increase/decreaseAllowance adjust it', async () => {
      const owner = await deployer.getAddress();
      const spender = w(9).address;
      const r1 = await send(fn('approve')(spender, 100n * XBR));
      reportGas('approve (0 → >0)', r1);
      assert.deepEqual(events(r1), [{ name: 'Approval', args: [owner, spender, 100n * XBR] }]);
      reportGas('approve (>0 → >0)', await send(fn('approve')(spender, 50n * XBR)));
      assert.equal(await fn('allowance')(owner, spender), 50n * XBR);
      const r2 = await send(fn('increaseAllowance')(spender, 7n));
      assert.deepEqual(events(r2), [{ name: 'Approval', args: [owner, spender, 50n * XBR + 7n] }]);
      const r3 = await send(fn('decreaseAllowance')(spender, 50n * XBR));
      assert.deepEqual(events(r3), [{ name: 'Approval', args: [owner, spender, 7n] }]);
      assert.equal(await fn('allowance')(owner, spender), 7n);
      await expectRevert(fn('decreaseAllowance')(spender, 8n), R.decreasedBelowZero);
      await expectRevert(fn('approve')(ZeroAddress, 1n), R.approveToZero);
      await send(fn('approve')(spender, 0n));
      assert.equal(await fn('allowance')(owner, spender), 0n);
    });

    it('transferFrom spends the allowance', async () => {
      const owner = await deployer.getAddress();
      const spender = s(10);
      const to = w(11).address;
      await send(fn('approve')(w(10).address, 100n * XBR));
      const r = await send(fn('transferFrom', spender)(owner, to, 40n * XBR));
      reportGas('transferFrom (partial, to 0-balance)', r);
      assert.deepEqual(events(r), [{ name: 'Transfer', args: [owner, to, 40n * XBR] }]);
      assert.equal(await fn('allowance')(owner, w(10).address), 60n * XBR);
      assert.equal(await fn('balanceOf')(to), 40n * XBR);
      await expectRevert(fn('transferFrom', spender)(owner, to, 60n * XBR + 1n), R.exceedsAllowance);
      await expectRevert(fn('transferFrom', spender)(owner, ZeroAddress, 1n), R.transferToZero);
      await expectRevert(fn('transferFrom', spender)(ZeroAddress, to, 0n), R.transferFromZero);
      // balance is checked before the allowance (OpenZeppelin 3.x order)
      await send(fn('approve', s(11))(w(10).address, 1000n * XBR));
      await expectRevert(fn('transferFrom', spender)(to, owner, 41n * XBR), R.exceedsBalance);
      // no allowance at all
      await expectRevert(fn('transferFrom', s(12))(owner, to, 1n), R.exceedsAllowance);
    });

    it('an allowance of 2^256-1 is not decreased by transferFrom', async () => {
      const owner = await deployer.getAddress();
      const max = 2n ** 256n - 1n;
      await send(fn('approve')(w(12).address, max));
      await send(fn('transferFrom', s(12))(owner, w(13).address, 3n));
      assert.equal(await fn('allowance')(owner, w(12).address), max);
    });

    it('increaseAllowance past 2^256-1 reverts (checked arithmetic)', async () => {
      await send(fn('approve')(w(14).address, 2n ** 256n - 1n));
      await assert.rejects(fn('increaseAllowance')(w(14).address, 1n));
    });
  });

  describe('approveFor (EIP712Approve, domain XBRToken/1/chainId/token)', () => {
    it('domain separator and digest equal ethers TypedDataEncoder (standard EIP-712)', async () => {
      assert.equal(await fn('DOMAIN_SEPARATOR')(), TypedDataEncoder.hashDomain(domain));
      const msg = approval({ relayer: w(3).address, expires: 77n });
      assert.equal(
        await fn('approveDigest')(msg.sender, msg.relayer, msg.spender, msg.amount, msg.expires, msg.nonce),
        TypedDataEncoder.hash(domain, APPROVE_TYPES, msg),
      );
    });

    it('a valid signature relayed by anyone sets the allowance and emits Approval', async () => {
      const msg = approval();
      const signature = await sig65(w(1), msg);
      // our native signer produces the same deterministic signature over the same digest
      const digest = TypedDataEncoder.hash(domain, APPROVE_TYPES, msg);
      assert.equal(hexlify(signDigest(getBytes(digest), getBytes(w(1).privateKey))), signature);
      const r = await send(fn('approveFor', s(4))(...approveForArgs(msg, signature)));
      reportGas('approveFor (relayed, allowance 0 → >0)', r);
      assert.deepEqual(events(r), [{ name: 'Approval', args: [msg.sender, msg.spender, msg.amount] }]);
      assert.equal(await fn('allowance')(msg.sender, msg.spender), msg.amount);
      assert.equal(await fn('burnedSignatures')(digest), 1n);
      const other = approval();
      assert.equal(await fn('approveFor', s(4)).staticCall(...approveForArgs(other, await sig65(w(1), other))), true);
      // the approved spender can spend after funding
      await send(fn('transfer')(msg.sender, 200n * XBR));
      await send(fn('transferFrom', s(2))(msg.sender, w(15).address, msg.amount));
      assert.equal(await fn('allowance')(msg.sender, msg.spender), 0n);
    });

    it('a replayed signature reverts with SIGNATURE_REUSED', async () => {
      const msg = approval();
      const signature = await sig65(w(1), msg);
      await send(fn('approveFor', s(4))(...approveForArgs(msg, signature)));
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, signature)), R.reused);
      await expectRevert(fn('approveFor', s(5))(...approveForArgs(msg, signature)), R.reused);
      // the same approval with v as 0/1 hashes to the same digest: still a replay
      const sig = getBytes(signature);
      sig[64] = sig[64]! - 27;
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, sig)), R.reused);
    });

    it('expires is a block number: at or past it the signature is rejected with SIGNATURE_EXPIRED', async () => {
      const next = BigInt(await chain.provider.getBlockNumber()) + 1n; // block the tx will be mined in
      const expired = approval({ expires: next });
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(expired, await sig65(w(1), expired))), R.expired);
      const old = approval({ expires: 1n });
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(old, await sig65(w(1), old))), R.expired);
      const valid = approval({ expires: next + 1n });
      await send(fn('approveFor', s(4))(...approveForArgs(valid, await sig65(w(1), valid))));
      assert.equal(await fn('allowance')(valid.sender, valid.spender), valid.amount);
    });

    it('a signature by another key, or over other values, reverts with INVALID_SIGNATURE', async () => {
      const msg = approval();
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, await sig65(w(3), msg))), R.invalidSignature);
      const signature = await sig65(w(1), msg);
      await expectRevert(fn('approveFor', s(4))(...approveForArgs({ ...msg, amount: msg.amount + 1n }, signature)), R.invalidSignature);
      await expectRevert(fn('approveFor', s(4))(...approveForArgs({ ...msg, spender: w(4).address }, signature)), R.invalidSignature);
      await expectRevert(fn('approveFor', s(4))(...approveForArgs({ ...msg, sender: w(3).address }, signature)), R.invalidSignature);
    });

    it('the original domain (chainId 1 hard-coded) is not accepted on another chain (docs/protocol.md#chain-defect-20)', async () => {
      const msg = approval();
      const signature = await sig65(w(1), msg, { ...domain, chainId: 1n });
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, signature)), R.invalidSignature);
    });

    it('signatures recovering to the zero address never pass, also with sender = 0x0', async () => {
      const zero = approval({ sender: ZeroAddress });
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(zero, new Uint8Array(65))), R.invalidSignature);
      const v27 = new Uint8Array(65);
      v27[64] = 27;
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(zero, v27)), R.invalidSignature);
      // r = 1 is no valid x coordinate... ecrecover fails → 0
      const bad = new Uint8Array(65);
      bad[31] = 5;
      bad[63] = 1;
      bad[64] = 28;
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(zero, bad)), R.invalidSignature);
      await expectRevert(fn('burnSignature', s(4))(...approveForArgs(zero, new Uint8Array(65))), R.invalidSignature);
    });

    it('rejects high-s (malleable) signatures and v outside 27/28 (0/1 are accepted as 27/28)', async () => {
      const msg = approval();
      const sig = Signature.from(await sig65(w(1), msg));
      const highS = new Uint8Array(65);
      highS.set(getBytes(sig.r), 0);
      highS.set(getBytes('0x' + (SECP256K1_N - BigInt(sig.s)).toString(16).padStart(64, '0')), 32);
      highS[64] = sig.v === 27 ? 28 : 27;
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, highS)), R.invalidSignature);
      const badV = getBytes(sig.serialized);
      badV[64] = 29;
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, badV)), R.invalidSignature);
      const v01 = getBytes(sig.serialized);
      v01[64] = sig.v - 27;
      await send(fn('approveFor', s(4))(...approveForArgs(msg, v01)));
      assert.equal(await fn('allowance')(msg.sender, msg.spender), msg.amount);
    });

    it('a signature that is not 65 bytes reverts with INVALID_SIGNATURE_LENGTH', async () => {
      const msg = approval();
      const sig = getBytes(await sig65(w(1), msg));
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, sig.subarray(0, 64))), R.invalidSignatureLength);
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, new Uint8Array([...sig, 0]))), R.invalidSignatureLength);
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, '0x')), R.invalidSignatureLength);
    });

    it('an EOA relayer must submit itself, else INVALID_RELAYER', async () => {
      const msg = approval({ relayer: w(6).address });
      const signature = await sig65(w(1), msg);
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, signature)), R.invalidRelayer);
      await expectRevert(fn('approveFor', s(1))(...approveForArgs(msg, signature)), R.invalidRelayer);
      const r = await send(fn('approveFor', s(6))(...approveForArgs(msg, signature)));
      reportGas('approveFor (EOA relayer)', r);
      assert.equal(await fn('allowance')(msg.sender, msg.spender), msg.amount);
    });

    it("a contract relayer delegates to its getRelayAuthority(); a contract without it rejects", async () => {
      // runtime code answering every call with the 32-byte word of w(7)'s address
      const relay = '0x00000000000000000000000000000000000e1a70';
      const code = '0x73' + w(7).address.slice(2).toLowerCase() + '60005260206000f3';
      await chain.eip1193.request({ method: 'hardhat_setCode', params: [relay, code] });
      const msg = approval({ relayer: relay });
      const signature = await sig65(w(1), msg);
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, signature)), R.invalidRelayer);
      await send(fn('approveFor', s(7))(...approveForArgs(msg, signature)));
      assert.equal(await fn('allowance')(msg.sender, msg.spender), msg.amount);
      // the token itself is a contract without getRelayAuthority()
      const noRelay = approval({ relayer: address });
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(noRelay, await sig65(w(1), noRelay))), R.invalidRelayer);
    });

    it('approving the zero address as spender reverts like approve', async () => {
      const msg = approval({ spender: ZeroAddress });
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, await sig65(w(1), msg))), R.approveToZero);
    });

    it('burnSignature: only the sender burns an unused signature; afterwards approveFor is a replay', async () => {
      const msg = approval();
      const signature = await sig65(w(1), msg);
      await expectRevert(fn('burnSignature', s(4))(...approveForArgs(msg, signature)), R.invalidSender);
      await expectRevert(fn('burnSignature', s(1))(...approveForArgs({ ...msg, amount: 1n }, signature)), R.invalidSignature);
      const before = await fn('allowance')(msg.sender, msg.spender);
      const r = await send(fn('burnSignature', s(1))(...approveForArgs(msg, signature)));
      assert.deepEqual(events(r), []);
      assert.equal(await fn('burnedSignatures')(TypedDataEncoder.hash(domain, APPROVE_TYPES, msg)), 2n);
      await expectRevert(fn('approveFor', s(4))(...approveForArgs(msg, signature)), R.reused);
      await expectRevert(fn('burnSignature', s(1))(...approveForArgs(msg, signature)), R.reused);
      assert.equal(await fn('allowance')(msg.sender, msg.spender), before);
      // a used signature cannot be burned either
      const used = approval();
      const usedSig = await sig65(w(1), used);
      await send(fn('approveFor', s(4))(...approveForArgs(used, usedSig)));
      await expectRevert(fn('burnSignature', s(1))(...approveForArgs(used, usedSig)), R.reused);
    });
  });

  describe('docs/protocol.md#test-vectors token approval vector (original domain, chainId 1)', () => {
    it('reproduces the domain separator, digest and signature', async () => {
      const ganache0 = new Wallet('0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d');
      const d: TypedDataDomain = { name: 'XBRToken', version: '1', chainId: 1, verifyingContract: '0xaCef957D54c639575f4DB68b1992B36504f33FEA' };
      const msg: Approve = {
        sender: ganache0.address,
        relayer: '0x22d491Bde2303f2f43325b2108D26f1eAbA1e32b',
        spender: '0xFFcf8FDEE72ac11b5c542428B35EEF5769C409f0',
        amount: 100000000000000n,
        expires: 0n,
        nonce: 1n,
      };
      assert.equal(TypedDataEncoder.hashDomain(d), '0xb2a1d229870ad7a7b7536b933ba9beedc871535c6b755fe6ecb6051f035e6a0e');
      assert.equal(TypedDataEncoder.hash(d, APPROVE_TYPES, msg), '0xa55f10e5ec0f4d9078a06e59b11ecd4038ee51ee45ca3843d3cf58589288326b');
      assert.equal(
        await ganache0.signTypedData(d, APPROVE_TYPES, msg),
        '0xf021249b31078be3ab1f33c77c8ff8490b958391121328ae19fc853b8016b944365f70507e91424fc5f2663e7b3fbe474a513365e0f3a531b3d1c1638c33f7641c',
      );
      // the typehash the contract uses is the one of this type: its digest matches ethers' on this chain
      const local = { ...msg, sender: w(1).address };
      assert.equal(
        await new Contract(address, xbrTokenAbi, chain.provider).getFunction('approveDigest')(
          local.sender, local.relayer, local.spender, local.amount, local.expires, local.nonce,
        ),
        TypedDataEncoder.hash(domain, APPROVE_TYPES, local),
      );
    });
  });
});
