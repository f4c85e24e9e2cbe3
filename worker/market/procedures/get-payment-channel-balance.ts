/**
 * `get_payment_channel_balance(channel_oid)` (docs/protocol.md#channel-getters): the off-chain balance of one of the caller's
 * payment channels.
 */
import { ChannelType } from '../../../schema/db/index.js';
import { onlyArg, type MakerContext, type ProcedureHandler } from '../api/index.js';
import { getChannelBalanceWire } from '../ledger/index.js';
import { channelReader } from './channel-getters.js';

export function getPaymentChannelBalanceProcedure(ctx: MakerContext): ProcedureHandler {
  return async (call) => getChannelBalanceWire(ctx.makerDb, ChannelType.PAYMENT, onlyArg('get_payment_channel_balance', call, 'channel_oid'), channelReader(call));
}
