/**
 * The maker DB's layout, apart from `openMakerDb` so that its migrations (`maker-migrations.ts`) build the
 * same index entries as the tables do: sub-database names and encodings, and the transactions' indexes.
 */
import type { Uuid } from '../codec/types.js';
import type { SubDbEncoding } from './env.js';
import { key, u32, u64, u8, uuid } from './keys.js';
import { TransactionState, type Transaction } from './records/transaction.js';
import type { IndexDef } from './table.js';

/** Index names of the maker DB. */
export const MakerIndex = {
  offerByKey: 'idx_offer_by_key',
  offerByApi: 'idx_offer_by_api',
  offerBySeller: 'idx_offer_by_seller',
  paymentChannelByDelegate: 'idx_payment_channel_by_delegate',
  paymentChannelByActor: 'idx_payment_channel_by_actor',
  payingChannelByDelegate: 'idx_paying_channel_by_delegate',
  payingChannelByRecipient: 'idx_paying_channel_by_recipient',
  transactionByState: 'idx_transaction_by_state',
  transactionByPaymentSeq: 'idx_transaction_by_payment_seq',
} as const;

/** Sub-databases of a maker DB and how they store values. */
export const MAKER_SUBDBS: Readonly<Record<string, SubDbEncoding>> = {
  offers: 'msgpack',
  [MakerIndex.offerByKey]: 'binary',
  [MakerIndex.offerByApi]: 'binary',
  [MakerIndex.offerBySeller]: 'binary',
  payment_channels: 'msgpack',
  [MakerIndex.paymentChannelByDelegate]: 'binary',
  [MakerIndex.paymentChannelByActor]: 'binary',
  payment_balances: 'msgpack',
  paying_channels: 'msgpack',
  [MakerIndex.payingChannelByDelegate]: 'binary',
  [MakerIndex.payingChannelByRecipient]: 'binary',
  paying_balances: 'msgpack',
  transactions: 'msgpack',
  [MakerIndex.transactionByState]: 'binary',
  [MakerIndex.transactionByPaymentSeq]: 'binary',
  consents: 'msgpack',
};

/** The key of `idx_transaction_by_payment_seq` for payment seq `seq` of channel `channelId` (a prefix of its entries). */
export const paymentSeqKey = (channelId: Uuid, seq: number): Buffer => key(uuid(channelId), u32(seq));

/**
 * `idx_transaction_by_state`: only INFLIGHT transactions are indexed (nothing ever asks for settled ones by
 * state): a resolve only removes its entry, and the index stays one small, hot leaf instead of growing with
 * every purchase. (Builds before schema 2 kept settled entries too; the 1 → 2 migration drops them.)
 */
export const transactionByState: IndexDef<Transaction> = {
  name: MakerIndex.transactionByState,
  key: (t) => (t.state === TransactionState.INFLIGHT ? key(u8(t.state), u64(t.created)) : undefined),
};

/**
 * `idx_transaction_by_payment_seq`: the purchase that used a payment seq — for a `buy_key` asked again, and
 * for audits (which purchase took seq N of a channel). Every transaction is in it, also those written before
 * `close_at` existed (they cannot be answered again, `findPurchaseReplay` checks that, but they did use their
 * seq). Its key is fixed at the reserve, so a resolve writes nothing to it. Not unique: a unique index reads
 * before every put, and a seq is used by one reservation only anyway.
 */
export const transactionByPaymentSeq: IndexDef<Transaction> = {
  name: MakerIndex.transactionByPaymentSeq,
  key: (t) => paymentSeqKey(t.payment_channel, t.created_payment_channel_seq + 1),
};
