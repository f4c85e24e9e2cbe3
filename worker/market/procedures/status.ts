/**
 * `status()` (docs/protocol.md#status, return shape docs/protocol.md#api-status): the maker's status name, the current block and the maker's own
 * account. Fixed relative to the original: the status is truthful (RUNNING while serving), and only the
 * maker's own account is listed (not every account the node manages, weak spot 40), with its balance as
 * 32-byte uint256.
 */
import { chainRead } from '../../chain/index.js';
import { packUint256 } from '../../../schema/codec/index.js';
import type { Amount } from '../../../schema/codec/index.js';
import { makerStatusName, namedArgs, type MakerContext, type MakerHandler } from '../api/index.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function statusProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.status> {
  return async (call) => {
    namedArgs('status', call, []);
    const [block, balance] = await chainRead('the current block and the maker\'s balance', () => Promise.all([ctx.provider.getBlockNumber(), ctx.provider.getBalance(ctx.address)]));
    // Wei balances exceed 64 bits (msgpack cannot carry them as integers): 32-byte uint256 like every XBR amount.
    return { status: makerStatusName(ctx.status()), current_block_no: block, accounts: { [ctx.address]: packUint256(balance as Amount) } };
  };
}
