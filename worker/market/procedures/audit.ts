/**
 * `admin.audit(limit=100, chain=True)` (ours, for operators): every stored purchase replayed — its signatures
 * recovered, each channel's history and balance recomputed — and every channel compared with XBRChannel
 * (`worker/market/ledger/replay-audit.ts`). Answers a summary with every difference (at most `limit` ≤ 1000
 * listed, all counted); `ok` is true when there is none. Purchases go on meanwhile: the ledger is read in one
 * snapshot, in slices.
 */
import { getBytes } from 'ethers';
import type { AuditResult } from '../../../schema/api/index.js';
import { boolArg, intArg, optional } from '../../../schema/codec/index.js';
import type { Uuid } from '../../../schema/codec/index.js';
import type { MarketMakerAdminProcedure } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type MakerHandler, type ProcedureCall } from '../api/index.js';
import { replayAudit, type AuditChain } from '../ledger/index.js';
import { makerAddressBytes, verifyingContractBytes } from './signed-args.js';

/** XBRChannel as the audit reads it. */
function chainOf(ctx: MakerContext): AuditChain {
  return {
    head: async () => BigInt(await ctx.provider.getBlockNumber()),
    channel: async (id: Uuid) => {
      const [r, s] = await Promise.all([ctx.xbr.channel.channels(id), ctx.xbr.channel.channelClosingStates(id)]);
      return {
        created: r.created,
        ctype: r.ctype,
        marketId: getBytes(r.marketId),
        actor: getBytes(r.actor),
        delegate: getBytes(r.delegate),
        recipient: getBytes(r.recipient),
        amount: r.amount,
        state: s.state,
        closingSeq: s.closingSeq,
        closedSeq: s.closedSeq,
      };
    },
  };
}

async function audit(ctx: MakerContext, call: ProcedureCall): Promise<AuditResult> {
  const a = namedArgs('admin.audit', call, ['limit', 'chain']);
  const limit = optional(intArg)('limit', a.limit, { min: 1, max: 1000 }) ?? 100;
  const withChain = optional(boolArg)('chain', a.chain) ?? true;
  const report = await replayAudit(ctx.makerDb, {
    binding: { chainId: ctx.verifyingChainId, verifyingContract: verifyingContractBytes(ctx), marketId: ctx.marketId },
    maker: makerAddressBytes(ctx),
    limit,
    ...(withChain ? { chain: chainOf(ctx) } : {}),
  });
  const fields = { channels: report.channels, transactions: report.transactions, signatures_checked: report.signatures_checked, mismatches: report.mismatches_total, duration_ms: report.duration_ms, longest_slice_ms: report.longest_slice_ms };
  if (report.ok) ctx.log.info('ledger audit: no mismatch', fields);
  else ctx.log.warn('ledger audit found mismatches', { ...fields, first: report.mismatches[0]?.message });
  return report;
}

export function auditProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerAdminProcedure.audit> {
  return (call) => audit(ctx, call);
}
