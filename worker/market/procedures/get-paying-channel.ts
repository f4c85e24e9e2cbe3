/** `get_paying_channel(channel_oid)` (docs/protocol.md#channel-getters): one of the caller's paying channels. */
import { ChannelType } from '../../../schema/db/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { getChannelWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getPayingChannelProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getPayingChannel> {
  return async (call) => getChannelWire(ctx.makerDb, ChannelType.PAYING, onlyArg('get_paying_channel', call, 'channel_oid'), channelReader(call));
}
