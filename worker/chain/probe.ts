/**
 * Where a journaled transaction stands on chain: mined (with its receipt), replaced (its nonce was
 * used by another transaction), pending (the node has it), or unknown (the node has never seen it and
 * its nonce is still free).
 */
import type { Provider, TransactionReceipt } from 'ethers';
import type { JournalEntry } from './journal.js';

export type Probe = { kind: 'mined'; receipt: TransactionReceipt } | { kind: 'replaced' } | { kind: 'pending' } | { kind: 'unknown' };

/**
 * Looks `entry` up by hash, then by nonce.
 * @example const p = await probeTransaction(provider, entry); if (p.kind === 'mined') p.receipt.status;
 */
export async function probeTransaction(provider: Provider, entry: Pick<JournalEntry, 'tx_hash' | 'from' | 'nonce'>): Promise<Probe> {
  const receipt = await provider.getTransactionReceipt(entry.tx_hash);
  if (receipt !== null) return { kind: 'mined', receipt };
  const used = await provider.getTransactionCount(entry.from, 'latest');
  if (used > entry.nonce) {
    // It may have been mined between the two calls: look once more before calling it replaced.
    const again = await provider.getTransactionReceipt(entry.tx_hash);
    return again !== null ? { kind: 'mined', receipt: again } : { kind: 'replaced' };
  }
  const tx = await provider.getTransaction(entry.tx_hash);
  return tx !== null ? { kind: 'pending' } : { kind: 'unknown' };
}
