/**
 * Phase 2 of a key purchase (docs/protocol.md#ledger-rules): one durable write transaction that settles the reservation.
 *
 * - SUCCESS: `inflight → spent` on both channels; the seller's signature and the sealed key are recorded.
 * - FAILURE: `inflight → remaining` on both channels (the refund).
 *
 * In both cases the channels' `seq` stays where the reservation put it. A seq is never reused: the buyer
 * holds nothing for the refunded state, but the maker holds the buyer's signature over the reserved
 * (seq, balance), and the seller may hold the maker's; giving the refunded state a fresh number would
 * either reuse a signed seq with a different balance or need a signature nobody made. So after a failure
 * the next purchase must sign `seq + 1` over the refunded `remaining` — the buyer learns both from the
 * error's kwargs (`channel_seq`, `remaining`, added by `runPurchase`) or from
 * `get_payment_channel_balance`, and a seller that already counted the failed sale resyncs from
 * `get_paying_channel_balance`. This matches the original (docs/protocol.md#refund) and docs/protocol.md#ledger-rules (seq strictly
 * increasing).
 *
 * With what the reserve recorded, the resolved record holds everything the buyer's answer holds, so the
 * identical call can be answered again (`findPurchaseReplay`): the payment balance after the resolve is the
 * reserved one (SUCCESS) or that plus the price (FAILED), with nothing in flight, because the channel is
 * locked from reserve to resolve; `completed_payment_*` record it only where it is not.
 *
 * Resolving a transaction that is not INFLIGHT throws `xbr.error.invalid_transaction` and changes nothing.
 */
import { argumentError, describe } from '../../../schema/codec/index.js';
import type { NsTime, Signature65, Uuid } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import type { ChannelBalance } from '../../../schema/db/index.js';
import { TransactionState, type Transaction } from '../../../schema/db/index.js';
import type { Table } from '../../../schema/db/index.js';
import { WampError } from '../../../schema/index.js';
import { CrossbarErrorUri } from '../../../schema/index.js';
import { invalidTransaction, ledgerCorrupt } from './errors.js';
import { NO_PAYING_CHANNEL } from './reserve-purchase.js';
import { sameBytes } from './types.js';

/** How the seller call ended. */
export type PurchaseOutcome =
  | {
      readonly ok: true;
      /** The seller delegate's EIP712ChannelClose over the paying leg (verified by the caller, see `verifySellerSignature`). */
      readonly sellerSignature?: Signature65;
      /** What the buyer receives (the data key sealed to its key): stored, so the identical `buy_key` can be answered again. */
      readonly sealedKey?: Uint8Array;
    }
  | { readonly ok: false; /** The error URI the purchase failed with (stored in `transaction.error`). */ readonly error: string };

/** The settled purchase: the stored transaction and both balances after it. */
export interface ResolvedPurchase {
  readonly transaction: Transaction;
  readonly paymentBalance: ChannelBalance;
  readonly payingBalance?: ChannelBalance;
}

export interface ResolveOptions {
  /** Completion time, ns (default: now). */
  readonly now?: NsTime;
}

function settle(table: Table<Uuid, ChannelBalance>, id: Uuid, amount: bigint, ok: boolean, what: string): ChannelBalance {
  const b = table.get(id);
  if (b === undefined) throw ledgerCorrupt(`${what} channel ${formatUuid(id)} has no balance record`, { channel_oid: id });
  if (b.inflight < amount) {
    throw ledgerCorrupt(`${what} channel ${formatUuid(id)}: inflight ${b.inflight} is less than the purchase's ${amount}`, { channel_oid: id });
  }
  const after: ChannelBalance = ok
    ? { ...b, inflight: b.inflight - amount, spent: b.spent + amount, sales: (b.sales ?? 0) + 1 }
    : { ...b, remaining: b.remaining + amount, inflight: b.inflight - amount, refunds: (b.refunds ?? 0) + 1 };
  table.put(id, after);
  return after;
}

