/**
 * The XBRChannel events the monitor delivers to a market's channel sink (`sinks.ts`), with where each was
 * emitted. Apart from the monitor's other types (`types.ts`) because the sinks need them and the options
 * need the sinks.
 */
import type { Address, Amount, Hash32, Uuid } from '../../schema/codec/index.js';

/** Where a channel event was emitted. */
export interface ChannelEventOrigin {
  readonly blockNumber: bigint;
  readonly blockHash: Hash32;
  readonly txHash: Hash32;
  readonly logIndex: number;
}

/** `XBRChannel.Opened`. */
export interface ChannelOpenedChainEvent extends ChannelEventOrigin {
  readonly type: 'Opened';
  /** 1 PAYMENT, 2 PAYING. */
  readonly ctype: number;
  readonly marketId: Uuid;
  readonly channelId: Uuid;
  readonly actor: Address;
  readonly delegate: Address;
  readonly marketmaker: Address;
  readonly recipient: Address;
  readonly amount: Amount;
  /** The actor's EIP712ChannelOpen signature as emitted (65 bytes for every accepted open). */
  readonly signature: Uint8Array;
}

/** `XBRChannel.Closing`: a non-final close started (or restarted) the timeout. */
export interface ChannelClosingChainEvent extends ChannelEventOrigin {
  readonly type: 'Closing';
  readonly ctype: number;
  readonly marketId: Uuid;
  readonly channelId: Uuid;
  readonly payout: Amount;
  /** Net of the network contribution. */
  readonly fee: Amount;
  readonly refund: Amount;
  /** Block number from which `settleChannel` may pay out. */
  readonly timeoutAt: bigint;
}

/** `XBRChannel.Closed`: paid out. */
export interface ChannelClosedChainEvent extends ChannelEventOrigin {
  readonly type: 'Closed';
  readonly ctype: number;
  readonly marketId: Uuid;
  readonly channelId: Uuid;
  readonly payout: Amount;
  readonly fee: Amount;
  readonly refund: Amount;
  /** Block number of the payout. */
  readonly closedAt: bigint;
}

export type ChannelChainEvent = ChannelOpenedChainEvent | ChannelClosingChainEvent | ChannelClosedChainEvent;
