/**
 * The maker's informational procedures (spec §3.1–§3.5, return shapes §10): status, get_status,
 * get_config, get_transaction_receipt, get_gas_price. Fixed relative to the original: status is
 * truthful (RUNNING while serving), `status()` lists only the maker's own account (not every account
 * the node manages, weak spot 40) with its balance as 32-byte uint256, `chain` is the chain id, and the gas price is the node's.
 */
import { getBytes, hexlify } from 'ethers';
import { formatUuid } from '../../schema/codec/uuid.js';
import { nowNs } from '../../schema/codec/time.js';
import { packUint256 } from '../../schema/codec/uint256.js';
import type { Amount } from '../../schema/codec/types.js';
import { WampError, WampErrorUri } from '../../schema/errors.js';
import { MarketMakerProcedure } from '../../schema/uris.js';
import type { MakerContext } from './context.js';
import { namedArgs } from './named-args.js';
import type { ProcedureTable } from './procedures.js';
import { makerStatusName } from './status.js';

/** URL of the XBR EULA text (spec §3.3); the text is not fetched (no outbound network). */
export const EULA_URL = 'https://raw.githubusercontent.com/crossbario/xbr-protocol/master/ipfs/xbr-eula/XBR-EULA.txt';

async function latestBlock(ctx: MakerContext): Promise<{ number: number; hash: Uint8Array; gas_limit: bigint }> {
  const b = await ctx.provider.getBlock('latest');
  if (b === null || b.hash === null) throw new WampError(WampErrorUri.runtimeError, 'the chain node returned no latest block');
  return { number: b.number, hash: getBytes(b.hash), gas_limit: b.gasLimit };
}

function bytesArg(v: unknown, name: string, len: number): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== len) {
    throw new WampError(WampErrorUri.invalidArgument, `${name}: expected ${len} bytes, got ${v instanceof Uint8Array ? `${v.length} bytes` : typeof v}`, { kwargs: { argument: name } });
  }
  return v;
}

export function simpleProcedures(ctx: MakerContext): ProcedureTable {
  return {
    [MarketMakerProcedure.status]: async (call) => {
      namedArgs('status', call, []);
      const [block, balance] = await Promise.all([ctx.provider.getBlockNumber(), ctx.provider.getBalance(ctx.address)]);
      // Wei balances exceed 64 bits (msgpack cannot carry them as integers): 32-byte uint256 like every XBR amount.
      return { status: makerStatusName(ctx.status()), current_block_no: block, accounts: { [ctx.address]: packUint256(balance as Amount) } };
    },

    [MarketMakerProcedure.getStatus]: async (call) => {
      namedArgs('get_status', call, []);
      const block = await latestBlock(ctx);
      return { now: nowNs(), chain: Number(ctx.chainId), block, status: ctx.status() };
    },

    [MarketMakerProcedure.getConfig]: async (call) => {
      const include = namedArgs('get_config', call, ['include_eula_text']).include_eula_text ?? false;
      if (typeof include !== 'boolean') throw new WampError('wamp.error.type_check_error', `include_eula_text: expected a bool, got ${typeof include}`);
      const [eulaHash, coin] = await Promise.all([ctx.xbr.network.contract.getFunction('eula')() as Promise<string>, ctx.xbr.market.getMarketCoin(ctx.marketId)]);
      const a = ctx.addresses;
      return {
        now: nowNs(),
        chain: Number(ctx.chainId),
        verifying_chain_id: Number(ctx.verifyingChainId),
        verifying_contract_adr: ctx.verifyingContract,
        contracts: { xbrtoken: a.token, xbrnetwork: a.network, xbrcatalog: a.catalog, xbrmarket: a.market, xbrchannel: a.channel },
        // The text would need an outbound HTTP fetch, which an edge node must not depend on.
        eula: { url: EULA_URL, hash: eulaHash, text: null },
        // The original always sent None here (a FIXME); the market's coin is known, so it is sent.
        coin,
        owner: ctx.marketOwner,
        market: formatUuid(ctx.marketId),
        marketmaker: ctx.address,
      };
    },

    [MarketMakerProcedure.getTransactionReceipt]: async (call) => {
      const tx = bytesArg(namedArgs('get_transaction_receipt', call, ['transaction']).transaction, 'transaction', 32);
      const r = await ctx.provider.getTransactionReceipt(hexlify(tx));
      if (r === null) throw new WampError('crossbar.error.no_such_object', `no receipt for transaction ${hexlify(tx)}`);
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
    },

    [MarketMakerProcedure.getGasPrice]: async (call) => {
      namedArgs('get_gas_price', call, []);
      const fees = await ctx.provider.getFeeData();
      const price = fees.gasPrice ?? fees.maxFeePerGas;
      if (price === null) throw new WampError(WampErrorUri.runtimeError, 'the chain node reports no gas price');
      return price;
    },
  };
}
