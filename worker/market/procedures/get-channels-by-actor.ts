/**
 * `get_channels_by_actor(member_adr, channel_type, filter_open=True)` (docs/protocol.md#get-channels-by): the ids of the caller's
 * channels as their actor, oldest first.
 */
import type { MakerContext, MakerHandler } from '../api/index.js';
import { getChannelsByActor } from '../ledger/index.js';
import { channelListArgs, channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getChannelsByActorProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getChannelsByActor> {
  return async (call) => {
    const a = channelListArgs('get_channels_by_actor', 'member_adr', call);
    return getChannelsByActor(ctx.makerDb, a.adr, a.type, a.filterOpen, channelReader(call));
  };
}
