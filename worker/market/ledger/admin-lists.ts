/**
 * The ledger as an operator lists it (docs/api.md#admin): channels with their balance records, and purchases,
 * read-only and paged. Each page is read in one synchronous pass (one LMDB read transaction, so a consistent
 * view); a page's `next_cursor` is the id of its last item, and the next page starts after it.
 *
 * - Channels: payment channels by id, then paying channels by id. Filters: type, state, actor (`member`;
 *   a paying channel's actor is its recipient) and delegate. Filtered pages scan the channel tables (channels
 *   are few next to purchases).
 * - Purchases: newest first. All of them by tid (UUIDv7: creation order); one payment channel's through
 *   `idx_transaction_by_payment_seq` (highest seq first); one paying channel's by scanning every purchase.
 */
import type { AdminChannelResult, AdminTransactionResult, ListChannelsResult, ListTransactionsResult } from '../../../schema/api/index.js';
import { formatUuid, packUint256 } from '../../../schema/codec/index.js';
import type { Address, Uuid } from '../../../schema/codec/index.js';
import { MakerIndex, type MakerDb } from '../../../schema/db/index.js';
import type { ChannelBalance } from '../../../schema/db/index.js';
import { ChannelType, type Channel } from '../../../schema/db/index.js';
import type { Transaction } from '../../../schema/db/index.js';
import { argumentError } from '../../../schema/codec/index.js';
import { CrossbarErrorUri, WampError } from '../../../schema/index.js';
import { NO_PAYING_CHANNEL } from './reserve-purchase.js';
import { ledgerCorrupt } from './errors.js';
import { sameBytes } from './types.js';

/** Records read per range call while scanning a filtered list. */
const SCAN_CHUNK = 256;

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);
const copyOrNull = (b: Uint8Array | undefined): Uint8Array | null => (b === undefined ? null : new Uint8Array(b));
const u256 = (v: bigint): Uint8Array => new Uint8Array(packUint256(v));
const u256OrNull = (v: bigint | undefined): Uint8Array | null => (v === undefined ? null : u256(v));
/** The smallest key after `k` (keys of one table have one length, so nothing lies between). */
const after = (k: Uint8Array): Buffer => Buffer.concat([k, Buffer.alloc(1)]);

/** A channel with its balance record as an operator sees it. */
function adminChannel(c: Channel, b: ChannelBalance): AdminChannelResult {
  return {
    channel_oid: copy(c.channel_oid),
    channel_type: c.channel_type,
    state: c.state,
    actor: copy(c.actor),
    delegate: copy(c.delegate),
    recipient: copy(c.recipient),
    amount: u256(c.amount),
    remaining: u256(b.remaining),
    inflight: u256(b.inflight),
    spent: u256(b.spent),
    seq: b.seq,
    timestamp: c.timestamp,
    open_at: u256(c.open_at),
    open_tx: copyOrNull(c.open_tx),
    timeout: c.timeout,
    closing_at: u256OrNull(c.closing_at),
    close_channel_seq: c.close_channel_seq ?? null,
    close_balance: u256OrNull(c.close_balance),
    close_is_final: c.close_is_final ?? null,
    close_tx: copyOrNull(c.close_tx),
    closed_at: u256OrNull(c.closed_at),
    closed_tx: copyOrNull(c.closed_tx),
  };
}

/** A purchase record as an operator sees it. */
function adminTransaction(tx: Transaction): AdminTransactionResult {
  const paying = !sameBytes(tx.paying_channel, NO_PAYING_CHANNEL);
  return {
    tid: copy(tx.tid),
    created: tx.created,
    completed: tx.completed ?? null,
    state: tx.state,
    error: tx.error ?? null,
    offer: copy(tx.offer),
    key: copy(tx.key),
    amount: u256(tx.amount),
    amount_offered: u256(tx.amount_offered ?? tx.amount),
    payment_channel: copy(tx.payment_channel),
    payment_seq: tx.created_payment_channel_seq + 1,
    payment_remaining: u256(tx.payment_channel_after),
    paying_channel: paying ? copy(tx.paying_channel) : null,
    paying_seq: paying ? tx.created_paying_channel_seq + 1 : null,
    paying_remaining: paying ? u256(tx.paying_channel_after) : null,
    close_at: tx.close_at ?? null,
    buyer_pubkey: copy(tx.buyer_pubkey),
    payment_del_sig: copyOrNull(tx.payment_del_sig),
    paying_del_sig: copyOrNull(tx.paying_del_sig),
    payment_mm_sig: copyOrNull(tx.payment_mm_sig),
    paying_mm_sig: copyOrNull(tx.paying_mm_sig),
  };
}

export interface ChannelFilter {
  /** 1 payment, 2 paying; both when absent. */
  readonly type?: 1 | 2;
  /** Channel state (1 OPEN, 2 CLOSING, 3 CLOSED). */
  readonly state?: number;
  /** The channel's actor (the member). */
  readonly member?: Address;
  readonly delegate?: Address;
  /** Most channels in the page. */
  readonly limit: number;
  /** The last channel id of the previous page. */
  readonly cursor?: Uuid;
}

function matches(c: Channel, f: ChannelFilter): boolean {
  if (f.state !== undefined && c.state !== f.state) return false;
  if (f.member !== undefined && !sameBytes(c.actor, f.member)) return false;
  if (f.delegate !== undefined && !sameBytes(c.delegate, f.delegate)) return false;
  return true;
}

/**
 * One page of channels with their balances (`admin.list_channels`).
 * @throws WampError `wamp.error.invalid_argument` (a cursor that is no channel of this maker, or of a type the
 *   filter leaves out), `xbr.error.ledger_invariant` (a channel without its balance record)
 */
