/** `get_transaction_receipt(transaction)` (docs/protocol.md#get-transaction-receipt, return shape docs/protocol.md#api-status): the receipt of an on-chain transaction. */
import { getBytes, hexlify } from 'ethers';
import { CrossbarErrorUri, WampError, WampErrorUri } from '../../../schema/index.js';
import { namedArgs, type MakerContext, type MakerHandler } from '../api/index.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

function bytesArg(v: unknown, name: string, len: number): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== len) {
    throw new WampError(WampErrorUri.invalidArgument, `${name}: expected ${len} bytes, got ${v instanceof Uint8Array ? `${v.length} bytes` : typeof v}`, { kwargs: { argument: name } });
  }
  return v;
}

export function getTransactionReceiptProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getTransactionReceipt> {
  return async (call) => {
    const tx = bytesArg(namedArgs('get_transaction_receipt', call, ['transaction']).transaction, 'transaction', 32);
    const r = await ctx.provider.getTransactionReceipt(hexlify(tx));
    if (r === null) throw new WampError(CrossbarErrorUri.noSuchObject, `no receipt for transaction ${hexlify(tx)}`);
    return {
      transactionHash: getBytes(r.hash),
      transactionIndex: r.index,
      blockNumber: r.blockNumber,
      from: r.from,
      to: r.to,
      gasUsed: r.gasUsed,
      cumulativeGasUsed: r.cumulativeGasUsed,
      contractAddress: r.contractAddress,
      status: r.status,
    };
  };
}
