/**
 * `get_payment_channel_balance(channel_oid)` (docs/protocol.md#channel-getters): the off-chain balance of one of the caller's
 * payment channels.
 */
import { ChannelType } from '../../../schema/db/index.js';
import { onlyArg, type MakerContext, type MakerHandler } from '../api/index.js';
import { getChannelBalanceWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getPaymentChannelBalanceProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getPaymentChannelBalance> {
  return async (call) => getChannelBalanceWire(ctx.makerDb, ChannelType.PAYMENT, onlyArg('get_payment_channel_balance', call, 'channel_oid'), channelReader(call));
}
