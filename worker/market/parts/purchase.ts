/**
 * The purchase part of a maker: `buy_key` (docs/protocol.md#buy-key; worker/market/procedures/buy-key.ts) and, before
 * the maker serves, the start-up recovery of interrupted purchases (`purchase-recovery.ts`).
 */
import { MarketMakerProcedure } from '../../../schema/index.js';
import type { MakerContext, MakerPartFactory } from '../api/index.js';
import { buyKeyProcedure, type BuyKeyOptions } from '../procedures/index.js';
import { recoverPurchases } from './purchase-recovery.js';

export type PurchasePartOptions = BuyKeyOptions;

export function purchasePart(options: PurchasePartOptions = {}): MakerPartFactory {
  return (ctx: MakerContext) => ({
    async start() {
      const recovered = await recoverPurchases(ctx.makerDb, ctx.log);
      if (recovered.length > 0) ctx.log.warn('interrupted purchases refunded before serving', { count: recovered.length });
    },
    procedures: { [MarketMakerProcedure.buyKey]: buyKeyProcedure(ctx, options) },
  });
}
