/** Parameter, result and option types of the {@link TransactionSender}. */
import type { Provider, TransactionReceipt } from 'ethers';
import type { Logger } from '../../schema/index.js';
import type { BroadcastJournal, JournalEntry } from './journal.js';

/** Fixed fees instead of the node's `getFeeData()`. */
export type FeeOverride = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint };

/** Test hooks: a hook that never resolves simulates a crash at that point. */
export interface SenderHooks {
  /** After the entry is durable, before broadcast. */
  afterJournal?: (entry: JournalEntry) => Promise<void> | void;
  /** After the node accepted the transaction, before waiting for its receipt. */
  afterBroadcast?: (entry: JournalEntry) => Promise<void> | void;
}

export interface TransactionSenderOptions {
  provider: Provider;
  /** 0x-prefixed 32-byte hex. Never logged. */
  privateKey: string;
  journal: BroadcastJournal;
  /** Default: the provider's network. */
  chainId?: bigint;
  /** Added to the gas estimate, in percent (integer ≥ 0); default 20. */
  gasMarginPercent?: number;
  fees?: FeeOverride;
  /** Blocks including the one that mined the transaction; default 1. */
  confirmations?: number;
  /** How long `wait()` waits for the receipt and confirmations; default 120 s. */
  timeoutMs?: number;
  /** Poll interval for receipts; default 1 s. */
  pollIntervalMs?: number;
  /** Rebroadcast open entries the node has never seen (nonce still free) at recovery; default true. */
  rebroadcastOnRecover?: boolean;
  logger?: Logger;
  hooks?: SenderHooks;
}

/** One transaction to send. */
export interface SendRequest {
  to: string;
  /** Calldata, 0x hex; default `0x`. */
  data?: string;
  /** Wei; default 0. */
  value?: bigint;
  /** Skip estimation and use this gas limit. */
  gasLimit?: bigint;
  /** Journal id (16 bytes); default random. */
  id?: Uint8Array;
  /** For logs and the journal (e.g. `closeChannel`). */
  label?: string;
}

/** A successfully mined transaction. */
export interface SendResult {
  entry: JournalEntry;
  receipt: TransactionReceipt;
}

/** A broadcast transaction; `wait()` settles it (idempotent). */
export interface Submitted {
  readonly entry: JournalEntry;
  /** Resolves when mined with status 1 and confirmed; throws `xbr.error.transaction_failed` or `wamp.error.timeout`. */
  wait(): Promise<SendResult>;
}

/** What `TransactionSender.recover` found among the open entries. */
export interface RecoveryReport {
  /** Closed now: mined (status 1 or 0), replaced, rejected or dropped. */
  closed: JournalEntry[];
  /** Still pending (or rebroadcast, or awaiting confirmations): left open, settle them with `wait()`. */
  pending: Submitted[];
}
