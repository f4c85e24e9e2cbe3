/**
 * `admin.rescan(from_block)` (ours, for operators): the worker's chain monitor reads the chain's events again
 * from `from_block` up to the confirmed head, through the path new blocks take; every event is applied
 * idempotently (a channel already known is not opened again, its deposit not counted twice; an older `Closing`
 * does not move a channel back), so blocks already applied change nothing and a missed event is applied. Answers
 * once the blocks are committed again: what was read and how many channel events changed a ledger.
 *
 * Refused with `wamp.error.invalid_argument`: `from_block` before the market was created (or before the first
 * block the monitor follows) or after the chain head; `crossbar.error.already_running` while another rescan runs.
 */
import type { RescanResult } from '../../../schema/api/index.js';
import { argumentError, intArg } from '../../../schema/codec/index.js';
import type { MarketMakerAdminProcedure } from '../../../schema/index.js';
import { namedArgs, type ChainRescan, type MakerContext, type MakerHandler, type ProcedureCall } from '../api/index.js';

async function rescan(ctx: MakerContext, monitor: ChainRescan, call: ProcedureCall): Promise<RescanResult> {
  const a = namedArgs('admin.rescan', call, ['from_block']);
  const from = BigInt(intArg('from_block', a.from_block, { min: 0 }));
  const created = ctx.workerDb.markets.get(ctx.marketId)?.created;
  if (created !== undefined && from < created) {
    throw argumentError('from_block', `a block ≥ ${created} (market ${ctx.marketIdHex} was created there: no event of it is older)`, String(from));
  }
  ctx.log.info('rescan of the chain asked for', { from_block: from });
  const r = await monitor.rescan(from);
  return {
    from_block: Number(r.fromBlock),
    to_block: Number(r.toBlock),
    events: r.events,
    channel_events: r.channelEvents,
    channel_changes: r.channelChanges,
    replica_writes: r.replicaWrites,
  };
}

export function rescanProcedure(ctx: MakerContext, monitor: ChainRescan): MakerHandler<typeof MarketMakerAdminProcedure.rescan> {
  return (call) => rescan(ctx, monitor, call);
}
