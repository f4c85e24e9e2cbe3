/**
 * Start-up recovery (docs/protocol.md#ledger-rules): every purchase left INFLIGHT by a crash between reserve and resolve is
 * settled before the maker accepts calls. Whether it succeeded is the caller's to decide (typically:
 * ask the seller whether it sold, else fail and refund); the ledger applies the decision.
 */
import type { Uuid } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { inflightTransactions, type MakerDb } from '../../../schema/db/index.js';
import { TransactionState, type Transaction } from '../../../schema/db/index.js';
import { toWampError } from '../../../schema/index.js';
import type { Logger } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import { resolvePurchase, type PurchaseOutcome, type ResolvedPurchase } from './resolve-purchase.js';

/** INFLIGHT transactions, oldest first (the maker DB's own query, under the ledger's name). */
export const inflightPurchases: (db: MakerDb) => Transaction[] = inflightTransactions;

/** Decides the outcome of one interrupted purchase (may ask the seller). */
export type RecoveryDecision = (transaction: Transaction) => PurchaseOutcome | Promise<PurchaseOutcome>;

export interface RecoverOptions {
  readonly log?: Logger;
  /** Completion time written into the transactions, ns (default: now). */
  readonly now?: () => bigint;
}

/**
 * Resolves every INFLIGHT transaction, one after the other, with `decide`'s outcome. When `decide` throws
 * (seller unreachable, ...), the purchase is failed and refunded with `xbr.error.transaction_failed` (or the
 * thrown error's URI), and the reason is logged. Storage errors propagate: the maker must not serve.
 * @example await recoverInflight(db, async (tx) => ((await askSeller(tx)) ? { ok: true } : { ok: false, error: 'xbr.error.transaction_failed' }))
 */
export async function recoverInflight(db: MakerDb, decide: RecoveryDecision, options: RecoverOptions = {}): Promise<ResolvedPurchase[]> {
  const resolved: ResolvedPurchase[] = [];
  for (const tx of inflightPurchases(db)) {
    let outcome: PurchaseOutcome;
    try {
      outcome = await decide(tx);
    } catch (err) {
      const e = toWampError(err, XbrErrorUri.transactionFailed);
      options.log?.warn('recovery: cannot decide an interrupted purchase, refunding it', { tid: formatUuid(tx.tid), error: e });
      outcome = { ok: false, error: e.uri };
    }
    // Still INFLIGHT? (decide may have resolved it itself, or a concurrent caller did.)
    if (db.transactions.get(tx.tid as Uuid)?.state !== TransactionState.INFLIGHT) continue;
    const r = resolvePurchase(db, tx.tid, outcome, options.now === undefined ? {} : { now: options.now() });
    options.log?.info('recovery: interrupted purchase resolved', {
      tid: formatUuid(tx.tid),
      payment_channel: formatUuid(tx.payment_channel),
      state: r.transaction.state,
      amount: tx.amount,
    });
    resolved.push(r);
  }
  return resolved;
}
