/**
 * Shared setup of the contract tests (network, catalog, market, channel): accounts of the in-process dev
 * chain, sending and awaiting transactions, parsing a contract's events, revert and gas checks, the
 * malleable twin of a signature and 16-byte ids.
 */
import assert from 'node:assert/strict';
import {
  Signature,
  getBytes,
  type BaseContract,
  type ContractTransactionResponse,
  type Signer,
  type TransactionReceipt,
  type Wallet,
} from 'ethers';
import type { Devchain } from '../../contracts/devchain.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Asserts that `promise` rejects with the revert reason `reason`. */
export async function expectRevert(promise: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    const e = err as { reason?: unknown; shortMessage?: unknown; message?: unknown };
    assert.equal(e.reason, reason, `expected revert "${reason}", got: ${String(e.shortMessage ?? e.message)}`);
    return true;
  });
}

/**
 * A gas reporter printing the gas used beside the original's figure; with `mustBeat` it asserts the gas is
 * lower than the original's, with `log` it also collects the printed lines.
 */
export function gasReporter(
  originalGas: Record<string, number>,
  opts: { mustBeat?: boolean; log?: string[] } = {},
): (name: string, receipt: TransactionReceipt | null) => void {
  return (name, receipt) => {
    assert.ok(receipt !== null);
    const original = originalGas[name];
    const ratio = original === undefined ? '' : ` (original ${original}, ratio ${(Number(receipt.gasUsed) / original).toFixed(3)})`;
    const line = `gas ${name} ${receipt.gasUsed}${ratio}`;
    opts.log?.push(line);
    console.log(line);
    if (opts.mustBeat === true && original !== undefined) {
      assert.ok(Number(receipt.gasUsed) < original, `${name} must beat the original`);
    }
  };
}

/** Waits for the transaction and asserts it succeeded. */
export const send = async (p: Promise<unknown>): Promise<TransactionReceipt> => {
  const receipt = await (p as Promise<ContractTransactionResponse>).then((tx) => tx.wait());
  assert.ok(receipt !== null && receipt.status === 1);
  return receipt;
};

/** Wallet `w(i)` and signer `s(i)` of the dev chain returned by `chain()` (read lazily, after `before`). */
export function accounts(chain: () => Devchain): { w: (i: number) => Wallet; s: (i: number) => Signer } {
  return {
    w: (i) => {
      const wallet = chain().wallets[i];
      assert.ok(wallet !== undefined);
      return wallet as unknown as Wallet;
    },
    s: (i) => {
      const signer = chain().signers[i];
      assert.ok(signer !== undefined);
      return signer;
    },
  };
}

/** The events of `contract` in `receipt` as [name, ...args]; with `onlyAddress`, logs of other contracts are skipped. */
export function parseEvents(contract: BaseContract, receipt: TransactionReceipt, onlyAddress?: string): unknown[][] {
  return receipt.logs
    .filter((log) => onlyAddress === undefined || log.address === onlyAddress)
    .map((log) => {
      const parsed = contract.interface.parseLog(log);
      assert.ok(parsed !== null);
      return [parsed.name, ...parsed.args] as unknown[];
    });
}

/** The latest block number of the chain. */
export const latestBlock = async (chain: Devchain): Promise<bigint> => BigInt(await chain.provider.getBlockNumber());

/** Mines `n` blocks on the chain. */
export const mineBlocks = async (chain: Devchain, n: bigint): Promise<void> => {
  await chain.eip1193.request({ method: 'hardhat_mine', params: ['0x' + n.toString(16)] });
};

/** The same signature with s → n − s and v flipped (the malleable twin). */
export const highS = (signature: string): Uint8Array => {
  const sig = Signature.from(signature);
  const out = new Uint8Array(65);
  out.set(getBytes(sig.r), 0);
  out.set(getBytes('0x' + (SECP256K1_N - BigInt(sig.s)).toString(16).padStart(64, '0')), 32);
  out[64] = sig.v === 27 ? 28 : 27;
  return out;
};

/** A generator of distinct 16-byte ids: `base` in the top 4 bytes, a counter below. */
export function idFactory(base: bigint): () => string {
  let counter = 0;
  return () => '0x' + (base * 2n ** 96n + BigInt(++counter)).toString(16).padStart(32, '0');
}

/** IPFS CIDs used as EULA, terms and metadata by the contract tests. */
export const EULA = 'QmUEM5UuSUMeET2Zo8YQtDMK74Fr2SJGEyTokSYzT3uD94';
export const TERMS = 'QmcAuALHaH9pxJP9bzo7go8QU9xUraSozBNVynRs81hpqr';
export const META = 'Qmaa4Rw81a3a1VEx4LxB7HADUAXvZFhCoRdBzsMZyZmqHD';
/** PRESIGNED_TXN_MAX_AGE of the contracts (blocks). */
export const MAX_AGE = 1440n;
