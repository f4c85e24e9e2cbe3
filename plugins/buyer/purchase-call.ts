/**
 * One signed `buy_key` call of the buyer, kept as sent: when its answer is lost (connection, cancel, a maker
 * that died before answering) the buyer does not know whether it paid, so it sends exactly this call again —
 * same arguments, same signature — before it signs anything new. The maker answers an identical call with
 * the purchase it made (the same receipt and sealed key, or the same signed refund), or runs it if it never
 * arrived; either way the key is paid for once. Nothing here does I/O.
 */
import { packUint256 } from '../../schema/codec/index.js';
import type { Address, Ed25519PublicKey, Uuid } from '../../schema/codec/index.js';
import { DATA_KEY_BYTES } from '../../schema/crypto/index.js';
import type { SealedBoxKeyPair } from '../../schema/crypto/index.js';
import { formatUuid } from '../../schema/codec/index.js';
import { WampError, WampErrorUri, isError } from '../../schema/index.js';
import { type MarketMakerProcedure, XbrErrorUri } from '../../schema/index.js';
import type { MakerArgs, MakerKwargs } from '../../schema/api/index.js';
import { isUnanswered } from '../common/index.js';
import type { ChannelState } from './channel-state.js';

type BuyKeyArgs = MakerArgs<typeof MarketMakerProcedure.buyKey>;
type BuyKeyKwargs = MakerKwargs<typeof MarketMakerProcedure.buyKey>;

/** A `buy_key` call as sent, with what its answer is checked against. */
export interface PurchaseCall {
  readonly keyId: Uuid;
  readonly price: bigint;
  readonly closeAt: bigint;
  /** The state the purchase builds on (a refund must be newer). */
  readonly before: ChannelState;
  /** The state it signed: (seq + 1, remaining − price). */
  readonly expected: ChannelState;
  readonly args: BuyKeyArgs;
  readonly kwargs: BuyKeyKwargs;
}

/** The `buy_key` call of `keyId` at `price` over `before`, signed (`signature` over `expected` at `closeAt`). */
export function purchaseCall(
  p: { delegate: Address; buyerPubkey: Ed25519PublicKey; keyId: Uuid; price: bigint; closeAt: bigint; before: ChannelState; expected: ChannelState },
  signature: Uint8Array,
): PurchaseCall {
  const e = p.expected;
  return {
    keyId: p.keyId,
    price: p.price,
    closeAt: p.closeAt,
    before: p.before,
    expected: e,
    args: [p.delegate, p.buyerPubkey, p.keyId, e.channelId, e.seq, packUint256(p.price), packUint256(e.remaining), signature],
    kwargs: { close_at: Number(p.closeAt) },
  };
}

/**
 * Whether a failed `buy_key` left its outcome unknown, so the identical call must be sent again: no answer
 * ({@link isUnanswered}); and, for a call sent again, also `wamp.error.no_such_procedure` — the maker is not
 * registered (yet) again, e.g. while it restarts after the crash that lost the first answer.
 */
export function outcomeUnknown(err: unknown, again: boolean): boolean {
  return isUnanswered(err) || (again && isError(err, WampErrorUri.noSuchProcedure));
}

/**
 * The data key of a verified receipt of `p`, unsealed with the buyer's key.
 * @throws WampError `xbr.error.decryption_failed` (it does not open, or is not a 32-byte key)
 */
export function unsealKey(box: SealedBoxKeyPair, sealedKey: Uint8Array, p: PurchaseCall): Uint8Array {
  const kid = formatUuid(p.keyId);
  let key: Uint8Array;
  try {
    key = box.open(sealedKey);
  } catch (err) {
    throw new WampError(XbrErrorUri.decryptionFailed, `key ${kid} was paid for (${p.price}), but its sealed key does not open with this buyer's key`, { kwargs: { key_id: p.keyId }, cause: err });
  }
  if (key.length !== DATA_KEY_BYTES) {
    throw new WampError(XbrErrorUri.decryptionFailed, `key ${kid} was paid for (${p.price}), but the sealed key holds ${key.length} bytes, not ${DATA_KEY_BYTES}`, { kwargs: { key_id: p.keyId } });
  }
  return key;
}
