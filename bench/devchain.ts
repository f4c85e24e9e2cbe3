/**
 * The `devchain` bench part: the persistent dev chain's journal (`contracts/devchain-persist.ts`).
 * - `devchain.journal_write`: XBR token transfers (signed locally, `eth_sendRawTransaction`, one block each)
 *   through the journaling provider, each journaled and fdatasynced before its answer;
 * - `devchain.replay`: a restart replaying that journal (entries/s), and the time a 10,000-transaction journal
 *   takes at that rate beside the bound of 30 s (the controller's default startup_timeout is 60 s).
 * `BENCH_DEVCHAIN_TXS=<n>` sets the number of transactions (default 10,000; `--quick` 1,000).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Wallet, type HDNodeWallet } from 'ethers';
import { xbrTokenAbi, xbrTokenBytecode } from '../contracts/build/index.js';
import { deployContract, startDevchain } from '../contracts/devchain.js';
import { JOURNAL_FILE } from '../contracts/devchain-journal.js';
import { describe, figure, positiveIntFromEnv, ratio, type BenchContext } from './util.js';

/** The replay time of 10,000 transactions that is still fine for a start (see the module comment). */
const REPLAY_10K_BOUND_S = 30;

export async function runDevchainBench(ctx: BenchContext): Promise<boolean> {
  const txs = positiveIntFromEnv('BENCH_DEVCHAIN_TXS', ctx.quick ? 1_000 : 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'xbr-bench-devchain-'));
  const state = join(dir, 'state');
  try {
    let chain = await startDevchain({ state });
    let tokenAddress: string;
    let headHash: string;
    try {
      const token = await deployContract(chain.wallets[0]!, xbrTokenAbi, xbrTokenBytecode);
      tokenAddress = await token.getAddress();
      // senders: accounts 1..8, funded with XBR; each signs its own transfers with explicit nonces
      const senders = chain.wallets.slice(1, 9) as HDNodeWallet[];
      for (const s of senders) await (await (token.connect(chain.wallets[0]!) as Contract).getFunction('transfer')(s.address, 10n ** 24n)).wait();
      const nonces = await Promise.all(senders.map((s) => chain.provider.getTransactionCount(s.address)));
      const feeData = await chain.provider.getFeeData();
      const iface = token.interface;
      ctx.log(`devchain: signing ${txs} transfers`);
      const raw: string[] = [];
      for (let i = 0; i < txs; i++) {
        const k = i % senders.length;
        const s = senders[k]!;
        const to = senders[(k + 1) % senders.length]!.address;
        raw.push(
          await new Wallet(s.privateKey).signTransaction({
            type: 2,
            chainId: chain.chainId,
            nonce: nonces[k]!++,
            to: tokenAddress,
            data: iface.encodeFunctionData('transfer', [to, 1n + BigInt(i)]),
            gasLimit: 100_000n,
            maxFeePerGas: (feeData.maxFeePerGas ?? 10n ** 10n) * 4n,
            maxPriorityFeePerGas: feeData.maxPriorityFeePerGas ?? 10n ** 9n,
          }),
        );
      }
      ctx.log(`devchain: sending ${txs} transfers through the journal`);
      const t0 = performance.now();
      for (const tx of raw) await chain.eip1193.request({ method: 'eth_sendRawTransaction', params: [tx] });
      const writeS = (performance.now() - t0) / 1000;
      figure(ctx, 'devchain.journal_write', txs / writeS, 'tx/s');
      headHash = ((await chain.eip1193.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as { hash: string }).hash;
    } finally {
      await chain.stop();
    }
    const bytes = statSync(join(state, JOURNAL_FILE)).size;
    figure(ctx, 'devchain.journal_bytes_per_entry', bytes / (txs + 10), 'B');

    ctx.log('devchain: replaying');
    chain = await startDevchain({ state });
    try {
      const replay = chain.state!.replay!;
      if (replay.head.hash !== headHash) throw new Error('the replay ended at another head');
      const rate = replay.entries / (replay.ms / 1000);
      figure(ctx, 'devchain.replay', rate, 'entries/s');
      const tenK = 10_000 / rate;
      figure(ctx, 'devchain.replay_10k', tenK, 's', 1);
      ctx.out(`devchain.replay_10k/bound ${ratio(tenK, REPLAY_10K_BOUND_S)?.toFixed(2) ?? 'n/a'} (bound ${REPLAY_10K_BOUND_S} s)`);
      // the replayed chain serves: the token is there
      const token = new Contract(tokenAddress, xbrTokenAbi, chain.provider);
      await token.getFunction('totalSupply')();
    } finally {
      await chain.stop();
    }
    return true;
  } catch (err) {
    ctx.out(`# ERROR devchain: ${describe(err)}`);
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Signing and sending 10,000 transfers and replaying them: well under 10 minutes on 2 cores. */
export function devchainBudgetMs(quick: boolean): number {
  return quick ? 120_000 : 900_000;
}
