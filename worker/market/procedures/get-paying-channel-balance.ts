/**
 * `get_paying_channel_balance(channel_oid)` (docs/protocol.md#channel-getters): the off-chain balance of one of the caller's paying
 * channels.
 */
import { ChannelType } from '../../../schema/db/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { getChannelBalanceWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getPayingChannelBalanceProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getPayingChannelBalance> {
  return async (call) => getChannelBalanceWire(ctx.makerDb, ChannelType.PAYING, onlyArg('get_paying_channel_balance', call, 'channel_oid'), channelReader(call));
}
