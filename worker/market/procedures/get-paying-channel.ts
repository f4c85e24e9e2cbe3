/** `get_paying_channel(channel_oid)` (docs/protocol.md#channel-getters): one of the caller's paying channels. */
import { ChannelType } from '../../../schema/db/index.js';
import { onlyArg, type MakerContext, type ProcedureHandler } from '../api/index.js';
import { getChannelWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';

export function getPayingChannelProcedure(ctx: MakerContext): ProcedureHandler {
  return async (call) => getChannelWire(ctx.makerDb, ChannelType.PAYING, onlyArg('get_paying_channel', call, 'channel_oid'), channelReader(call));
}
