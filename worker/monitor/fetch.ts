/**
 * Reads one block range from the node: the XBR logs, decoded and in chain order, plus the hash of the
 * range's last block (stored with the progress to detect reorgs). Every node failure becomes an
 * {@link RpcFailure} (retried by the monitor).
 */
import type { Log } from 'ethers';
import { decodeXbrEvents, errorText, xbrLogFilter, type DecodedXbrEvent } from '../chain/index.js';
import type { XbrContractAddresses } from '../../schema/index.js';
import { RpcFailure } from './errors.js';
import type { MonitorProvider } from './types.js';

/** Runs one node call; any failure is an {@link RpcFailure} naming `stage`. */
export async function rpc<T>(stage: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new RpcFailure(stage, `${stage}: ${errorText(err)}`, { cause: err });
  }
}

/** The hash of block `n`; a node without that block is a (transient) failure too. */
export async function blockHash(provider: MonitorProvider, n: bigint): Promise<string | null> {
  const block = await rpc('eth_getBlockByNumber', () => provider.getBlock(n));
  return block?.hash ?? null;
}

export interface FetchedRange {
  readonly events: DecodedXbrEvent[];
  /** Hash of block `to`. */
  readonly toHash: string;
}

/** The XBR events of blocks [from, to] sorted by (block, logIndex), and the hash of `to`. */
export async function fetchRange(provider: MonitorProvider, addresses: XbrContractAddresses, from: bigint, to: bigint): Promise<FetchedRange> {
  const logs: Log[] = await rpc('eth_getLogs', () => provider.getLogs({ ...xbrLogFilter(addresses), fromBlock: from, toBlock: to }));
  const toHash = await blockHash(provider, to);
  if (toHash === null) throw new RpcFailure('eth_getBlockByNumber', `eth_getBlockByNumber: the node has no block ${to} yet`);
  const live = logs.filter((l) => !l.removed);
  for (const l of live) {
    // Logs of `to` from another fork than the hash we are about to store: the node reorganized between the calls.
    if (BigInt(l.blockNumber) === to && l.blockHash !== toHash) {
      throw new RpcFailure('eth_getLogs', `eth_getLogs: block ${to} changed between eth_getLogs and eth_getBlockByNumber (reorg in progress)`);
    }
    if (BigInt(l.blockNumber) < from || BigInt(l.blockNumber) > to) {
      throw new RpcFailure('eth_getLogs', `eth_getLogs: the node returned a log of block ${l.blockNumber} for the range [${from}, ${to}]`);
    }
  }
  live.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  return { events: decodeXbrEvents(addresses, live), toHash };
}
