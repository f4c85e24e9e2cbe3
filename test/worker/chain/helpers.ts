/**
 * Fixtures of the chain-sender tests: an in-process hardhat (EDR) chain, funded keys, temp journal
 * directories and a tiny contract that reverts on demand (compiled with solc-js, never by hardhat).
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserProvider, ContractFactory, HDNodeWallet, Interface, Wallet, type Eip1193Provider } from 'ethers';
import solc from 'solc';
import { createLogger } from '../../../schema/log.js';
import { BroadcastJournal } from '../../../worker/chain/index.js';

/** Hardhat's default funded accounts (its test mnemonic), private keys by index 0…7. */
export const KEYS = Array.from(
  { length: 8 },
  (_, i) => HDNodeWallet.fromPhrase('test test test test test test test test test test test junk', undefined, `m/44'/60'/0'/0/${i}`).privateKey,
) as [string, string, string, string, string, string, string, string];

export const quietLogger = createLogger({}, 'error');

let chain: { provider: BrowserProvider; raw: Eip1193Provider } | undefined;

/** The in-process EDR chain of this test process (one per process; reset with {@link resetChain}). */
function getChain(): { provider: BrowserProvider; raw: Eip1193Provider } {
  if (chain !== undefined) return chain;
  process.env['HARDHAT_CONFIG'] = new URL('./hardhat.config.cjs', import.meta.url).pathname;
  process.env['HARDHAT_DISABLE_TELEMETRY_PROMPT'] = 'true';
  const require = createRequire(import.meta.url);
  const hre = require('hardhat') as { network: { provider: Eip1193Provider } };
  const raw = hre.network.provider;
  const provider = new BrowserProvider(raw, undefined, { cacheTimeout: -1, pollingInterval: 20, staticNetwork: true });
  chain = { provider, raw };
  return chain;
}

/** Back to genesis with auto-mining on. */
export async function resetChain(): Promise<BrowserProvider> {
  const { provider } = getChain();
  await provider.send('hardhat_reset', []);
  await provider.send('evm_setAutomine', [true]);
  return provider;
}

/** A temp dir for a journal, and its removal. */
export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'xbr-chain-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens a journal in `dir` that is closed after the test. */
export async function openJournal(t: { after(fn: () => Promise<void> | void): void }, dir: string): Promise<BroadcastJournal> {
  const j = await BroadcastJournal.open(dir);
  t.after(() => j.close());
  return j;
}

const FLIP = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Flip {
  bool public on;
  function set(bool v) external { on = v; }
  function must() external { require(on, "flip is off"); }
}`;

/** Deploys the `Flip` contract (`must()` reverts with "flip is off" until `set(true)`). */
export async function deployFlip(provider: BrowserProvider, key: string): Promise<{ address: string; iface: Interface }> {
  const input = {
    language: 'Solidity',
    sources: { 'Flip.sol': { content: FLIP } },
    settings: { evmVersion: 'cancun', optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; message: string }[];
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
  const c = out.contracts['Flip.sol']?.['Flip'];
  if (c === undefined) throw new Error('Flip not compiled');
  const wallet = new Wallet(key, provider);
  const contract = await new ContractFactory(c.abi as never, '0x' + c.evm.bytecode.object, wallet).deploy();
  await contract.waitForDeployment();
  return { address: await contract.getAddress(), iface: new Interface(c.abi as never) };
}

/** A fresh random address to send ETH to. */
export function randomAddress(): string {
  return Wallet.createRandom().address;
}
