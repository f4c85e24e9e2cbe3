/**
 * The channel part of a maker: `open_channel`, `close_channel` and the channel getters (spec §3.12–§3.16).
 * Opening and closing are in `channels-open.ts` / `channels-close.ts`; the getters read the ledger
 * (worker/market/ledger) with the original's error URIs. All are for members (worker/host/access.ts) and
 * act on the caller's own channels only: an open must be signed by the calling member, a close asked for
 * by the channel's actor, and the getters see the caller's channels alone.
 */
import { ChannelType } from '../../../schema/db/records/channel.js';
import { MarketMakerProcedure } from '../../../schema/uris.js';
import type { MakerPartFactory, ProcedureCall } from '../../host/index.js';
import {
  getActiveChannelWire,
  getChannelBalanceWire,
  getChannelsByActor,
  getChannelsByDelegate,
  getChannelWire,
  KeyedMutex,
} from '../ledger/index.js';
import { requireCallerMember } from './auth-member.js';
import { namedArgs } from './channels-args.js';
import { closeChannel } from './channels-close.js';
import { openChannel } from './channels-open.js';

const P = MarketMakerProcedure;

export const channelsPart: MakerPartFactory = (ctx) => {
  const mutex = new KeyedMutex();
  const db = ctx.makerDb;
  const one = (uri: string, name: string, call: ProcedureCall): unknown => namedArgs(uri, call, [name])[name];
  const list = (uri: string, adrName: string, call: ProcedureCall) => {
    const a = namedArgs(uri, call, [adrName, 'channel_type', 'filter_open']);
    return { adr: a[adrName], type: a.channel_type, filterOpen: a.filter_open ?? true };
  };
  // The getters answer for the caller's own channels only (access.ts: member procedures).
  const me = (call: ProcedureCall) => requireCallerMember(call.details, undefined, 'reading channels');
  return {
    procedures: {
      [P.openChannel]: async (call) => openChannel(ctx, call, mutex),
      [P.closeChannel]: async (call) => closeChannel(ctx, call),
      [P.getPaymentChannel]: async (call) => getChannelWire(db, ChannelType.PAYMENT, one('get_payment_channel', 'channel_oid', call), me(call)),
      [P.getPaymentChannelBalance]: async (call) => getChannelBalanceWire(db, ChannelType.PAYMENT, one('get_payment_channel_balance', 'channel_oid', call), me(call)),
      [P.getPayingChannel]: async (call) => getChannelWire(db, ChannelType.PAYING, one('get_paying_channel', 'channel_oid', call), me(call)),
      [P.getPayingChannelBalance]: async (call) => getChannelBalanceWire(db, ChannelType.PAYING, one('get_paying_channel_balance', 'channel_oid', call), me(call)),
      [P.getActivePaymentChannel]: async (call) => getActiveChannelWire(db, ChannelType.PAYMENT, one('get_active_payment_channel', 'delegate_adr', call), ctx.marketId, me(call)),
      [P.getActivePayingChannel]: async (call) => getActiveChannelWire(db, ChannelType.PAYING, one('get_active_paying_channel', 'delegate_adr', call), ctx.marketId, me(call)),
      [P.getChannelsByDelegate]: async (call) => {
        const a = list('get_channels_by_delegate', 'delegate_adr', call);
        return getChannelsByDelegate(db, a.adr, a.type, a.filterOpen, me(call));
      },
      [P.getChannelsByActor]: async (call) => {
        const a = list('get_channels_by_actor', 'member_adr', call);
        return getChannelsByActor(db, a.adr, a.type, a.filterOpen, me(call));
      },
    },
  };
};
