/**
 * A `buy_key` asked again: the identical signed call finds the purchase it made, so the maker can answer
 * it from the transaction record instead of refusing its (used) seq. A crash or a lost connection between
 * the resolve commit and the answer then costs the buyer nothing: it asks again and gets the same receipt
 * and sealed key, charged once, the seller not called again (docs/protocol.md#ledger-rules).
 *
 * Identical means every field the buyer signed or sent: payment channel, `channel_seq`, `balance`,
 * `signature`, `delegate_adr`, `buyer_pubkey`, `key_id`, `amount` and `close_at`. Anything else is not a
 * replay (undefined) and the normal refusal stands (`unexpected_channel_seq` for a used seq). The caller must
 * be the payment channel's actor, exactly as for the purchase itself.
 *
 * Read-only and only on the cold path: the caller asks once the normal path refused. One read each of the
 * channel, its balance, and the `(payment channel, seq)` index entry with its record; no lock, no write.
 */
import type { Address, Amount, Ed25519PublicKey, Signature65, Uuid } from '../../../schema/codec/index.js';
import { transactionsByPaymentSeq, type MakerDb } from '../../../schema/db/index.js';
import type { Channel } from '../../../schema/db/index.js';
import { TransactionState, type Transaction } from '../../../schema/db/index.js';
import { notChannelActor } from './errors.js';
import { sameBytes } from './types.js';

/** The `buy_key` call, as checked at the boundary. */
export interface PurchaseReplayRequest {
  readonly paymentChannelId: Uuid;
  readonly channelSeq: number;
  readonly buyerDelegate: Address;
  /** The authenticated caller (from the router); must be the channel's actor. Left out only by callers not serving a WAMP caller. */
  readonly buyerMember?: Address;
  readonly buyerPubkey: Ed25519PublicKey;
  readonly keyId: Uuid;
  readonly amount: Amount;
  readonly balance: Amount;
  readonly signature: Signature65;
  readonly closeAt: bigint;
}

/** A resolved transaction that holds its whole answer. */
export type AnsweredTransaction = Transaction & Required<Pick<Transaction, 'close_at' | 'completed_payment_channel_seq'>>;

/** A SUCCESS with its sealed key. */
export type SoldTransaction = AnsweredTransaction & Required<Pick<Transaction, 'sealed_key'>>;

/** What the first call of an identical `buy_key` came to. */
export type PurchaseReplay =
  /** Still running (the seller call or the resolve commit): wait for the channel's lock, then look again. */
  | { readonly state: 'inflight'; readonly transaction: Transaction; readonly channel: Channel }
  | { readonly state: 'sold'; readonly transaction: SoldTransaction; readonly channel: Channel }
  /** FAILED and refunded (the seq stays used). */
  | { readonly state: 'refunded'; readonly transaction: AnsweredTransaction; readonly channel: Channel };

/** `amount` of the purchase's `buy_key` (the most the buyer agreed to pay). */
export function amountOffered(tx: Transaction): bigint {
  return tx.amount_offered ?? tx.amount;
}

/** The payment channel's (seq, remaining, inflight) right after the resolve of `tx`. */
export function paymentAfterResolve(tx: AnsweredTransaction): { seq: number; remaining: bigint; inflight: bigint } {
  const refunded = tx.state === TransactionState.FAILED ? tx.amount : 0n;
  return {
    seq: tx.completed_payment_channel_seq,
    remaining: tx.completed_payment_remaining ?? tx.payment_channel_after + refunded,
    inflight: tx.completed_payment_inflight ?? 0n,
  };
}

function answered(tx: Transaction): tx is AnsweredTransaction {
  return tx.close_at !== undefined && tx.completed_payment_channel_seq !== undefined;
}

function identical(tx: Transaction, channel: Channel, req: PurchaseReplayRequest): boolean {
  return (
    tx.created_payment_channel_seq + 1 === req.channelSeq &&
    tx.payment_channel_after === req.balance &&
    amountOffered(tx) === req.amount &&
    tx.close_at === req.closeAt &&
    tx.payment_del_sig !== undefined &&
    sameBytes(tx.payment_del_sig, req.signature) &&
    sameBytes(tx.payment_channel, req.paymentChannelId) &&
    sameBytes(tx.key, req.keyId) &&
    sameBytes(tx.buyer_pubkey, req.buyerPubkey) &&
    sameBytes(channel.delegate, req.buyerDelegate)
  );
}

/**
 * The purchase the identical call made, or undefined when `req` is not one (the caller's refusal stands).
 * @throws WampError `wamp.error.not_authorized` when it is one but the caller is not the channel's actor;
 *   storage errors
 * @example
 * const again = findPurchaseReplay(db, { paymentChannelId, channelSeq, buyerDelegate, buyerMember, buyerPubkey, keyId, amount, balance, signature, closeAt });
 * if (again?.state === 'sold') return receiptOf(makerKey, binding, again.transaction, again.channel.delegate);
 */
export function findPurchaseReplay(db: MakerDb, req: PurchaseReplayRequest): PurchaseReplay | undefined {
  const channel = db.paymentChannels.get(req.paymentChannelId);
  const balance = db.paymentBalances.get(req.paymentChannelId);
  // A seq the ledger has not reached yet was never used: nothing to answer again.
  if (channel === undefined || balance === undefined || req.channelSeq > balance.seq) return undefined;
  for (const tx of transactionsByPaymentSeq(db, req.paymentChannelId, req.channelSeq)) {
    if (!identical(tx, channel, req)) continue;
    if (req.buyerMember !== undefined && !sameBytes(channel.actor, req.buyerMember)) throw notChannelActor(channel, req.buyerMember);
    if (tx.state === TransactionState.INFLIGHT) return { state: 'inflight', transaction: tx, channel };
    if (!answered(tx)) return undefined;
    if (tx.state === TransactionState.FAILED) return { state: 'refunded', transaction: tx, channel };
    // A receipt is the maker's signature over the state the buyer signed: the first call gave none otherwise.
    if (tx.state !== TransactionState.SUCCESS || tx.sealed_key === undefined || paymentAfterResolve(tx).remaining !== tx.payment_channel_after) return undefined;
    return { state: 'sold', transaction: tx as SoldTransaction, channel };
  }
  return undefined;
}
