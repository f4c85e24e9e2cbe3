/**
 * Off-chain replica of an XBR payment or paying channel (docs/protocol.md#maker-records `Channel`), kept in the maker DB's
 * `payment_channels` / `paying_channels`. Unlike the original, it keeps the open signature and block,
 * the closing data and the final on-chain state (docs/protocol.md#maker-defect-24).
 */
import type { Address, Amount, Hash32, NsTime, Signature65, Uuid } from '../../codec/types.js';

/** Channel type, as in the XBR contracts (`ChannelType`, uint8). */
export const ChannelType = { NONE: 0, PAYMENT: 1, PAYING: 2 } as const;
export type ChannelType = (typeof ChannelType)[keyof typeof ChannelType];

/** Channel life cycle (`ChannelState`, uint8). */
export const ChannelState = { NONE: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, FAILED: 4 } as const;
export type ChannelState = (typeof ChannelState)[keyof typeof ChannelState];

/** A payment (buyer → maker) or paying (maker → seller) channel. */
export interface Channel {
  /** Market the channel belongs to. */
  market_oid: Uuid;
  /** Member account id, when known (the chain has none; kept for the original's shape). */
  member_oid?: Uuid;
  channel_oid: Uuid;
  /** When the maker replicated the channel, ns; second field of the by-delegate/actor/recipient index keys. */
  timestamp: NsTime;
  channel_type: ChannelType;
  /** Block number of the `Opened` event (`openedAt`). */
  open_at: bigint;
  /** The member's EIP712ChannelOpen signature from the `Opened` event. */
  open_sig?: Signature65;
  /** Hash of the transaction that opened the channel. */
  open_tx?: Hash32;
  /** Channel sequence number at open (1 in the original). */
  seq: number;
  marketmaker: Address;
  actor: Address;
  delegate: Address;
  recipient: Address;
  /** Total amount deposited in the channel (uint256). */
  amount: Amount;
  /** Non-cooperative close timeout, blocks. */
  timeout: number;
  state: ChannelState;
  /** Block at which a close was requested (the `closeAt` of the close). */
  closing_at?: bigint;
  /** Off-chain sequence number the channel is closed at. */
  close_channel_seq?: number;
  /** Balance left to the channel's owner at close (uint256). */
  close_balance?: Amount;
  close_is_final?: boolean;
  /** Maker's EIP712ChannelClose signature. */
  close_mm_sig?: Signature65;
  /** Delegate's EIP712ChannelClose signature. */
  close_del_sig?: Signature65;
  /** Hash of the closeChannel transaction the maker sent. */
  close_tx?: Hash32;
  /** Block of the on-chain `Closed` event. */
  closed_at?: bigint;
  /** Hash of the transaction that emitted `Closed`. */
  closed_tx?: Hash32;
}
