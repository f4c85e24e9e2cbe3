/**
 * The operators' part of a maker (ours, role `operator`, docs/api.md#admin), each procedure in the file of
 * worker/market/procedures named after it: `admin.list_channels`, `admin.list_transactions` and `admin.audit`
 * read the maker DB (and, for the audit, the chain). `admin.rescan` needs the worker's chain monitor, which only
 * the host has: the host adds {@link rescanPart} with it.
 */
import { MarketMakerAdminProcedure } from '../../../schema/index.js';
import type { ChainRescan, MakerPartFactory } from '../api/index.js';
import { auditProcedure, listChannelsProcedure, listTransactionsProcedure, rescanProcedure } from '../procedures/index.js';

export const adminPart: MakerPartFactory = (ctx) => ({
  procedures: {
    [MarketMakerAdminProcedure.listChannels]: listChannelsProcedure(ctx),
    [MarketMakerAdminProcedure.listTransactions]: listTransactionsProcedure(ctx),
    [MarketMakerAdminProcedure.audit]: auditProcedure(ctx),
  },
});

/**
 * `admin.rescan` on the chain monitor `monitor()` gives when the maker starts serving (the worker starts its
 * monitor before any maker serves); without one (a worker run without a monitor) the procedure is not
 * registered.
 * @example factories: [...MAKER_PARTS, rescanPart(() => monitor)]
 */
export function rescanPart(monitor: () => ChainRescan | undefined): MakerPartFactory {
  return (ctx) => {
    const m = monitor();
    return m === undefined ? {} : { procedures: { [MarketMakerAdminProcedure.rescan]: rescanProcedure(ctx, m) } };
  };
}
