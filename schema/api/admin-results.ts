/**
 * The results of the maker's operator procedures `xbr.marketmaker.admin.*` (docs/api.md#admin), each written
 * once as a reader, like `results.ts`: the maker returns `Read<typeof …>`, the `xbr-edge admin` CLI and the tests
 * read the wire answer with the same reader. Wire conventions as every maker answer: ids 16 bytes, addresses
 * 20, amounts and channel block numbers 32-byte big-endian uint256, signatures 65 bytes, times integer ns.
 */
import { bigInt, bool, bytes, dict, int, list, nullable, str, uint256Bytes, type Read } from './read.js';

const uuid = bytes(16);
const address = bytes(20);
const signature = bytes(65);
const hash32 = bytes(32);

/** A channel with its ledger balance, as an operator sees it (`admin.list_channels`). */
export const adminChannelResult = dict({
  channel_oid: uuid,
  /** 1 PAYMENT, 2 PAYING. */
  channel_type: int,
  /** 1 OPEN, 2 CLOSING, 3 CLOSED. */
  state: int,
  actor: address,
  delegate: address,
  recipient: address,
  /** The deposit, uint256. */
  amount: uint256Bytes,
  /** The ledger's balance record (docs/protocol.md#ledger): not spent nor reserved, reserved, spent; uint256. */
  remaining: uint256Bytes,
  inflight: uint256Bytes,
  spent: uint256Bytes,
  /** The seq of the latest signed state. */
  seq: int,
  /** When the maker replicated the channel, ns. */
  timestamp: bigInt,
  /** Block of `Opened`, uint256, and its transaction. */
  open_at: uint256Bytes,
  open_tx: nullable(hash32),
  /** Blocks of the close timeout (set by a `Closing` event). */
  timeout: int,
  /** The closing block (the signed `closeAt` of the maker's own close, then the `Closing` event's block), uint256. */
  closing_at: nullable(uint256Bytes),
  close_channel_seq: nullable(int),
  close_balance: nullable(uint256Bytes),
  close_is_final: nullable(bool),
  /** The `closeChannel` transaction the maker sent. */
  close_tx: nullable(hash32),
  /** Block of `Closed`, uint256, and its transaction. */
  closed_at: nullable(uint256Bytes),
  closed_tx: nullable(hash32),
});
export type AdminChannelResult = Read<typeof adminChannelResult>;

/** `admin.list_channels`: one page; `next_cursor` (the last channel id of the page) asks for the next, null at the end. */
export const listChannelsResult = dict({ channels: list(adminChannelResult), next_cursor: nullable(uuid) });
export type ListChannelsResult = Read<typeof listChannelsResult>;

/** A purchase as the maker DB holds it (`admin.list_transactions`, docs/protocol.md#maker-records `Transaction`). */
export const adminTransactionResult = dict({
  tid: uuid,
  /** Reserve and resolve times, ns. */
  created: bigInt,
  completed: nullable(bigInt),
  /** 1 INFLIGHT, 2 FAILED (refunded), 3 SUCCESS. */
  state: int,
  /** The error URI of a FAILED purchase. */
  error: nullable(str),
  offer: uuid,
  key: uuid,
  /** The price charged, and what the buyer offered; uint256. */
  amount: uint256Bytes,
  amount_offered: uint256Bytes,
  payment_channel: uuid,
  /** The payment state the reserve signed: seq and remaining (uint256). */
  payment_seq: int,
  payment_remaining: uint256Bytes,
  /** The paying leg (null for a free key of a seller without a paying channel). */
  paying_channel: nullable(uuid),
  paying_seq: nullable(int),
  paying_remaining: nullable(uint256Bytes),
  /** The `closeAt` block of every signature of the purchase. */
  close_at: nullable(bigInt),
  buyer_pubkey: bytes(32),
  /** The buyer delegate's and the seller delegate's EIP712ChannelClose signatures; the maker's, where stored. */
  payment_del_sig: nullable(signature),
  paying_del_sig: nullable(signature),
  payment_mm_sig: nullable(signature),
  paying_mm_sig: nullable(signature),
});
export type AdminTransactionResult = Read<typeof adminTransactionResult>;

/** `admin.list_transactions`: one page, newest first; `next_cursor` (the last tid of the page) asks for the next. */
export const listTransactionsResult = dict({ transactions: list(adminTransactionResult), next_cursor: nullable(uuid) });
export type ListTransactionsResult = Read<typeof listTransactionsResult>;

/** `admin.rescan`: the blocks read again and what they did (0 changes over blocks already applied). */
export const rescanResult = dict({
  from_block: int,
  to_block: int,
  /** XBR events read (replica and channel). */
  events: int,
  /** Channel events of served markets, and how many of them changed a ledger. */
  channel_events: int,
  channel_changes: int,
  /** Replica records (members, markets, actors, consents, catalogs, APIs) written. */
  replica_writes: int,
});
export type RescanResult = Read<typeof rescanResult>;

/**
 * One difference the audit found. `kind`: `balance` (a balance record ≠ the state its purchases make),
 * `signature` (a stored signature that is not its signer's over the state it must cover), `transaction` (a
 * purchase record inconsistent with the channel's history: seq, remaining after), `record` (a record missing or
 * of another market), `chain` (the ledger ≠ what XBRChannel reports, or the chain could not be read).
 */
export const auditMismatchResult = dict({
  kind: str,
  channel_oid: nullable(uuid),
  tid: nullable(uuid),
  /** The field that differs (`spent`, `payment_del_sig`, `amount`, `state`, …). */
  field: str,
  /** What the maker DB holds, and what it should hold (replayed purchases, recovered signer, chain); as text. */
  stored: nullable(str),
  expected: nullable(str),
  message: str,
});
export type AuditMismatchResult = Read<typeof auditMismatchResult>;

/** `admin.audit`: what was checked, and every difference (the list capped at `limit`, all counted). */
export const auditResult = dict({
  /** No mismatch at all. */
  ok: bool,
  channels: int,
  transactions: int,
  /** Signatures recovered and compared with their signer. */
  signatures_checked: int,
  /** Signatures a record does not hold (the maker's own are not stored; a failed purchase has no seller's). */
  signatures_absent: int,
  /** Channels compared with the chain, and the chain head when that began (null: not compared). */
  chain_checked: int,
  chain_block: nullable(int),
  mismatches_total: int,
  mismatches: list(auditMismatchResult),
  /** More mismatches than listed. */
  truncated: bool,
  /** Wall time of the audit, and of its longest synchronous slice (what purchases waited at most), ms. */
  duration_ms: int,
  longest_slice_ms: int,
});
export type AuditResult = Read<typeof auditResult>;
