/**
 * `get_gas_price()` (docs/protocol.md#get-gas-price): fixed relative to the original (a constant 10 gwei), the gas price is the
 * node's.
 */
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type MakerHandler } from '../api/index.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

export function getGasPriceProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getGasPrice> {
  return async (call) => {
    namedArgs('get_gas_price', call, []);
    const fees = await ctx.provider.getFeeData();
    const price = fees.gasPrice ?? fees.maxFeePerGas;
    if (price === null) throw new WampError(WampErrorUri.runtimeError, 'the chain node reports no gas price');
    return price;
  };
}
