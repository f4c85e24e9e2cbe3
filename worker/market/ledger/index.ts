/**
 * The market maker's ledger: channels and key purchases as pure logic over the maker DB (no WAMP
 * session, no chain calls; clock, block number and outcomes are passed in). docs/protocol.md#differences.
 *
 * Decisions:
 * - **Two phases, one write each.** `reservePurchase` (checks + reserve + Transaction INFLIGHT) and
 *   `resolvePurchase` (SUCCESS: inflight → spent; FAILURE: inflight → remaining) are each one write
 *   transaction whose read-check-write is synchronous; a refusal throws inside it and changes nothing.
 *   The plain functions commit alone (`writeSync`, durable on return); the `…Batched` ones, used by
 *   `runPurchase`, join the next batched commit and resolve once it is durable (shared fsyncs).
 * - **Signed states equal the ledger.** The buyer signs (`ledger.seq + 1`, `ledger.remaining − price`) with
 *   the payment channel's delegate key; a replayed or skipped seq, or a different balance, is refused with
 *   the maker's seq/remaining in kwargs.
 * - **seq never goes back.** Every reservation advances seq by 1 on each channel it uses, also for a free
 *   key and also when the purchase later fails (the refund keeps the advanced seq; the buyer resyncs from
 *   the error kwargs or `get_payment_channel_balance`).
 * - **Paying leg = price.** The seller's paying channel moves by the same price as the buyer's payment
 *   channel (docs/protocol.md#balance-arithmetic); the market fee is taken by XBRChannel from each leg at settlement, not here.
 *   The paying channel used is the seller's active one (docs/protocol.md#active-channel) and must hold the whole price.
 * - **Free keys** need no paying channel (if the seller has an active one it advances by 1 at zero amount);
 *   the Transaction then has `paying_channel = NO_PAYING_CHANNEL` (16 zero bytes).
 * - **No signing here.** The results carry the EIP712ChannelClose messages; the caller signs them after
 *   the call returned, i.e. after the state they justify is on disk.
 * - **Offer copies** are taken by the caller's `onReserve(offer)` hook, inside the reserve transaction.
 * - **Serialization.** `runPurchase` holds a `KeyedMutex` on the payment channel and the seller delegate
 *   across the seller call; different channels/sellers run concurrently. The locks are released once the
 *   SUCCESS resolve has run in its write transaction (not after its fsync): the next purchase's reserve
 *   queues behind it, so it commits in the same batch or a later one and is never durable before it.
 * - **Asked again.** The reserve records `close_at` (and the buyer's `amount` when it is not the price), the
 *   resolve the sealed key, and `idx_transaction_by_payment_seq` maps (payment channel, seq) to the
 *   transaction: `findPurchaseReplay` finds the purchase an identical `buy_key` made, read-only, so the
 *   maker answers it again instead of refusing the used seq (a crash before the answer costs nothing).
 * - **Operators.** `listChannels` / `listTransactions` page the ledger; `replayAudit` replays every stored
 *   purchase (signatures, history, balances) and compares the channels with the chain, in one read snapshot,
 *   collecting every difference instead of throwing at the first (`auditLedger` is the start-up check that throws).
 * - **Closes.** `checkCooperativeClose` refuses a state other than the ledger's current one and any close
 *   while inflight > 0, then marks the channel CLOSING so no purchase can start on it.
 */
export { activeChannel } from './active-channel.js';
export { listChannels, listTransactions } from './admin-lists.js';
export { auditLedger } from './audit-ledger.js';
export { applyChannelEvent, type ChannelEvent } from './channel-events.js';
export { abandonCooperativeClose, checkCooperativeClose, type CloseDecision } from './cooperative-close.js';
export { beginMakerClose, recordSellerCoSignature } from './maker-close.js';
export { invalidSignature, ledgerCorrupt } from './errors.js';
export {
  amountOffered,
  findPurchaseReplay,
  paymentAfterResolve,
  type PurchaseReplayRequest,
  type SoldTransaction,
} from './find-purchase-replay.js';
export { getActiveChannelWire, getChannelBalanceWire, getChannelWire, getChannelsByActor, getChannelsByDelegate, getPayingChannelWire } from './getters.js';
export { KeyedMutex } from './keyed-mutex.js';
export { inflightPurchases, recoverInflight } from './recovery.js';
export { NO_PAYING_CHANNEL, reservePurchase, reservePurchaseBatched, type ReservedPurchase, type ReservePurchaseRequest } from './reserve-purchase.js';
export { resolvePurchase, resolvePurchaseBatched, type ResolvedPurchase } from './resolve-purchase.js';
export { paymentLockKey, runPurchase, verifySellerSignature, type SellResult } from './run-purchase.js';
export { replayAudit, type AuditChain, type ChainChannelView } from './replay-audit.js';
export { MAX_CHANNEL_SEQ } from './types.js';
