/**
 * The maker's informational procedures (docs/protocol.md#api-status, return shapes docs/protocol.md#api-status): status, get_status,
 * get_config, get_transaction_receipt, get_gas_price, each in the file of worker/market/procedures named
 * after it. Fixed relative to the original: status is truthful (RUNNING while serving), `status()` lists
 * only the maker's own account (not every account the node manages, weak spot 40) with its balance as
 * 32-byte uint256, `chain` is the chain id, and the gas price is the node's.
 */
import { MarketMakerProcedure } from '../../../schema/index.js';
import type { MakerContext, ProcedureTable } from '../api/index.js';
import { getConfigProcedure, getGasPriceProcedure, getStatusProcedure, getTransactionReceiptProcedure, statusProcedure } from '../procedures/index.js';

export function simpleProcedures(ctx: MakerContext): ProcedureTable {
  return {
    [MarketMakerProcedure.status]: statusProcedure(ctx),
    [MarketMakerProcedure.getStatus]: getStatusProcedure(ctx),
    [MarketMakerProcedure.getConfig]: getConfigProcedure(ctx),
    [MarketMakerProcedure.getTransactionReceipt]: getTransactionReceiptProcedure(ctx),
    [MarketMakerProcedure.getGasPrice]: getGasPriceProcedure(ctx),
  };
}
