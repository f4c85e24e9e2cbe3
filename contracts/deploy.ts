/**
 * Deploys the XBR contracts in the docs/protocol.md#contracts-deployment order with their constructor links:
 * `XBRToken()` → `XBRNetwork(token, organization = deployer)` → `XBRCatalog(network)` →
 * `XBRMarket(network, catalog)` → `XBRChannel(market)`. (`XBRTypes` is an internal library — nothing to
 * link; there is no XBRDomain / XBRTest.) With a fixed deployer on a fresh chain (nonces 0..4) the
 * addresses are the same on every run.
 *
 * @example
 * const chain = await startDevchain();
 * const deployment = await deployXbr(chain.signers[0]!);
 */
import type { Signer } from 'ethers';
import type { XbrContractAddresses } from '../schema/index.js';
import {
  xbrCatalogAbi,
  xbrCatalogBytecode,
  xbrChannelAbi,
  xbrChannelBytecode,
  xbrMarketAbi,
  xbrMarketBytecode,
  xbrNetworkAbi,
  xbrNetworkBytecode,
  xbrTokenAbi,
  xbrTokenBytecode,
} from './build/index.js';
import { deployContract } from './devchain.js';

/** Result of {@link deployXbr}. */
export interface XbrDeployment {
  readonly chainId: bigint;
  /** Block of the first deployment transaction (XBRToken): chain monitors start following here. */
  readonly deploymentBlock: number;
  /** The deployer: holds the whole XBR supply, is the network's organization and its first (VERIFIED) member / maintainer. */
  readonly deployer: string;
  readonly addresses: Readonly<XbrContractAddresses>;
}

/**
 * Deploys XBRToken, XBRNetwork, XBRCatalog, XBRMarket and XBRChannel from `signer` and waits for each.
 * @example const { addresses, deploymentBlock } = await deployXbr(chain.signers[0]!)
 */
export async function deployXbr(signer: Signer): Promise<XbrDeployment> {
  const provider = signer.provider;
  if (provider === null) throw new Error('deployXbr: the signer needs a provider');
  const deployer = await signer.getAddress();
  const chainId = (await provider.getNetwork()).chainId;

  const token = await deployContract(signer, xbrTokenAbi, xbrTokenBytecode);
  const tokenReceipt = await token.deploymentTransaction()?.wait();
  if (tokenReceipt === null || tokenReceipt === undefined) throw new Error('deployXbr: no receipt for XBRToken');
  const tokenAddress = await token.getAddress();
  const network = await deployContract(signer, xbrNetworkAbi, xbrNetworkBytecode, tokenAddress, deployer);
  const networkAddress = await network.getAddress();
  const catalog = await deployContract(signer, xbrCatalogAbi, xbrCatalogBytecode, networkAddress);
  const catalogAddress = await catalog.getAddress();
  const market = await deployContract(signer, xbrMarketAbi, xbrMarketBytecode, networkAddress, catalogAddress);
  const marketAddress = await market.getAddress();
  const channel = await deployContract(signer, xbrChannelAbi, xbrChannelBytecode, marketAddress);
  const channelAddress = await channel.getAddress();

  return {
    chainId,
    deploymentBlock: tokenReceipt.blockNumber,
    deployer,
    addresses: { token: tokenAddress, network: networkAddress, catalog: catalogAddress, market: marketAddress, channel: channelAddress },
  };
}
