/**
 * What the buyer gets back from `buy_key`, always with a maker signature over the payment channel's
 * ledger state (EIP712ChannelClose, isFinal = false, at the buyer's `close_at`):
 * - SUCCESS: the docs/protocol.md#buy-key receipt, signed over (seq, remaining) after the purchase — signed only once the
 *   resolve transaction is on disk (docs/protocol.md#ledger-rules), and made from that transaction record alone, so the identical
 *   call asked again gets the same receipt;
 * - FAILURE after the reservation: the ledger has refunded the price durably but kept the advanced seq,
 *   so the error's kwargs carry the refunded state and the maker's signature over it (`signature`,
 *   `channel_seq`, `remaining`, `close_at`): the buyer holds a maker-signed copy of the state the next
 *   purchase builds on (sign `channel_seq + 1`, `remaining − price`).
 */
import type { BuyKeyResult } from '../../../schema/api/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { Amount, Hash32, Uuid } from '../../../schema/codec/index.js';
import { signChannelClose } from '../../../schema/eip712/index.js';
import { hashChannelClose } from '../../../schema/eip712/index.js';
import { signDigest } from '../../../schema/eip712/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { channelCloseMessage, type MarketBinding } from '../../../schema/eip712/index.js';
import { amountOffered, paymentAfterResolve, type ReservedPurchase, type ResolvedPurchase, type SoldTransaction } from '../ledger/index.js';
import type { BuyKeyInput } from './buy-key-args.js';

/**
 * The receipt of a SUCCESS transaction record: the first answer and every identical call after it
 * (`buy-key-replay.ts`) are made by this one function from the same stored fields, so they are the same
 * (the maker's signature too: RFC 6979 deterministic ECDSA over the same digest).
 * @param digest the EIP712 digest of the receipt's state when already at hand (the buyer's, checked at the reserve)
 */
export function receiptOf(makerKey: Uint8Array, binding: MarketBinding, tx: SoldTransaction, delegate: Uint8Array, digest?: Hash32): BuyKeyResult {
  const after = paymentAfterResolve(tx);
  return {
    key_id: tx.key,
    delegate,
    buyer_pubkey: tx.buyer_pubkey,
    sealed_key: tx.sealed_key,
    offer_id: tx.offer,
    free_rated: tx.amount === 0n,
    amount: packUint256(amountOffered(tx)),
    amount_paid: packUint256(tx.amount),
    channel_seq: after.seq,
    payment_channel: tx.payment_channel,
    remaining: packUint256(after.remaining),
    inflight: packUint256(after.inflight),
    signature: signDigest(digest ?? hashChannelClose(channelCloseMessage(binding, tx.close_at, tx.payment_channel, after.seq, after.remaining, false)), makerKey),
    close_at: tx.close_at,
  };
}

/** The signed receipt of a purchase `runPurchase` just resolved (SUCCESS): the stored record's receipt. */
export function buyKeyReceipt(makerKey: Uint8Array, binding: MarketBinding, reserved: ReservedPurchase, resolved: ResolvedPurchase): BuyKeyResult {
  const signed = reserved.payment.message;
  const after = resolved.paymentBalance;
  const tx = resolved.transaction;
  // The channel lock was held from reserve to resolve, so the state the buyer signed is the ledger's now.
  if (signed.channelSeq !== after.seq || signed.balance !== after.remaining) {
    throw new WampError(WampErrorUri.runtimeError, `payment channel state moved during the purchase (signed seq ${signed.channelSeq}/${signed.balance}, ledger ${after.seq}/${after.remaining})`);
  }
  if (tx.sealed_key === undefined || tx.close_at === undefined || tx.completed_payment_channel_seq === undefined) {
    throw new WampError(WampErrorUri.runtimeError, 'the resolved purchase does not hold its receipt (sealed key, close_at, seq after)');
  }
  return receiptOf(makerKey, binding, tx as SoldTransaction, reserved.payment.channel.delegate, reserved.payment.digest);
}

/**
 * `err` (from `runPurchase` after the refund was committed) with the maker's signature over the refunded
 * payment state added to its kwargs.
 */
export function refundedError(err: WampError, makerKey: Uint8Array, binding: MarketBinding, input: BuyKeyInput, channelId: Uuid, seq: number, remaining: Amount): WampError {
  const signature = signChannelClose(channelCloseMessage(binding, input.closeAt, channelId, seq, remaining, false), makerKey);
  return new WampError(err.uri, err.message, {
    args: err.args,
    kwargs: { ...err.kwargs, payment_channel: channelId, channel_seq: seq, remaining: packUint256(remaining), close_at: input.closeAt, signature },
    cause: err,
  });
}
