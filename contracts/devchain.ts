/**
 * In-process dev chain: hardhat 2.29 (EDR) loaded with `contracts/hardhat.config.cjs` — chainId 31337,
 * hardfork cancun, automine, the 20 default accounts of the mnemonic `test … junk` (10,000 ETH each), a fixed
 * genesis ({@link DEVCHAIN_GENESIS_DATE}). Hardhat never compiles: contracts come from `contracts/build/`
 * (solc-js, see `contracts/build.ts`).
 *
 * Hardhat's runtime is a per-process singleton, so one dev chain runs per process at a time; each
 * `startDevchain()` resets it to the genesis. Without `state` that is all: a fresh chain. With `state` (a
 * directory) the chain persists: every state-changing request is journaled there before it is answered, and
 * the next start replays the journal, rebuilding the same blocks, addresses and balances
 * (`devchain-persist.ts`, `devchain-journal.ts`).
 *
 * The chain clock follows the wall clock (plus what `evm_increaseTime` added), whatever the genesis date.
 * A fresh chain's first block gets a random `prevRandao`, so no two fresh chains share a block hash.
 *
 * @example
 * const chain = await startDevchain();
 * const token = await deployContract(chain.signers[0]!, xbrTokenAbi, xbrTokenBytecode);
 * await chain.stop();
 * @example
 * const chain = await startDevchain({ state: '.xbr-edge/devchain-state' }); // the same chain as last time
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BaseContract,
  BrowserProvider,
  ContractFactory,
  HDNodeWallet,
  type ContractRunner,
  type Eip1193Provider,
  type InterfaceAbi,
  type JsonRpcSigner,
} from 'ethers';
import { JOURNAL_FILE, JOURNAL_KIND, JOURNAL_VERSION, JournalWriter, lockStateDir, readJournal, type JournalHeader } from './devchain-journal.js';
import { JournalingProvider, replayJournal, type ReplayResult } from './devchain-persist.js';

/** The chain id of the dev chain (hardhat's default). */
export const DEVCHAIN_CHAIN_ID = 31337n;
/** The hardfork the dev chain runs (the contracts are compiled for it). */
const DEVCHAIN_HARDFORK = 'cancun';
/** Hardhat's default account mnemonic. */
export const DEVCHAIN_MNEMONIC = 'test test test test test test test test test test test junk';
/** Number of funded accounts. */
const DEVCHAIN_ACCOUNTS = 20;
/**
 * The genesis time of the dev chain (`initialDate` in `hardhat.config.cjs`): fixed, so that every start builds
 * the same genesis block, onto which a journal replays. The clock is moved to the wall clock right after.
 */
const DEVCHAIN_GENESIS_DATE = '2025-01-01T00:00:00Z';
/** Path of the hardhat config used by the in-process chain and by `hardhat node`. */
const HARDHAT_CONFIG_PATH = join(dirname(fileURLToPath(import.meta.url)), 'hardhat.config.cjs');

/** Options of {@link startDevchain}. */
export interface DevchainOptions {
  /**
   * Also serve the chain over JSON-RPC (HTTP and WebSocket on the same port), like `hardhat node`;
   * port 0 picks a free port. Without it the chain is reachable only in this process.
   */
  readonly listen?: { readonly hostname?: string; readonly port: number };
  /**
   * Directory of the chain's persistent state (its journal and a lock): created when missing (a fresh chain),
   * replayed when present (the chain of the previous run). Without it the chain starts fresh and is forgotten.
   */
  readonly state?: string;
  /** Where warnings go (a torn last journal entry). Default: stderr. */
  readonly warn?: (message: string) => void;
}

/** The persistent state of a dev chain started with `state`. */
export interface DevchainState {
  /** The state directory (absolute). */
  readonly dir: string;
  /** What the start replayed; undefined when the state was new (a fresh chain). */
  readonly replay: ReplayResult | undefined;
  /** The latest value recorded under `name` with {@link setNote} (in this run or an earlier one). */
  note(name: string): unknown;
  /** Records `value` under `name` in the journal, durably, after the requests answered so far. */
  setNote(name: string, value: unknown): Promise<void>;
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
  /** The persistent state, when started with `state`. */
  readonly state: DevchainState | undefined;
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

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
}

/**
 * Opens (or creates) the journal in `dir` and replays it onto the chain `raw` (just reset to the genesis).
 * Returns the journaling provider and what was replayed (undefined for a new journal).
 */
