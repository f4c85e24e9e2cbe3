/** Gas limit (estimate plus a safety margin) and fee look-up for the sender. */
import type { Provider } from 'ethers';
import { errorText, transactionFailed } from './errors.js';
import type { FeeOverride } from './types.js';

/**
 * The node's gas estimate for `tx` plus `marginPercent` percent. A revert during estimation is
 * `xbr.error.transaction_failed` with `stage: 'estimate'` (and the revert `reason` when decoded).
 * @example const gasLimit = await estimateGasLimit(provider, { from, to, data, value: 0n }, 20);
 */
export async function estimateGasLimit(
  provider: Provider,
  tx: { from: string; to: string; data: string; value: bigint },
  marginPercent: number,
): Promise<bigint> {
  let estimate: bigint;
  try {
    estimate = await provider.estimateGas(tx);
  } catch (err) {
    const reason = (err as { reason?: unknown }).reason;
    throw transactionFailed(`gas estimation failed: ${errorText(err)}`, { stage: 'estimate', to: tx.to, ...(typeof reason === 'string' ? { reason } : {}) }, err);
  }
  return (estimate * BigInt(100 + marginPercent)) / 100n;
}

/**
 * EIP-1559 fees from the node (`getFeeData()`), or a legacy gas price when the chain has no base fee.
 * @example const fees = await lookupFees(provider); // { maxFeePerGas, maxPriorityFeePerGas }
 */
export async function lookupFees(provider: Provider): Promise<FeeOverride> {
  try {
    const f = await provider.getFeeData();
    if (f.maxFeePerGas !== null && f.maxPriorityFeePerGas !== null) return { maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas };
    if (f.gasPrice !== null) return { gasPrice: f.gasPrice };
    throw new Error('node reported no fee data');
  } catch (err) {
    throw transactionFailed(`fee lookup failed: ${errorText(err)}`, { stage: 'fees' }, err);
  }
}
