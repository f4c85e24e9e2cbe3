/**
 * The maker's `get_config` as the buyer needs it: the EIP712 binding every signed state carries, the
 * maker's address (which must be the one the buyer was configured with: it signs the receipts), the market
 * owner (recipient of a payment channel) and the token and channel contracts (to approve before opening).
 */
import { parseAddress } from '../../schema/codec/index.js';
import type { Address } from '../../schema/codec/index.js';
import { parseUuid } from '../../schema/codec/index.js';
import { WampError, WampErrorUri } from '../../schema/index.js';
import { XbrErrorUri } from '../../schema/index.js';
import type { MarketBinding } from '../../schema/eip712/index.js';
import { sameBytes } from './wire.js';

export interface BuyerConfig {
  readonly binding: MarketBinding;
  readonly maker: Address;
  /** The market owner (a payment channel's recipient). */
  readonly owner: Address;
  /** `0x…` addresses of the XBRToken and XBRChannel contracts. */
  readonly token: string;
  readonly channelContract: string;
}

function field<T>(c: Record<string, unknown>, name: string, parse: (v: unknown) => T): T {
  try {
    return parse(c[name]);
  } catch (err) {
    throw new WampError(WampErrorUri.runtimeError, `get_config returned an unusable "${name}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

const str = (v: unknown): string => {
  if (typeof v !== 'string') throw new TypeError(`expected a string, got ${typeof v}`);
  return v;
};

/**
 * @throws WampError `xbr.error.unexpected_marketmaker_adr` when the realm's maker is not `expectedMaker`;
 *   `wamp.error.runtime_error` for a config without the fields the buyer needs.
 */
export function parseBuyerConfig(raw: unknown, expectedMaker: Address): BuyerConfig {
  if (raw === null || typeof raw !== 'object') throw new WampError(WampErrorUri.runtimeError, 'get_config returned no dict');
  const c = raw as Record<string, unknown>;
  const contracts = field(c, 'contracts', (v) => {
    if (v === null || typeof v !== 'object') throw new TypeError('expected a dict');
    return v as Record<string, unknown>;
  });
  const maker = field(c, 'marketmaker', (v) => parseAddress(str(v)));
  if (!sameBytes(maker, expectedMaker)) {
    throw new WampError(XbrErrorUri.unexpectedMarketmakerAdr, `the market maker of this realm is 0x${Buffer.from(maker).toString('hex')}, not the configured 0x${Buffer.from(expectedMaker).toString('hex')}`);
  }
  return {
    binding: {
      chainId: field(c, 'verifying_chain_id', (v) => BigInt(v as number | bigint)),
      verifyingContract: field(c, 'verifying_contract_adr', (v) => parseAddress(str(v))),
      marketId: field(c, 'market', (v) => parseUuid(str(v))),
    },
    maker,
    owner: field(c, 'owner', (v) => parseAddress(str(v))),
    token: field(contracts, 'xbrtoken', str),
    channelContract: field(contracts, 'xbrchannel', str),
  };
}
