/**
 * HOOK for the chain monitor (worker/monitor): what the worker hands it and what it must give back.
 * The worker starts it once the worker DB is open, the chain is connected and every maker DB is open,
 * and lets the makers serve only after it returned (i.e. caught up); it stops it after the makers.
 */
import type { Provider } from 'ethers';
import type { XbrContractAddresses } from '../../schema/index.js';
import type { Uuid } from '../../schema/codec/index.js';
import type { MakerDb, WorkerDb } from '../../schema/db/index.js';
import type { Logger } from '../../schema/index.js';
import type { ReplicaWrite, RescanReport } from '../monitor/index.js';

export interface ChainMonitorInput {
  provider: Provider;
  chainId: bigint;
  addresses: XbrContractAddresses;
  workerDb: WorkerDb;
  /** First block to replicate when the worker DB has no progress yet. */
  fromBlock: number;
  /** Blocks on top before an event is applied (config `blockchain.confirmations`). */
  confirmations: number;
  /** Config `blockchain.poll_interval`, in ms. */
  pollIntervalMs: number;
  /** Markets served here, with their maker DBs (channel events are applied there). Complete at start. */
  makers: ReadonlyMap<string, { marketId: Uuid; makerDb: MakerDb }>;
  log: Logger;
  /** Told after each committed range which market / catalog / API / member records it wrote (the IPFS fetcher). */
  onReplicaWrites?: (writes: readonly ReplicaWrite[]) => void;
}

export interface RunningChainMonitor {
  /** Polls now instead of waiting for the next interval (after the maker sent a transaction). */
  trigger(): void;
  /** The last block the monitor committed; undefined before the first range. */
  lastBlock(): bigint | undefined;
  /** The first block the monitor follows (the deployment block, or `blockchain.from_block`). */
  firstBlock(): bigint;
  /** Reads the chain again from `fromBlock` (worker/monitor `ChainMonitor.rescan`); resolves once done. */
  rescan(fromBlock: bigint): Promise<RescanReport>;
  stop(): Promise<void>;
}

export type StartChainMonitor = (input: ChainMonitorInput) => Promise<RunningChainMonitor>;
