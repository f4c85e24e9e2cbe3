/**
 * The maker's off-chain ledger entry of a channel (docs/protocol.md#maker-records `ChannelBalance`, plus `spent`), kept in
 * `payment_balances` / `paying_balances` under the channel id. Invariant (docs/protocol.md#ledger-rules):
 * `channel.amount == remaining + inflight + spent`, all ≥ 0, `seq` strictly increasing with each payment.
 */
import type { Amount } from '../../codec/types.js';

export interface ChannelBalance {
  /** Not yet spent nor reserved (uint256). */
  remaining: Amount;
  /** Reserved by purchases whose seller call has not been resolved (uint256). */
  inflight: Amount;
  /** Paid by resolved (SUCCESS) purchases (uint256). */
  spent: Amount;
  /** Off-chain channel sequence number of the latest signed balance. */
  seq: number;
  /**
   * Purchases resolved SUCCESS on this channel (absent: none). Kept here, in the record every resolve writes
   * anyway, so a seller's earnings (`get_paying_channel`) cost one read instead of a walk over its sales.
   */
  sales?: number;
  /** Purchases resolved FAILED (refunded) on this channel (absent: none). */
  refunds?: number;
}

/**
 * The balance of a freshly opened channel: everything remaining, sequence 1 (as the original).
 * @example initialBalance(channel.amount) // { remaining: amount, inflight: 0n, spent: 0n, seq: 1 }
 */
export function initialBalance(amount: Amount, seq = 1): ChannelBalance {
  return { remaining: amount, inflight: 0n, spent: 0n, seq };
}
