/** The "active channel" of a delegate (docs/protocol.md#active-channel): the one purchases use and `get_active_*_channel` returns. */
import type { Address, Uuid } from '../../../schema/codec/index.js';
import { channelTables, channelsByDelegate, type MakerDb } from '../../../schema/db/index.js';
import type { ChannelBalance } from '../../../schema/db/index.js';
import { ChannelState, type Channel, type ChannelType } from '../../../schema/db/index.js';
import { sameBytes } from './types.js';

/** PAYMENT (1) or PAYING (2). */
export type LedgerChannelType = typeof ChannelType.PAYMENT | typeof ChannelType.PAYING;

/** A channel with its ledger balance. */
export interface ChannelWithBalance {
  readonly channel: Channel;
  readonly balance: ChannelBalance;
}

/** OPEN and something left to spend: what `filter_open` and the active lookup keep. */
export function isUsable(channel: Channel, balance: ChannelBalance | undefined): balance is ChannelBalance {
  return channel.state === ChannelState.OPEN && balance !== undefined && balance.remaining > 0n;
}

/**
 * The oldest (by replication time) OPEN channel of `delegate` with `remaining > 0`, as the original
 * (docs/protocol.md#active-channel; the original's paying lookup also goes by delegate). With `marketId`, channels of other
 * markets are skipped. Purchases use exactly this channel, so the seller's `get_active_paying_channel`
 * and the channel the maker pays through never disagree.
 * @example const active = activeChannel(db, ChannelType.PAYING, offer.seller, marketId)
 */
export function activeChannel(db: MakerDb, type: LedgerChannelType, delegate: Address, marketId?: Uuid): ChannelWithBalance | undefined {
  const { balances } = channelTables(db, type);
  for (const channel of channelsByDelegate(db, type, delegate)) {
    if (marketId !== undefined && !sameBytes(channel.market_oid, marketId)) continue;
    const balance = balances.get(channel.channel_oid);
    if (isUsable(channel, balance)) return { channel, balance };
  }
  return undefined;
}
