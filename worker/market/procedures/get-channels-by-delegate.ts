/**
 * `get_channels_by_delegate(delegate_adr, channel_type, filter_open=True)` (docs/protocol.md#get-channels-by): the ids of the
 * caller's channels of a delegate, oldest first.
 */
import type { MakerContext, MakerHandler } from '../api/index.js';
import { getChannelsByDelegate } from '../ledger/index.js';
import { channelListArgs, channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getChannelsByDelegateProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getChannelsByDelegate> {
  return async (call) => {
    const a = channelListArgs('get_channels_by_delegate', 'delegate_adr', call);
    return getChannelsByDelegate(ctx.makerDb, a.adr, a.type, a.filterOpen, channelReader(call));
  };
}
