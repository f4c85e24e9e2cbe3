/**
 * The channel part of a maker: `open_channel`, `close_channel`, `close_paying_channel` (ours) and the channel getters (docs/protocol.md#api-channels),
 * each in the file of worker/market/procedures named after it. The getters read the ledger
 * (worker/market/ledger) with the original's error URIs. All are for members (worker/market/api/access.ts) and
 * act on the caller's own channels only: an open must be signed by the calling member, a close asked for
 * by the channel's actor, and the getters see the caller's channels alone.
 */
import { MarketMakerChannelProcedure, MarketMakerProcedure } from '../../../schema/index.js';
import type { MakerPartFactory } from '../api/index.js';
import {
  closeChannelProcedure,
  closePayingChannelProcedure,
  getActivePayingChannelProcedure,
  getActivePaymentChannelProcedure,
  getChannelsByActorProcedure,
  getChannelsByDelegateProcedure,
  getPayingChannelBalanceProcedure,
  getPayingChannelProcedure,
  getPaymentChannelBalanceProcedure,
  getPaymentChannelProcedure,
  openChannelProcedure,
} from '../procedures/index.js';

const P = MarketMakerProcedure;

export const channelsPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [P.openChannel]: openChannelProcedure(ctx),
    [P.closeChannel]: closeChannelProcedure(ctx),
    [MarketMakerChannelProcedure.closePayingChannel]: closePayingChannelProcedure(ctx),
    [P.getPaymentChannel]: getPaymentChannelProcedure(ctx),
    [P.getPaymentChannelBalance]: getPaymentChannelBalanceProcedure(ctx),
    [P.getPayingChannel]: getPayingChannelProcedure(ctx),
    [P.getPayingChannelBalance]: getPayingChannelBalanceProcedure(ctx),
    [P.getActivePaymentChannel]: getActivePaymentChannelProcedure(ctx),
    [P.getActivePayingChannel]: getActivePayingChannelProcedure(ctx),
    [P.getChannelsByDelegate]: getChannelsByDelegateProcedure(ctx),
    [P.getChannelsByActor]: getChannelsByActorProcedure(ctx),
  },
});
