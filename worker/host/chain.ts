/**
 * The worker's view of the chain: the XBR contract addresses (inline, or from a dev chain's
 * `devchain.json`), a JSON-RPC provider for the configured gateway, and the chain id — checked against
 * the configured one, so transactions are never signed for a chain the node is not on (weak spot 39).
 */
import { readFileSync } from 'node:fs';
import { JsonRpcProvider, Network, WebSocketProvider, getAddress, type Provider } from 'ethers';
import type { BlockchainConfig } from '../../config/index.js';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import { XBR_CONTRACT_NAMES, type XbrContractAddresses } from '../../schema/index.js';
import { backoffDelay, sleep } from '../../process/index.js';

export interface ChainAccess {
  provider: Provider;
  chainId: bigint;
  addresses: XbrContractAddresses;
  /** True when the addresses come from a deployment file (the embedded dev chain). */
  embedded: boolean;
  /** First block worth replicating: `from_block`, else the deployment block, else 0. */
  fromBlock: number;
  confirmations: number;
  pollIntervalMs: number;
  close(): Promise<void>;
}

interface Deployment {
  chainId?: number;
  contracts: XbrContractAddresses;
  deploymentBlock?: number;
}

/** Reads a `devchain.json` written by `contracts/devchain-main.ts`. */
function readDeployment(path: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new WampError(WampErrorUri.runtimeError, `cannot read the contract deployment file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const d = raw as { chainId?: unknown; contracts?: Record<string, unknown>; deploymentBlock?: unknown } | null;
  const contracts: Partial<XbrContractAddresses> = {};
  for (const n of XBR_CONTRACT_NAMES) {
    const a = d?.contracts?.[n];
    if (typeof a !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(a)) {
      throw new WampError(WampErrorUri.runtimeError, `deployment file ${path}: contracts.${n} is not an address`);
    }
    contracts[n] = getAddress(a);
  }
  return {
    contracts: contracts as XbrContractAddresses,
    ...(typeof d?.chainId === 'number' ? { chainId: d.chainId } : {}),
    ...(typeof d?.deploymentBlock === 'number' ? { deploymentBlock: d.deploymentBlock } : {}),
  };
}

/** Asks the node for its chain id, retrying while it is not reachable, until `deadline` (epoch ms). */
async function nodeChainId(url: string, deadline: number, log: Logger): Promise<bigint> {
  for (let attempt = 1; ; attempt++) {
    const delay = backoffDelay(200, 2000, attempt);
    // A throwaway provider: ethers' own network detection retries forever and logs on its own.
    const probe = new JsonRpcProvider(url.replace(/^ws/, 'http'), undefined, { staticNetwork: Network.from(1) });
    try {
      return BigInt((await probe.send('eth_chainId', [])) as string);
    } catch (err) {
      if (Date.now() + delay > deadline) {
        throw new WampError(WampErrorUri.runtimeError, `blockchain gateway ${url} is not reachable: ${(err as Error).message}`, { cause: err });
      }
      log.warn('blockchain gateway not reachable yet; retrying', { gateway: url, retry_ms: delay });
      await sleep(delay);
    } finally {
      probe.destroy();
    }
  }
}

/**
 * Connects to the configured chain and resolves the contract addresses.
 * @example const chain = await connectChain(extra.blockchain, log, Date.now() + 30_000);
 */
export async function connectChain(cfg: BlockchainConfig, log: Logger, deadline: number): Promise<ChainAccess> {
  const deployment = 'deployment' in cfg ? readDeployment(cfg.deployment) : undefined;
  const addresses = deployment?.contracts ?? ('contracts' in cfg ? cfg.contracts : undefined);
  if (addresses === undefined) throw new WampError(WampErrorUri.invalidArgument, 'blockchain: no contract addresses');
  const url = cfg.gateway.http;
  const actual = await nodeChainId(url, deadline, log);
  const expected = cfg.chain_id !== undefined ? BigInt(cfg.chain_id) : deployment?.chainId !== undefined ? BigInt(deployment.chainId) : undefined;
  if (expected !== undefined && expected !== actual) {
    throw new WampError(WampErrorUri.invalidArgument, `blockchain: the gateway ${url} is on chain ${actual}, but chain ${expected} is configured`);
  }
  const pollIntervalMs = Math.round(cfg.poll_interval * 1000);
  const network = Network.from(actual);
  const provider: JsonRpcProvider | WebSocketProvider = /^wss?:/.test(url)
    ? new WebSocketProvider(url, network, { staticNetwork: network })
    : new JsonRpcProvider(url, network, { staticNetwork: network, pollingInterval: pollIntervalMs, cacheTimeout: -1 });
  return {
    provider,
    chainId: actual,
    addresses,
    embedded: deployment !== undefined,
    fromBlock: cfg.from_block ?? deployment?.deploymentBlock ?? 0,
    confirmations: cfg.confirmations,
    pollIntervalMs,
    close: async () => {
      await provider.destroy();
    },
  };
}
