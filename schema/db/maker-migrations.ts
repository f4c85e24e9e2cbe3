/**
 * The maker DB's schema history (see `migrations.ts` for how steps run):
 *
 * | step | what |
 * |---|---|
 * | 1 → 2 | `idx_transaction_by_payment_seq` was added under version 1 (2026-12): DBs written before it have no entries for their transactions. The step builds it for every stored transaction, and drops the settled transactions' entries that builds before 2026-11 left in `idx_transaction_by_state`. |
 * | 2 → 3 | Balances count their channel's sales and refunds (`ChannelBalance.sales` / `refunds`, 2026-12). The step counts the stored SUCCESS and FAILED transactions of every channel into its balance record. |
 * | 3 → 4 | The offer book got indexes by (API, seller), by (API, category), by (API, two categories), by (API, URI) and by expiry (2026-12). The step builds them for every stored offer. |
 */
import type { Database } from 'lmdb';
import { MakerIndex, offerIndexes, transactionByPaymentSeq, transactionByState } from './maker-schema.js';
import type { Migration } from './migrations.js';
import type { ChannelBalance } from './records/balance.js';
import { TransactionState, type Transaction } from './records/transaction.js';
import { rebuildIndex } from './table.js';

interface Counts {
  sales: number;
  refunds: number;
}

/** Writes each channel's counted sales and refunds into its balance record; returns how many records changed. */
function writeCounts(balances: Database, counts: Map<string, Counts>): number {
  let changed = 0;
  // Collected before anything is written: a cursor must not run over entries this loop changes.
  const present = [...balances.getRange({})].map(({ key, value }) => ({ key: Buffer.from(key as Uint8Array), value: value as ChannelBalance }));
  for (const { key, value } of present) {
    const c = counts.get(key.toString('hex'));
    if (c === undefined) continue;
    balances.putSync(key, { ...value, sales: c.sales, refunds: c.refunds });
    changed++;
  }
  return changed;
}

export const MAKER_MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    to: 2,
    describe: 'index every transaction by (payment channel, seq); keep only INFLIGHT ones in the by-state index',
    migrate(txn) {
      const transactions = txn.sub('transactions');
      const bySeq = rebuildIndex(transactions, txn.sub(MakerIndex.transactionByPaymentSeq), transactionByPaymentSeq);
      const byState = rebuildIndex(transactions, txn.sub(MakerIndex.transactionByState), transactionByState);
      return { transactions: transactions.getKeysCount(), payment_seq_added: bySeq.added, by_state_removed: byState.removed };
    },
  },
  {
    from: 2,
    to: 3,
    describe: 'count each channel\'s sales and refunds into its balance record',
    migrate(txn) {
      const payment = new Map<string, Counts>();
      const paying = new Map<string, Counts>();
      const count = (m: Map<string, Counts>, id: Uint8Array, state: TransactionState): void => {
        if (state !== TransactionState.SUCCESS && state !== TransactionState.FAILED) return;
        const k = Buffer.from(id).toString('hex');
        const c = m.get(k) ?? { sales: 0, refunds: 0 };
        if (state === TransactionState.SUCCESS) c.sales++;
        else c.refunds++;
        m.set(k, c);
      };
      let transactions = 0;
      for (const { value } of txn.sub('transactions').getRange({})) {
        const tx = value as Transaction;
        transactions++;
        count(payment, tx.payment_channel, tx.state);
        count(paying, tx.paying_channel, tx.state);
      }
      return {
        transactions,
        payment_balances: writeCounts(txn.sub('payment_balances'), payment),
        paying_balances: writeCounts(txn.sub('paying_balances'), paying),
      };
    },
  },
  {
    from: 3,
    to: 4,
    describe: 'index the offer book by (API, seller), (API, category), (API, two categories), (API, URI) and expiry',
    migrate(txn) {
      const offers = txn.sub('offers');
      const built: Record<string, number> = { offers: offers.getKeysCount() };
      for (const def of [offerIndexes.byApiSeller, offerIndexes.byCategory, offerIndexes.byCategoryPair, offerIndexes.byUri, offerIndexes.byExpiry]) {
        built[def.name] = rebuildIndex(offers, txn.sub(def.name), def).added;
      }
      return built;
    },
  },
];
