/** Option, event and handle types of the chain monitor. */
import type { Provider } from 'ethers';
import type { WorkerDb } from '../../schema/db/index.js';
import type { Logger } from '../../schema/index.js';
import type { XbrContractAddresses } from '../../schema/index.js';
import type { ChannelSinkRegistry } from './sinks.js';

/** The provider calls the monitor makes (an ethers `JsonRpcProvider` / `BrowserProvider` fits). */
export type MonitorProvider = Pick<Provider, 'getBlockNumber' | 'getBlock' | 'getLogs' | 'getNetwork'>;

export interface ChainMonitorOptions {
  /**
   * JSON-RPC access. On the dev chain (instant mining) create it without caching —
   * `new JsonRpcProvider(url, chainId, { staticNetwork: true, cacheTimeout: -1 })` — or the head is stale.
   */
  readonly provider: MonitorProvider;
  /** The five XBR contracts (as `deployXbr` returns them). */
  readonly addresses: XbrContractAddresses;
  /** The worker DB (`openWorkerDb`); the monitor writes the replica tables, `blocks` and `monitor`. */
  readonly db: WorkerDb;
  /** Channel-event receivers of the makers (register before the first catch-up to see every event). */
  readonly channelSinks: ChannelSinkRegistry;
  /** First block to process when the DB has no progress yet (the deployment block). */
  readonly fromBlock: bigint | number;
  /** Expected chain id; default: whatever the provider reports. A different one fails the monitor. */
  readonly chainId?: bigint | number;
  /** Block n is processed once `head − confirmations + 1 ≥ n`; default 1 (the head itself). */
  readonly confirmations?: number;
  /** Head polling period; default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Most blocks per `eth_getLogs`; default 2000 (halved on each failing call, down to 1). */
  readonly maxBlockRange?: number;
  /** Backoff after a transient failure: doubles from `initialMs` (default 500) up to `maxMs` (default 30 000). */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly logger?: Logger;
  /**
   * Told, after each committed range, which market / catalog / API / member records it wrote (new or changed),
   * e.g. so the IPFS fetcher learns the hashes they name. Runs synchronously after the commit; a throw is
   * logged and changes nothing (the range stays committed).
   */
  readonly onReplicaWrites?: (writes: readonly ReplicaWrite[]) => void;
}

/** A replica record that names IPFS files and was written in a committed range. */
export interface ReplicaWrite {
  readonly kind: 'market' | 'catalog' | 'api' | 'member';
  /** Market / catalog / API id (16 bytes) or member address (20 bytes): the record's key. */
  readonly id: Uint8Array;
}

/** Emitted after each committed block range. */
export interface BlockProgress {
  /** Last block of the committed range. */
  readonly block: bigint;
  readonly blockHash: string;
  readonly fromBlock: bigint;
  /** XBR events in the range (replica and channel). */
  readonly events: number;
}

/** What {@link ChainMonitor.rescan} read again. */
export interface RescanReport {
  /** First block read again. */
  readonly fromBlock: bigint;
  /** Last block committed when the rescan ended: the confirmed head when it was asked for, or later. */
  readonly toBlock: bigint;
  /** XBR events read in those blocks (replica and channel). */
  readonly events: number;
  /** Channel events delivered to a maker's sink. */
  readonly channelEvents: number;
  /** Of those, how many changed a ledger (the sink's `apply` resolved `true`): 0 over blocks already applied. */
  readonly channelChanges: number;
  /** Replica records written: 0 over blocks already applied. */
  readonly replicaWrites: number;
}

/** Emitted before each retry after a transient failure. */
export interface RetryNotice {
  readonly stage: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: Error;
}

export interface ChainMonitorEvents {
  block: [BlockProgress];
  retry: [RetryNotice];
  /** The monitor stopped for good (chain mismatch, storage failure, unexpected bug). */
  failed: [Error];
}

/** A running chain monitor. */
export interface ChainMonitor {
  /** The chain id followed (known once the node answered). */
  chainId(): bigint | undefined;
  readonly channelSinks: ChannelSinkRegistry;
  /** Resolves once every block up to the confirmed head was processed, the first time; rejects if the monitor fails first. */
  caughtUp(): Promise<void>;
  /** The last committed block (the stored one once the node first answered); undefined before that or before the first range. */
  lastBlock(): bigint | undefined;
  /** Resolves when {@link stop} finished; rejects with the error that stopped the monitor otherwise. */
  readonly closed: Promise<void>;
  /** Stops polling; resolves once the current range (if any) is finished and nothing is running. */
  stop(): Promise<void>;
  /** Polls now instead of at the next interval (e.g. right after the maker sent a transaction). */
  trigger(): void;
  /** The first block the monitor follows (`fromBlock` of its options): nothing before it was ever read. */
  firstBlock(): bigint;
  /**
   * Reads the chain's events again from block `fromBlock` up to the confirmed head of now, through the same
   * path as new blocks (sinks and replica writes are idempotent, so blocks already applied change nothing),
   * then goes on following the chain; resolves once those blocks are committed again.
   * @throws WampError `wamp.error.invalid_argument` (`from_block` below {@link firstBlock} or above the chain
   *   head), `crossbar.error.already_running` (a rescan is running), `wamp.close.system_shutdown` (stopped
   *   first), or the error that stopped the monitor
   */
  rescan(fromBlock: bigint | number): Promise<RescanReport>;
  on<E extends keyof ChainMonitorEvents>(event: E, listener: (...args: ChainMonitorEvents[E]) => void): this;
  off<E extends keyof ChainMonitorEvents>(event: E, listener: (...args: ChainMonitorEvents[E]) => void): this;
}
