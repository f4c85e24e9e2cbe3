/**
 * HOOK for the chain monitor (worker/monitor, another part): what the worker hands it and what it
 * must give back. The worker starts it after the worker DB is open and the chain is connected, before
 * the makers join their realms, and stops it after the makers have stopped.
 */
import type { Provider } from 'ethers';
import type { XbrContractAddresses } from '../../router/config/types.js';
import type { Uuid } from '../../schema/codec/types.js';
import type { MakerDb, WorkerDb } from '../../schema/db/index.js';
import type { Logger } from '../../schema/log.js';

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
  /** Markets served here, with their maker DBs (XBRChannel.Opened writes there); filled as makers start. */
  makers: ReadonlyMap<string, { marketId: Uuid; makerDb: MakerDb }>;
  log: Logger;
}

export interface RunningChainMonitor {
  /** Polls now instead of waiting for the next interval (after the maker sent a transaction). */
  trigger(): void;
  stop(): Promise<void>;
}

export type StartChainMonitor = (input: ChainMonitorInput) => Promise<RunningChainMonitor>;
