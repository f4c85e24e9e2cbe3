/**
 * What the buyer gets back from `buy_key`, always with a maker signature over the payment channel's
 * ledger state (EIP712ChannelClose, isFinal = false, at the buyer's `close_at`):
 * - SUCCESS: the §3.11 receipt, signed over (seq, remaining) after the purchase — signed only once the
 *   resolve transaction is on disk (DESIGN §5);
 * - FAILURE after the reservation: the ledger has refunded the price durably but kept the advanced seq,
 *   so the error's kwargs carry the refunded state and the maker's signature over it (`signature`,
 *   `channel_seq`, `remaining`, `close_at`): the buyer holds a maker-signed copy of the state the next
 *   purchase builds on (sign `channel_seq + 1`, `remaining − price`).
 */
import { packUint256 } from '../../../schema/codec/uint256.js';
import type { Amount, Uuid } from '../../../schema/codec/types.js';
import { signChannelClose } from '../../../schema/eip712/channelClose.js';
import { signDigest } from '../../../schema/eip712/signDigest.js';
import { WampError, WampErrorUri } from '../../../schema/errors.js';
import { closeMessage, type MarketBinding, type ReservedPurchase, type ResolvedPurchase } from '../ledger/index.js';
import type { BuyKeyInput } from './purchase-args.js';
import type { SoldKey } from './purchase-sell.js';

/** The §3.11 receipt (plus `close_at`, the block the signed state carries). */
export interface BuyKeyReceipt {
  key_id: Uint8Array;
  delegate: Uint8Array;
  buyer_pubkey: Uint8Array;
  sealed_key: Uint8Array;
  offer_id: Uint8Array;
  free_rated: boolean;
  amount: Uint8Array;
  amount_paid: Uint8Array;
  channel_seq: number;
  payment_channel: Uint8Array;
  remaining: Uint8Array;
  inflight: Uint8Array;
  signature: Uint8Array;
  close_at: bigint;
}

/** The signed receipt of a resolved (SUCCESS) purchase. */
export function buyKeyReceipt(makerKey: Uint8Array, input: BuyKeyInput, reserved: ReservedPurchase, resolved: ResolvedPurchase, sold: SoldKey): BuyKeyReceipt {
  const signed = reserved.payment.message;
  const after = resolved.paymentBalance;
  // The channel lock was held from reserve to resolve, so the state the buyer signed is the ledger's now.
  if (signed.channelSeq !== after.seq || signed.balance !== after.remaining) {
    throw new WampError(WampErrorUri.runtimeError, `payment channel state moved during the purchase (signed seq ${signed.channelSeq}/${signed.balance}, ledger ${after.seq}/${after.remaining})`);
  }
  return {
    key_id: input.keyId,
    delegate: input.delegate,
    buyer_pubkey: input.buyerPubkey,
    sealed_key: sold.sealedKey,
    offer_id: reserved.offer.offer,
    free_rated: reserved.price === 0n,
    amount: packUint256(input.amount),
    amount_paid: packUint256(reserved.price),
    channel_seq: after.seq,
    payment_channel: reserved.payment.channel.channel_oid,
    remaining: packUint256(after.remaining),
    inflight: packUint256(after.inflight),
    signature: signDigest(reserved.payment.digest, makerKey),
    close_at: signed.closeAt,
  };
}

/**
 * `err` (from `runPurchase` after the refund was committed) with the maker's signature over the refunded
 * payment state added to its kwargs.
 */
export function refundedError(err: WampError, makerKey: Uint8Array, binding: MarketBinding, input: BuyKeyInput, channelId: Uuid, seq: number, remaining: Amount): WampError {
  const signature = signChannelClose(closeMessage(binding, input.closeAt, channelId, seq, remaining, false), makerKey);
  return new WampError(err.uri, err.message, {
    args: err.args,
    kwargs: { ...err.kwargs, payment_channel: channelId, channel_seq: seq, remaining: packUint256(remaining), close_at: input.closeAt, signature },
    cause: err,
  });
}