function validOutcome(outcome: PurchaseOutcome): void {
  if (outcome === null || typeof outcome !== 'object' || typeof outcome.ok !== 'boolean') throw argumentError('outcome', '{ok: true} or {ok: false, error}', describe(outcome));
  if (outcome.ok) {
    const s = outcome.sellerSignature;
    if (s !== undefined && (!(s instanceof Uint8Array) || s.length !== 65)) throw argumentError('sellerSignature', '65 bytes', describe(s));
    if (outcome.sealedKey !== undefined && !(outcome.sealedKey instanceof Uint8Array)) throw argumentError('sealedKey', 'bytes', describe(outcome.sealedKey));
  } else if (typeof outcome.error !== 'string' || outcome.error.length === 0) {
    throw argumentError('error', 'an error URI', describe(outcome.error));
  }
}

/**
 * Settles the INFLIGHT transaction `tid` with `outcome` in one durable write transaction.
 * @example
 * resolvePurchase(db, r.transaction.tid, { ok: true, sellerSignature });
 * resolvePurchase(db, r.transaction.tid, { ok: false, error: 'xbr.error.transaction_failed' });
 */
export function resolvePurchase(db: MakerDb, tid: Uuid, outcome: PurchaseOutcome, options: ResolveOptions = {}): ResolvedPurchase {
  const settleIt = resolver(db, tid, outcome, options);
  return db.env.writeSync(settleIt);
}

/**
 * As {@link resolvePurchase}, but the write joins this event-loop turn's group commit (`env.write`): many
 * concurrent purchases share one fsync. Resolves once that commit is durable — only then may a receipt be
 * signed. Writes queued after this call run after it (queue order), in the same commit or a later one.
 */
export function resolvePurchaseBatched(db: MakerDb, tid: Uuid, outcome: PurchaseOutcome, options: ResolveOptions = {}): Promise<ResolvedPurchase> {
  const settleIt = resolver(db, tid, outcome, options);
  return db.env.write(settleIt);
}

/** Validates the request, then returns the transaction body (read-check-write, synchronous). */
function resolver(db: MakerDb, tid: Uuid, outcome: PurchaseOutcome, options: ResolveOptions): () => ResolvedPurchase {
  if (!(tid instanceof Uint8Array) || tid.length !== 16) throw argumentError('tid', '16 bytes', describe(tid));
  validOutcome(outcome);
  const now = options.now ?? BigInt(Date.now()) * 1_000_000n;
  return () => {
    const tx = db.transactions.get(tid);
    if (tx === undefined) throw new WampError(CrossbarErrorUri.noSuchObject, `no transaction ${formatUuid(tid)}`, { kwargs: { tid } });
    if (tx.state !== TransactionState.INFLIGHT) throw invalidTransaction(tid, `is not in flight (state ${tx.state}); it was already resolved`);
    const paymentBalance = settle(db.paymentBalances, tx.payment_channel, tx.amount, outcome.ok, 'payment');
    const hasPaying = !sameBytes(tx.paying_channel, NO_PAYING_CHANNEL);
    const payingBalance = hasPaying ? settle(db.payingBalances, tx.paying_channel, tx.amount, outcome.ok, 'paying') : undefined;
    const done: Transaction = {
      ...tx,
      state: outcome.ok ? TransactionState.SUCCESS : TransactionState.FAILED,
      completed: now,
      completed_payment_channel_seq: paymentBalance.seq,
      completed_paying_channel_seq: payingBalance?.seq ?? 0,
    };
    // The payment balance after the resolve, where the channel lock does not already determine it.
    if (paymentBalance.remaining !== tx.payment_channel_after + (outcome.ok ? 0n : tx.amount)) done.completed_payment_remaining = paymentBalance.remaining;
    if (paymentBalance.inflight !== 0n) done.completed_payment_inflight = paymentBalance.inflight;
    if (outcome.ok && outcome.sellerSignature !== undefined) done.paying_del_sig = outcome.sellerSignature;
    if (outcome.ok && outcome.sealedKey !== undefined) done.sealed_key = outcome.sealedKey;
    if (!outcome.ok) done.error = outcome.error;
    db.transactions.put(tid, done);
    return payingBalance === undefined ? { transaction: done, paymentBalance } : { transaction: done, paymentBalance, payingBalance };
  };
}
