/**
 * `admin.list_transactions(channel_oid=None, limit=100, cursor=None)` (ours, for operators): the maker's
 * purchases newest first — all of them, or those of one payment or paying channel — one page of at most `limit`
 * (≤ 1000); the page's `next_cursor` passed as `cursor` gives the next. An unknown channel:
 * `crossbar.error.no_such_object`.
 */
import type { ListTransactionsResult } from '../../../schema/api/index.js';
import { intArg, optional, uuidArg } from '../../../schema/codec/index.js';
import type { MarketMakerAdminProcedure } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type MakerHandler, type ProcedureCall } from '../api/index.js';
import { listTransactions } from '../ledger/index.js';
import { ADMIN_PAGE_DEFAULT, ADMIN_PAGE_MAX } from './list-channels.js';

function listTransactionsOf(ctx: MakerContext, call: ProcedureCall): ListTransactionsResult {
  const a = namedArgs('admin.list_transactions', call, ['channel_oid', 'limit', 'cursor']);
  const channel = optional(uuidArg)('channel_oid', a.channel_oid);
  const limit = optional(intArg)('limit', a.limit, { min: 1, max: ADMIN_PAGE_MAX }) ?? ADMIN_PAGE_DEFAULT;
  const cursor = optional(uuidArg)('cursor', a.cursor);
  return listTransactions(ctx.makerDb, { limit, ...(channel === undefined ? {} : { channel }), ...(cursor === undefined ? {} : { cursor }) });
}

export function listTransactionsProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerAdminProcedure.listTransactions> {
  return async (call) => listTransactionsOf(ctx, call);
}
