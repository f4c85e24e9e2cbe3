/**
 * `buy_key` asked again (docs/protocol.md#ledger-rules): the identical signed call — after a lost connection, a cancel, or a crash
 * of the maker between the resolve commit and the answer — gets the answer of the purchase it made, from the
 * transaction record: the same receipt and sealed key for a SUCCESS, the same refund error with the maker's
 * signature over the refunded state for a FAILED purchase. The seller is not called and nothing is charged or
 * written.
 *
 * Asked only after the normal path refused without reserving (a used seq is refused by the ledger, and the
 * offer may have sold out or expired since), so a normal purchase pays nothing for it. A first call still
 * running is waited for: the payment channel's lock is held from its reserve until its resolve is queued, so
 * once the lock is free (taken and released at once) and the queued commit is durable, the record is settled.
 */
import type { BuyKeyResult } from '../../../schema/api/index.js';
import { WampError, remoteErrorUri } from '../../../schema/index.js';
import type { Address } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import type { MakerDb } from '../../../schema/db/index.js';
import { XbrErrorUri } from '../../../schema/index.js';
import { findPurchaseReplay, paymentAfterResolve, paymentLockKey, type KeyedMutex, type PurchaseReplayRequest } from '../ledger/index.js';
import type { MarketBinding } from '../../../schema/eip712/index.js';
import type { BuyKeyInput } from './buy-key-args.js';
import { receiptOf, refundedError } from './buy-key-receipt.js';

export interface AnswerAgainContext {
  readonly db: MakerDb;
  readonly mutex: KeyedMutex;
  readonly makerKey: Uint8Array;
  readonly binding: MarketBinding;
}

/**
 * The answer the identical call `input` got, or undefined when `input` is not one (the caller's refusal stands).
 * @throws WampError the refund error of a FAILED purchase (its URI; kwargs `payment_channel`, `channel_seq`,
 *   `remaining`, `close_at`, `signature`); `wamp.error.not_authorized` when the caller is not the channel's actor
 */
export async function answerAgain(ctx: AnswerAgainContext, input: BuyKeyInput, buyerMember: Address): Promise<BuyKeyResult | undefined> {
  const req: PurchaseReplayRequest = {
    paymentChannelId: input.channelId,
    channelSeq: input.channelSeq,
    buyerDelegate: input.delegate,
    buyerMember,
    buyerPubkey: input.buyerPubkey,
    keyId: input.keyId,
    amount: input.amount,
    balance: input.balance,
    signature: input.signature,
    closeAt: input.closeAt,
  };
  let found = findPurchaseReplay(ctx.db, req);
  if (found?.state === 'inflight') {
    await ctx.mutex.run(paymentLockKey(input.channelId), () => undefined);
    await ctx.db.env.flushed();
    found = findPurchaseReplay(ctx.db, req);
  }
  if (found === undefined || found.state === 'inflight') return undefined;
  const tx = found.transaction;
  if (found.state === 'sold') return receiptOf(ctx.makerKey, ctx.binding, found.transaction, found.channel.delegate);
  // The stored URI is whatever the purchase failed with, possibly a seller's: passed on unchecked.
  const uri = tx.error === undefined ? XbrErrorUri.transactionFailed : remoteErrorUri(tx.error);
  const first = new WampError(uri, `the purchase of key ${formatUuid(tx.key)} at channel_seq ${input.channelSeq} failed (${uri}) and was refunded; this is its answer again`);
  const after = paymentAfterResolve(tx);
  throw refundedError(first, ctx.makerKey, ctx.binding, input, tx.payment_channel, after.seq, after.remaining);
}
