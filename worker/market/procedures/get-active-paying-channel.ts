/**
 * `get_active_paying_channel(delegate_adr)` (docs/protocol.md#get-active-channel): the active paying channel of a seller
 * delegate, or None; another member's is refused.
 */
import { ChannelType } from '../../../schema/db/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { getActiveChannelWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getActivePayingChannelProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getActivePayingChannel> {
  return async (call) => getActiveChannelWire(ctx.makerDb, ChannelType.PAYING, onlyArg('get_active_paying_channel', call, 'delegate_adr'), ctx.marketId, channelReader(call));
}
