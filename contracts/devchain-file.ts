/**
 * The shape of the deployment file the `devchain` guest writes (`.xbr-edge/devchain.json`): what the xbrmm
 * worker, the delegates' CLI and the tests read. Amounts are decimal strings; it holds no private keys.
 */
import type { XbrContractAddresses } from '../schema/index.js';
import type { DemoAccount } from './demo.js';

export interface DevchainFile {
  version: 1;
  chainId: number;
  /** JSON-RPC URL of the chain. */
  url: string;
  deploymentBlock: number;
  contracts: XbrContractAddresses;
  accounts: { derivation: string; note: string };
  demo: {
    marketId: string;
    catalogId: string;
    apiId: string;
    marketFee: string;
    providerSecurity: string;
    consumerSecurity: string;
    members: Record<'deployer' | 'marketOwner' | 'seller' | 'buyer' | 'maker' | 'sellerDelegate' | 'buyerDelegate', DemoAccount>;
    /** Absolute path of the maker key file, or null when the default key was used without a file. */
    makerKeyFile: string | null;
    /** Block of the last demo transaction. */
    block: number;
  };
}
