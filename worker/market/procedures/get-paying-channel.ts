/** `get_paying_channel(channel_oid)` (docs/protocol.md#channel-getters): one of the caller's paying channels, with its earnings. */
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { getPayingChannelWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getPayingChannelProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getPayingChannel> {
  return async (call) => getPayingChannelWire(ctx.makerDb, onlyArg('get_paying_channel', call, 'channel_oid'), channelReader(call));
}
