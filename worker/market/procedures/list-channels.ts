/**
 * `admin.list_channels(channel_type=None, member=None, delegate=None, state=None, limit=100, cursor=None)` (ours,
 * for operators): the market's channels with their ledger balances — payment channels by id, then paying ones —
 * filtered by type, actor (`member`), delegate and state, one page of at most `limit` (≤ 1000); the page's
 * `next_cursor` passed as `cursor` gives the next.
 */
import type { ListChannelsResult } from '../../../schema/api/index.js';
import { addressArg, intArg, optional, uuidArg } from '../../../schema/codec/index.js';
import type { MarketMakerAdminProcedure } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type MakerHandler, type ProcedureCall } from '../api/index.js';
import { listChannels } from '../ledger/index.js';

/** Default and largest page. */
export const ADMIN_PAGE_DEFAULT = 100;
export const ADMIN_PAGE_MAX = 1000;

function listChannelsOf(ctx: MakerContext, call: ProcedureCall): ListChannelsResult {
  const a = namedArgs('admin.list_channels', call, ['channel_type', 'member', 'delegate', 'state', 'limit', 'cursor']);
  const type = optional(intArg)('channel_type', a.channel_type, { min: 1, max: 2 }) as 1 | 2 | undefined;
  const member = optional(addressArg)('member', a.member);
  const delegate = optional(addressArg)('delegate', a.delegate);
  const state = optional(intArg)('state', a.state, { min: 1, max: 4 });
  const limit = optional(intArg)('limit', a.limit, { min: 1, max: ADMIN_PAGE_MAX }) ?? ADMIN_PAGE_DEFAULT;
  const cursor = optional(uuidArg)('cursor', a.cursor);
  return listChannels(ctx.makerDb, {
    limit,
    ...(type === undefined ? {} : { type }),
    ...(member === undefined ? {} : { member }),
    ...(delegate === undefined ? {} : { delegate }),
    ...(state === undefined ? {} : { state }),
    ...(cursor === undefined ? {} : { cursor }),
  });
}

export function listChannelsProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerAdminProcedure.listChannels> {
  return async (call) => listChannelsOf(ctx, call);
}
