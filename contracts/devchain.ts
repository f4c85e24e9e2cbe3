/**
 * In-process dev chain: hardhat 2.29 (EDR) loaded with `contracts/hardhat.config.cjs` — chainId 31337,
 * hardfork cancun, automine, the 20 default accounts of the mnemonic `test … junk` (10,000 ETH each).
 * Hardhat never compiles: contracts come from `contracts/build/` (solc-js, see `contracts/build.ts`).
 *
 * Hardhat's runtime is a per-process singleton, so one dev chain runs per process at a time; each
 * `startDevchain()` resets it to a fresh genesis.
 *
 * @example
 * const chain = await startDevchain();
 * const token = await deployContract(chain.signers[0]!, xbrTokenAbi, xbrTokenBytecode);
 * await chain.stop();
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BaseContract,
  BrowserProvider,
  ContractFactory,
  HDNodeWallet,
  type ContractRunner,
  type Eip1193Provider,
  type InterfaceAbi,
  type JsonRpcSigner,
} from 'ethers';

/** The chain id of the dev chain (hardhat's default). */
export const DEVCHAIN_CHAIN_ID = 31337n;
/** The hardfork the dev chain runs (the contracts are compiled for it). */
export const DEVCHAIN_HARDFORK = 'cancun';
/** Hardhat's default account mnemonic. */
export const DEVCHAIN_MNEMONIC = 'test test test test test test test test test test test junk';
/** Number of funded accounts. */
export const DEVCHAIN_ACCOUNTS = 20;
/** Path of the hardhat config used by the in-process chain and by `hardhat node`. */
export const HARDHAT_CONFIG_PATH = join(dirname(fileURLToPath(import.meta.url)), 'hardhat.config.cjs');

/** Options of {@link startDevchain}. */
export interface DevchainOptions {
  /**
   * Also serve the chain over JSON-RPC (HTTP and WebSocket on the same port), like `hardhat node`;
   * port 0 picks a free port. Without it the chain is reachable only in this process.
   */
  readonly listen?: { readonly hostname?: string; readonly port: number };
}

/** A running in-process dev chain. */
export interface Devchain {
  readonly chainId: bigint;
  /** `http://host:port` of the JSON-RPC server when started with `listen` (`ws://` works too). */
  readonly url: string | undefined;
  /** The raw EIP-1193 provider of hardhat (for `hardhat_*` / `evm_*` calls). */
  readonly eip1193: Eip1193Provider;
  /** ethers provider with caching off (instant mining makes cached answers stale). */
  readonly provider: BrowserProvider;
  /** The 20 funded accounts as JSON-RPC signers (hardhat signs; `signTypedData` works too). */
  readonly signers: readonly JsonRpcSigner[];
  /** The same 20 accounts as local wallets (with private keys), connected to `provider`. */
  readonly wallets: readonly HDNodeWallet[];
  /** Stops using the chain; afterwards another `startDevchain()` may run in this process. */
  stop(): Promise<void>;
}

interface JsonRpcServer {
  listen(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
interface HardhatRuntime {
  network: { provider: Eip1193Provider };
  run(task: string, args: Record<string, unknown>): Promise<unknown>;
}
/** Hardhat's subtask that builds the `hardhat node` JSON-RPC server (HTTP + WebSocket). */
const TASK_NODE_CREATE_SERVER = 'node:create-server';

let hardhat: HardhatRuntime | undefined;
let running = false;

function loadHardhat(): HardhatRuntime {
  if (hardhat !== undefined) return hardhat;
  process.env['HARDHAT_CONFIG'] = HARDHAT_CONFIG_PATH;
  process.env['HARDHAT_DISABLE_TELEMETRY_PROMPT'] = 'true';
  const require = createRequire(import.meta.url);
  try {
    hardhat = require('hardhat') as HardhatRuntime;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'MODULE_NOT_FOUND' || !String((err as Error).message).includes("'hardhat'")) throw err;
    throw new Error(
      'the embedded dev chain needs hardhat, which is not installed (an install with --omit=peer leaves it out): install it (npm ci without --omit=peer), or use an external Ethereum JSON-RPC node instead of the devchain guest',
      { cause: err },
    );
  }
  return hardhat;
}

/**
 * Starts (resets) the in-process dev chain and returns a provider and the funded accounts.
 * @example const chain = await startDevchain({ listen: { hostname: '127.0.0.1', port: 8545 } })
 */
export async function startDevchain(options: DevchainOptions = {}): Promise<Devchain> {
  if (running) throw new Error('a dev chain is already running in this process; stop it first');
  running = true;
  try {
    const hre = loadHardhat();
    const eip1193 = hre.network.provider;
    await eip1193.request({ method: 'hardhat_reset', params: [] });
    const provider = new BrowserProvider(eip1193, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const chainId = (await provider.getNetwork()).chainId;
    if (chainId !== DEVCHAIN_CHAIN_ID) throw new Error(`dev chain has chainId ${chainId}, expected ${DEVCHAIN_CHAIN_ID}`);
    const root = HDNodeWallet.fromPhrase(DEVCHAIN_MNEMONIC, undefined, "m/44'/60'/0'/0");
    const wallets: HDNodeWallet[] = [];
    const signers: JsonRpcSigner[] = [];
    for (let i = 0; i < DEVCHAIN_ACCOUNTS; i++) {
      const wallet = root.deriveChild(i).connect(provider);
      wallets.push(wallet);
      signers.push(await provider.getSigner(wallet.address));
    }
    let server: JsonRpcServer | undefined;
    let url: string | undefined;
    if (options.listen !== undefined) {
      const hostname = options.listen.hostname ?? '127.0.0.1';
      server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname, port: options.listen.port, provider: eip1193 })) as JsonRpcServer;
      const bound = await server.listen();
      url = `http://${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}`;
    }
    let stopped = false;
    return {
      chainId,
      url,
      eip1193,
      provider,
      signers,
      wallets,
      async stop() {
        if (stopped) return;
        stopped = true;
        provider.destroy();
        try {
          await server?.close();
        } finally {
          running = false;
        }
      },
    };
  } catch (err) {
    running = false;
    throw err;
  }
}

/**
 * Deploys a contract from `contracts/build/` artifacts and waits for it to be mined.
 * @example const token = await deployContract(signer, xbrTokenAbi, xbrTokenBytecode)
 */
export async function deployContract(
  runner: ContractRunner,
  abi: InterfaceAbi,
  bytecode: `0x${string}`,
  ...args: unknown[]
): Promise<BaseContract> {
  const contract = await new ContractFactory(abi, bytecode, runner).deploy(...args);
  await contract.waitForDeployment();
  return contract;
}