export function listChannels(db: MakerDb, f: ChannelFilter): ListChannelsResult {
  const snapshot = db.env.readSnapshot();
  try {
    const types: (1 | 2)[] = f.type === undefined ? [ChannelType.PAYMENT, ChannelType.PAYING] : [f.type];
    const tables = { [ChannelType.PAYMENT]: { channels: db.paymentChannels, balances: db.paymentBalances }, [ChannelType.PAYING]: { channels: db.payingChannels, balances: db.payingBalances } };
    let first = 0;
    let start: Buffer | undefined;
    if (f.cursor !== undefined) {
      const at = types.findIndex((t) => tables[t].channels.get(f.cursor as Uuid, snapshot) !== undefined);
      if (at < 0) throw argumentError('cursor', `a channel id of this maker${f.type === undefined ? '' : ` of type ${f.type}`} (the next_cursor of a page)`, formatUuid(f.cursor));
      first = at;
      start = after(tables[types[at]!].channels.keyOf(f.cursor));
    }
    const out: AdminChannelResult[] = [];
    for (let i = first; i < types.length; i++) {
      const { channels, balances } = tables[types[i]!];
      let from = i === first ? start : undefined;
      for (;;) {
        const chunk = channels.range({ ...(from === undefined ? {} : { start: from }), limit: SCAN_CHUNK, snapshot });
        for (const { value: c } of chunk) {
          if (!matches(c, f)) continue;
          // One more than the page: whether there is a next page at all.
          if (out.length === f.limit) return { channels: out, next_cursor: copy(out[out.length - 1]!.channel_oid) };
          const b = balances.get(c.channel_oid, snapshot);
          if (b === undefined) throw ledgerCorrupt(`channel ${formatUuid(c.channel_oid)} has no balance record`, { channel_oid: c.channel_oid });
          out.push(adminChannel(c, b));
        }
        if (chunk.length < SCAN_CHUNK) break;
        from = after(chunk[chunk.length - 1]!.key);
      }
    }
    return { channels: out, next_cursor: null };
  } finally {
    snapshot.done();
  }
}

export interface TransactionFilter {
  /** A payment or paying channel of this maker; all purchases when absent. */
  readonly channel?: Uuid;
  readonly limit: number;
  /** The last tid of the previous page. */
  readonly cursor?: Uuid;
}

/**
 * One page of purchases, newest first (`admin.list_transactions`).
 * @throws WampError `crossbar.error.no_such_object` (no such channel), `wamp.error.invalid_argument` (a cursor
 *   that is no purchase of that list)
 */
export function listTransactions(db: MakerDb, f: TransactionFilter): ListTransactionsResult {
  const snapshot = db.env.readSnapshot();
  try {
    const cursorTx = f.cursor === undefined ? undefined : db.transactions.get(f.cursor, snapshot);
    const badCursor = (): WampError => argumentError('cursor', 'a tid of this list (the next_cursor of a page)', formatUuid(f.cursor!));
    if (f.cursor !== undefined && cursorTx === undefined) throw badCursor();
    const page = (txs: Transaction[], more: boolean): ListTransactionsResult => ({
      transactions: txs.map(adminTransaction),
      next_cursor: more ? copy(txs[txs.length - 1]!.tid) : null,
    });

    if (f.channel !== undefined && db.paymentChannels.get(f.channel, snapshot) !== undefined) {
      // idx_transaction_by_payment_seq: channel ‖ u32(seq) ‖ tid; highest seq first, below the cursor's seq.
      if (cursorTx !== undefined && !sameBytes(cursorTx.payment_channel, f.channel)) throw badCursor();
      const seqKey = (seq: number): Buffer => {
        const k = Buffer.alloc(20);
        k.set(f.channel!, 0);
        k.writeUInt32BE(seq, 16);
        return k;
      };
      const end = cursorTx === undefined ? Buffer.concat([Buffer.from(f.channel), Buffer.alloc(21, 0xff)]) : seqKey(cursorTx.created_payment_channel_seq + 1);
      const rows = db.transactions.byIndex(MakerIndex.transactionByPaymentSeq, { start: Buffer.from(f.channel), end, reverse: true, limit: f.limit + 1, snapshot });
      return page(rows.slice(0, f.limit).map((r) => r.value), rows.length > f.limit);
    }
    if (f.channel !== undefined && db.payingChannels.get(f.channel, snapshot) === undefined) {
      throw new WampError(CrossbarErrorUri.noSuchObject, `no payment or paying channel ${formatUuid(f.channel)} found`, { kwargs: { channel_oid: f.channel } });
    }
    if (cursorTx !== undefined && f.channel !== undefined && !sameBytes(cursorTx.paying_channel, f.channel)) throw badCursor();
    // Every purchase by tid, newest first (one paying channel's: filtered while scanning).
    const out: Transaction[] = [];
    let end: Buffer | undefined = cursorTx === undefined ? undefined : db.transactions.keyOf(cursorTx.tid);
    for (;;) {
      const chunk = db.transactions.range({ ...(end === undefined ? {} : { end }), reverse: true, limit: f.channel === undefined ? f.limit + 1 : SCAN_CHUNK, snapshot });
      for (const { value: tx } of chunk) {
        if (f.channel !== undefined && !sameBytes(tx.paying_channel, f.channel)) continue;
        if (out.length === f.limit) return page(out, true);
        out.push(tx);
      }
      if (f.channel === undefined || chunk.length < SCAN_CHUNK) return page(out, false);
      end = chunk[chunk.length - 1]!.key;
    }
  } finally {
    snapshot.done();
  }
}
