/**
 * The maker's `get_config` as the buyer needs it: the EIP712 binding every signed state carries, the
 * maker's address (which must be the one the buyer was configured with: it signs the receipts), the market
 * owner (recipient of a payment channel) and the token and channel contracts (to approve before opening).
 */
import { parseAddress } from '../../schema/codec/index.js';
import type { Address } from '../../schema/codec/index.js';
import { parseUuid } from '../../schema/codec/index.js';
import { WampError } from '../../schema/index.js';
import type { ConfigResult } from '../../schema/api/index.js';
import { MarketMakerProcedure } from '../../schema/index.js';
import { callMaker, fromMaker, type CallFn } from '../common/index.js';
import { XbrErrorUri } from '../../schema/index.js';
import type { MarketBinding } from '../../schema/eip712/index.js';
import { hex, sameBytes } from './wire.js';

export interface BuyerConfig {
  readonly binding: MarketBinding;
  readonly maker: Address;
  /** The market owner (a payment channel's recipient). */
  readonly owner: Address;
  /** `0x…` addresses of the XBRToken and XBRChannel contracts. */
  readonly token: string;
  readonly channelContract: string;
}

/**
 * @throws WampError `xbr.error.unexpected_marketmaker_adr` when the realm's maker is not `expectedMaker`;
 *   `xbr.error.invalid_transaction` for an address or id the buyer cannot read.
 */
export function parseBuyerConfig(c: ConfigResult, expectedMaker: Address): BuyerConfig {
  const maker = fromMaker('get_config marketmaker', () => parseAddress(c.marketmaker, 'marketmaker'));
  if (!sameBytes(maker, expectedMaker)) {
    throw new WampError(XbrErrorUri.unexpectedMarketmakerAdr, `the market maker of this realm is 0x${hex(maker)}, not the configured 0x${hex(expectedMaker)}`);
  }
  return fromMaker('get_config', () => ({
    binding: {
      chainId: BigInt(c.verifying_chain_id),
      verifyingContract: parseAddress(c.verifying_contract_adr, 'verifying_contract_adr'),
      marketId: parseUuid(c.market, 'market'),
    },
    maker,
    owner: parseAddress(c.owner, 'owner'),
    token: c.contracts.xbrtoken,
    channelContract: c.contracts.xbrchannel,
  }));
}

/** Asks the realm's maker for its `get_config` and reads it as {@link parseBuyerConfig} does. */
export async function loadBuyerConfig(call: CallFn, expectedMaker: Address): Promise<BuyerConfig> {
  return parseBuyerConfig(await callMaker(call, MarketMakerProcedure.getConfig, []), expectedMaker);
}
