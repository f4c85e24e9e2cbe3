/**
 * `get_config(include_eula_text=False)` (docs/protocol.md#get-config, return shape docs/protocol.md#api-status): chain, contracts, EULA, the market's
 * coin, market and maker addresses.
 */
import { boolArg, nowNs } from '../../../schema/codec/index.js';
import { formatUuid } from '../../../schema/codec/index.js';
import { namedArgs, type MakerContext, type MakerHandler } from '../api/index.js';
import type { MarketMakerProcedure } from '../../../schema/index.js';

/** URL of the XBR EULA text (docs/protocol.md#get-config); the text is not fetched (no outbound network). */
const EULA_URL = 'https://raw.githubusercontent.com/crossbario/xbr-protocol/master/ipfs/xbr-eula/XBR-EULA.txt';

export function getConfigProcedure(ctx: MakerContext): MakerHandler<typeof MarketMakerProcedure.getConfig> {
  return async (call) => {
    const include = namedArgs('get_config', call, ['include_eula_text']).include_eula_text;
    // The text is never sent (see `eula` below), but the argument is still checked.
    if (include !== undefined && include !== null) boolArg('include_eula_text', include);
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
  };
}
