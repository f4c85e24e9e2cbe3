/**
 * The maker DB's schema history (see `migrations.ts` for how steps run):
 *
 * | step | what |
 * |---|---|
 * | 1 → 2 | `idx_transaction_by_payment_seq` was added under version 1 (2026-12): DBs written before it have no entries for their transactions. The step builds it for every stored transaction, and drops the settled transactions' entries that builds before 2026-11 left in `idx_transaction_by_state`. |
 */
import { MakerIndex, transactionByPaymentSeq, transactionByState } from './maker-schema.js';
import type { Migration } from './migrations.js';
import { rebuildIndex } from './table.js';

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
];
