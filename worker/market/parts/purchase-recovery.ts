/**
 * Start-up recovery of purchases (docs/protocol.md#ledger-rules): a purchase left INFLIGHT by a crash between reserve and
 * resolve is FAILED and refunded before the maker serves.
 *
 * Why not ask the seller whether it sold: even if it did, the sealed key died with the crashed process,
 * so the buyer never received it; completing the sale would charge the buyer for nothing. (A crash after
 * the resolve commit leaves nothing INFLIGHT: the sale and its sealed key are stored, and the buyer's
 * identical call gets them, worker/market/procedures/buy-key-replay.ts.) Refunding keeps
 * the buyer whole. Seller-side consequence: the seller may hold the maker's signature over the paying
 * state of that purchase (seq N, remaining − price). The ledger keeps the advanced seq (N) with the price
 * back in `remaining`, and the next sale on that channel is seq N + 1, which supersedes it on chain; until
 * then the seller could close at seq N and be paid for one key the buyer never got (at most one price per
 * interrupted purchase, logged below with its ids so an operator can reconcile).
 */
import { formatUuid } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import type { Logger } from '../../../schema/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import { inflightPurchases, recoverInflight, type ResolvedPurchase } from '../ledger/index.js';

/**
 * Fails and refunds every INFLIGHT purchase; returns the resolved ones. Storage errors propagate (the maker must
 * not serve). `when` says in the log what interrupted them: the crash before this start, or a write the DB refused
 * (worker/host/storage-fence.ts), after which the buyer never received the key either.
 */
export async function recoverPurchases(db: MakerDb, log: Logger, when: 'at start' | 'after a refused write' = 'at start'): Promise<ResolvedPurchase[]> {
  for (const tx of inflightPurchases(db)) {
    log.warn(`interrupted purchase found ${when}: failing and refunding it (the buyer never received the key)`, {
      tid: formatUuid(tx.tid),
      payment_channel: formatUuid(tx.payment_channel),
      paying_channel: formatUuid(tx.paying_channel),
      offer: formatUuid(tx.offer),
      amount: tx.amount,
      paying_seq: tx.created_paying_channel_seq + 1,
    });
  }
  return recoverInflight(db, () => ({ ok: false, error: XbrErrorUri.transactionFailed }), { log });
}
