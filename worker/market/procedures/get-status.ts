/**
 * `get_status()` (docs/protocol.md#get-status, return shape docs/protocol.md#api-status): time, the latest block and the status integer. Fixed relative to
 * the original: `chain` is the chain id, and the status is truthful (RUNNING while serving).
 */
import { getBytes } from 'ethers';
import { nowNs } from '../../../schema/codec/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type MakerHandler } from '../api/index.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

async function latestBlock(ctx: MakerContext): Promise<{ number: number; hash: Uint8Array; gas_limit: bigint }> {
  const b = await ctx.provider.getBlock('latest');
  if (b === null || b.hash === null) throw new WampError(WampErrorUri.runtimeError, 'the chain node returned no latest block');
  return { number: b.number, hash: getBytes(b.hash), gas_limit: b.gasLimit };
}

export function getStatusProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getStatus> {
  return async (call) => {
    namedArgs('get_status', call, []);
    const block = await latestBlock(ctx);
    return { now: nowNs(), chain: Number(ctx.chainId), block, status: ctx.status() };
  };
}
