/**
 * A key purchase (docs/protocol.md#maker-records `Transaction`), in the maker DB's `transactions`. Fixes of the original
 * (docs/protocol.md#maker-defect-19): the state is stored, payment and paying channel ids are distinct fields, and the offer,
 * key, buyer key, post-balances and signatures are recorded.
 *
 * Ours: what the buyer's `buy_key` answer is made of (`close_at`, `amount_offered`; at a SUCCESS the
 * `sealed_key`; the payment balance after the resolve), so the identical signed call gets the same answer
 * again from this record (`findPurchaseReplay`). Values the channel lock makes redundant are left out
 * (every byte is written twice per purchase). These fields are optional: a record written before them is
 * still read, it just cannot be answered again.
 */
import type { Amount, Ed25519PublicKey, NsTime, Signature65, Uuid } from '../../codec/types.js';

/** Purchase state (`TransactionState`, uint8). */
export const TransactionState = { NONE: 0, INFLIGHT: 1, FAILED: 2, SUCCESS: 3 } as const;
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

export interface Transaction {
  /** Transaction id (primary key). */
  tid: Uuid;
  /** When the reserve was committed, ns. */
  created: NsTime;
  /** Payment balance seq before the reserve. */
  created_payment_channel_seq: number;
  /** Paying balance seq before the reserve. */
  created_paying_channel_seq: number;
  offer: Uuid;
  key: Uuid;
  /** Price paid (uint256). */
  amount: Amount;
  /** Buyer's payment channel. */
  payment_channel: Uuid;
  /** Seller's paying channel. */
  paying_channel: Uuid;
  state: TransactionState;
  /** Buyer's Ed25519 key the data key is sealed to. */
  buyer_pubkey: Ed25519PublicKey;
  /** Payment `remaining` after the reserve (uint256; what the buyer signed). */
  payment_channel_after: Amount;
  /** Paying `remaining` after the reserve (uint256; what the maker signs to the seller). */
  paying_channel_after: Amount;
  /** When the purchase was resolved, ns. */
  completed?: NsTime;
  completed_payment_channel_seq?: number;
  completed_paying_channel_seq?: number;
  /** Maker's receipt signature to the buyer. */
  payment_mm_sig?: Signature65;
  /** Buyer delegate's signature. */
  payment_del_sig?: Signature65;
  /** Maker's signature to the seller. */
  paying_mm_sig?: Signature65;
  /** Seller delegate's signature. */
  paying_del_sig?: Signature65;
  /** Why a FAILED purchase failed (error URI). */
  error?: string;
  /** The `closeAt` block of the buyer's signed state (and of every signature of this purchase). */
  close_at?: bigint;
  /** `amount` of `buy_key` (the most the buyer agreed to pay) when it is not the price charged (`amount`); absent: equal to it. */
  amount_offered?: Amount;
  /** SUCCESS: the data key sealed to `buyer_pubkey`, as the seller returned it (only the buyer can open it). */
  sealed_key?: Uint8Array;
  /**
   * Payment `remaining` right after the resolve, when it is not what the channel lock makes it (SUCCESS:
   * `payment_channel_after`; FAILED: `payment_channel_after + amount`); absent: that.
   */
  completed_payment_remaining?: Amount;
  /** Payment `inflight` right after the resolve when it is not 0; absent: 0. */
  completed_payment_inflight?: Amount;
}
