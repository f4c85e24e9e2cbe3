/** `get_payment_channel(channel_oid)` (docs/protocol.md#channel-getters): one of the caller's payment channels. */
import { ChannelType } from '../../../schema/db/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { getChannelWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getPaymentChannelProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getPaymentChannel> {
  return async (call) => getChannelWire(ctx.makerDb, ChannelType.PAYMENT, onlyArg('get_payment_channel', call, 'channel_oid'), channelReader(call));
}
