/**
 * What a running maker offers its procedures: identity, market, chain access, databases, the
 * transaction sender, and its session for publishing and calling (seller delegates).
 */
import type { Provider } from 'ethers';
import type { XbrContractAddresses } from '../../../schema/index.js';
import type { Uuid } from '../../../schema/codec/index.js';
import type { MakerDb, WorkerDb } from '../../../schema/db/index.js';
import type { Logger } from '../../../schema/index.js';
import type { TransactionSender, XbrBindings } from '../../chain/index.js';
import type { IpfsStatusReport } from '../../ipfs/index.js';
import type { MakerStatusValue } from './maker-status.js';
import type { SellerPresence } from '../offers/seller-presence.js';

export interface MakerCallOptions {
  /** Call timeout in ms, asked of the router (WAMP `timeout`): the router cancels the call at the callee and answers `wamp.error.timeout`. */
  timeout?: number;
  /**
   * Only an exact registration held by a session with this authid may answer (`CALLEE_AUTHID_OPTION`
   * of schema/uris.ts). Calls to sellers use it.
   */
  calleeAuthid?: string;
}

/** The maker's session, reduced to what procedures need. */
export interface MakerSession {
  /** Calls `uri` (e.g. `xbr.provider.<authid>.sell`); resolves with the positional and keyword results. */
  call(uri: string, args: unknown[], kwargs?: Record<string, unknown>, options?: MakerCallOptions): Promise<{ args: unknown[]; kwargs: Record<string, unknown> }>;
  /** Publishes (acknowledged) `args` to `topic`; resolves once the router accepted it. */
  publish(topic: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<void>;
  /** Subscribes `handler` to `topic` (e.g. `wamp.session.on_leave`) for the life of the session; resolves once subscribed. */
  subscribe(topic: string, handler: (args: unknown[], kwargs: Record<string, unknown>) => void): Promise<void>;
}

/** The worker's IPFS fetcher as procedures see it (absent when the worker has no `ipfs` configured). */
export interface IpfsControl {
  /** Files by status, running and waiting downloads, and the `limit` soonest retries (`get_ipfs_status`). */
  status(limit?: number): IpfsStatusReport;
  /**
   * Schedules `fileHash` (or every pending or failed file, when omitted) for an attempt now instead of at its
   * backoff time; resolves with how many files were scheduled. Unknown hashes are an error.
   */
  retryNow(fileHash?: string): Promise<number>;
  /** The verified content of `fileHash` once downloaded (also when it did not parse), else undefined. */
  content(fileHash: string): Promise<Uint8Array | undefined>;
}

/** What a chain rescan read again (the worker's chain monitor, `ChainMonitor.rescan`). */
export interface ChainRescanReport {
  readonly fromBlock: bigint;
  readonly toBlock: bigint;
  readonly events: number;
  readonly channelEvents: number;
  readonly channelChanges: number;
  readonly replicaWrites: number;
}

/** The worker's chain monitor as the operators' `admin.rescan` reaches it (given by the host, see `rescanPart`). */
export interface ChainRescan {
  /** The first block the monitor follows: nothing before it was ever read. */
  firstBlock(): bigint;
  /**
   * Reads the chain's events again from `fromBlock` up to the confirmed head (idempotently applied), resolves
   * once done. Refuses (`wamp.error.invalid_argument`) a block below {@link firstBlock} or above the head.
   */
  rescan(fromBlock: bigint): Promise<ChainRescanReport>;
}

export interface MakerContext {
  /** Config id of the maker (e.g. `maker1`). */
  readonly makerId: string;
  readonly realm: string;
  /** Checksummed address of the maker key. */
  readonly address: string;
  /** The maker's 32-byte private key (signs EIP712 channel closes). Never log it. */
  readonly privateKey: Uint8Array;
  /** The market this maker serves, as 16 bytes and as `0x…` hex. */
  readonly marketId: Uuid;
  readonly marketIdHex: string;
  /** Checksummed address of the market owner (read at start). */
  readonly marketOwner: string;
  /** Chain id of the node (checked against the config at start). */
  readonly chainId: bigint;
  /** `XBRNetwork.verifyingChain()` / `verifyingContract()` (EIP712 domain of every signature). */
  readonly verifyingChainId: bigint;
  readonly verifyingContract: string;
  readonly addresses: XbrContractAddresses;
  readonly provider: Provider;
  readonly xbr: XbrBindings;
  /** Sends the maker's transactions (durable journal; recovered at start). */
  readonly sender: TransactionSender;
  readonly makerDb: MakerDb;
  readonly workerDb: WorkerDb;
  readonly confirmations: number;
  readonly session: MakerSession;
  /**
   * Asks the chain monitor to poll now instead of at its next interval, after the maker sent a transaction
   * whose events the ledger or the replica waits for (e.g. `Opened` after `open_channel`). No-op without a monitor.
   */
  triggerChainMonitor(): void;
  /** The worker's IPFS fetcher, when configured. */
  readonly ipfs?: IpfsControl;
  /** Which sellers can sell now: the offers of a seller without a registered `sell` are suspended. */
  readonly sellers: SellerPresence;
  /** The maker's current status (docs/protocol.md#maker-status). */
  status(): MakerStatusValue;
  /** Log lines carry worker, maker, realm and market. */
  readonly log: Logger;
}
