/**
 * `get_active_payment_channel(delegate_adr)` (docs/protocol.md#get-active-channel): the active payment channel of a buyer
 * delegate, or None; another member's is refused.
 */
import { ChannelType } from '../../../schema/db/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { getActiveChannelWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getActivePaymentChannelProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getActivePaymentChannel> {
  return async (call) => getActiveChannelWire(ctx.makerDb, ChannelType.PAYMENT, onlyArg('get_active_payment_channel', call, 'delegate_adr'), ctx.marketId, channelReader(call));
}