async function openState(raw: Eip1193Provider, dir: string, genesis: RpcBlock, warn: (m: string) => void): Promise<{ provider: JournalingProvider; replay: ReplayResult | undefined }> {
  const path = join(dir, JOURNAL_FILE);
  const contents = readJournal(path, warn);
  if (contents === undefined) {
    const header: JournalHeader = {
      journal: JOURNAL_KIND,
      version: JOURNAL_VERSION,
      chainId: Number(DEVCHAIN_CHAIN_ID),
      hardfork: DEVCHAIN_HARDFORK,
      genesisHash: genesis.hash,
      client: String(await raw.request({ method: 'web3_clientVersion', params: [] })),
      created: new Date().toISOString(),
    };
    const journal = JournalWriter.create(path, dir, header);
    return { provider: new JournalingProvider(raw, journal, { number: 0, hash: genesis.hash }), replay: undefined };
  }
  const h = contents.header;
  if (h.chainId !== Number(DEVCHAIN_CHAIN_ID) || h.hardfork !== DEVCHAIN_HARDFORK || h.genesisHash !== genesis.hash) {
    throw new Error(
      `${path}: written for chain ${h.chainId} (${h.hardfork}, genesis ${h.genesisHash}), this dev chain is ${DEVCHAIN_CHAIN_ID} (${DEVCHAIN_HARDFORK}, genesis ${genesis.hash}): ` +
        'the config changed. Start the dev chain with --fresh (or delete its state directory) to reset it',
    );
  }
  const replay = await replayJournal(raw, contents.entries, path);
  return { provider: new JournalingProvider(raw, JournalWriter.open(path), replay.head), replay };
}

/**
 * Starts (resets) the in-process dev chain and returns a provider and the funded accounts; with `state`, the
 * chain of the previous run in that directory (see the module comment).
 * @example const chain = await startDevchain({ listen: { hostname: '127.0.0.1', port: 8545 } })
 */
export async function startDevchain(options: DevchainOptions = {}): Promise<Devchain> {
  if (running) throw new Error('a dev chain is already running in this process; stop it first');
  running = true;
  let release: (() => void) | undefined;
  let journaling: JournalingProvider | undefined;
  try {
    const hre = loadHardhat();
    const raw = hre.network.provider;
    await raw.request({ method: 'hardhat_reset', params: [] });
    const genesis = (await raw.request({ method: 'eth_getBlockByNumber', params: ['0x0', false] })) as RpcBlock;
    const genesisTime = Math.floor(Date.parse(DEVCHAIN_GENESIS_DATE) / 1000);
    if (Number(genesis.timestamp) !== genesisTime) {
      throw new Error(`dev chain genesis at ${Number(genesis.timestamp)}, expected ${genesisTime} (${DEVCHAIN_GENESIS_DATE}): ${HARDHAT_CONFIG_PATH} must set networks.hardhat.initialDate`);
    }
    let eip1193: Eip1193Provider = raw;
    let state: DevchainState | undefined;
    let replay: ReplayResult | undefined;
    if (options.state !== undefined) {
      const dir = resolve(options.state);
      release = lockStateDir(dir);
      const opened = await openState(raw, dir, genesis, options.warn ?? ((m) => process.stderr.write(`devchain: warning: ${m}\n`)));
      journaling = opened.provider;
      replay = opened.replay;
      eip1193 = journaling;
      const notes = new Map<string, unknown>();
      for (const n of replay?.notes ?? []) notes.set(n.note, n.value);
      const jp = journaling;
      state = {
        dir,
        replay,
        note: (name) => notes.get(name),
        async setNote(name, value) {
          await jp.note(name, value);
          notes.set(name, value);
        },
      };
    }
    // The clock: the wall clock plus what evm_increaseTime added (the genesis date is fixed, in the past).
    const offset = Number(await raw.request({ method: 'evm_increaseTime', params: [0] }));
    const lead = replay?.clockLead ?? 0;
    if (lead - offset > 0) await raw.request({ method: 'evm_increaseTime', params: [lead - offset] });
    // A fresh chain: a random prevRandao in its first block makes its block hashes its own (a chain identity).
    if (replay === undefined) await eip1193.request({ method: 'hardhat_setPrevRandao', params: ['0x' + randomBytes(32).toString('hex')] });

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
    const releaseState = release;
    const journal = journaling;
    return {
      chainId,
      url,
      eip1193,
      provider,
      signers,
      wallets,
      state,
      async stop() {
        if (stopped) return;
        stopped = true;
        provider.destroy();
        try {
          await server?.close();
        } finally {
          try {
            await journal?.close();
          } finally {
            releaseState?.();
            running = false;
          }
        }
      },
    };
  } catch (err) {
    await journaling?.close().catch(() => undefined);
    release?.();
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
