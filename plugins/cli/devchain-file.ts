/**
 * `.xbr-edge/devchain.json` (written by the dev chain guest of `npm start`, see contracts/README.md): the
 * chain URL, market and API ids, and which hardhat account each demo role is. Its absence means the
 * edge is not running (exit 3), so the message says how to start it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { computeAddress, hexlify } from 'ethers';
import { DEMO_ACCOUNTS, devchainAccountKey } from '../../contracts/index.js';
import { CliError, ExitCode, unreachable } from './errors.js';

export type DemoRole = 'seller' | 'buyer' | 'sellerDelegate' | 'buyerDelegate' | 'maker';

export interface DevchainInfo {
  readonly path: string;
  readonly chainUrl: string;
  readonly marketId: string;
  readonly apiId: string;
  /** Hardhat account index of a demo role (null: not a hardhat account). */
  accountIndex(role: DemoRole): number | null;
  address(role: DemoRole): string;
}

/** @throws CliError exit 3 when the file is missing, exit 1 when it is not a devchain file */
export function readDevchainFile(path: string): DevchainInfo {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw unreachable(`no devchain file at ${abs}: is the edge running? Start it with \`npm start\` (in the repository root), or give --devchain <file>`, err);
    throw new CliError(`cannot read the devchain file ${abs}: ${(err as Error).message}`, ExitCode.failed, { cause: err });
  }
  const bad = (what: string): CliError => new CliError(`${abs} is not a devchain file (${what})`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  const f = raw as { url?: unknown; demo?: { marketId?: unknown; apiId?: unknown; members?: Record<string, { address?: unknown; accountIndex?: unknown }> } };
  if (typeof f.url !== 'string') throw bad('no "url"');
  const demo = f.demo;
  if (typeof demo?.marketId !== 'string' || typeof demo.apiId !== 'string' || demo.members === undefined) throw bad('no "demo" market, API and members');
  const members = demo.members;
  const member = (role: DemoRole): { address: string; accountIndex: number | null } => {
    const m = members[role];
    if (typeof m?.address !== 'string') {
      // Files of older dev chains list no delegates; their accounts were the same fixed ones.
      const fallback = role === 'sellerDelegate' || role === 'buyerDelegate' ? DEMO_ACCOUNTS[role] : undefined;
      if (fallback === undefined) throw bad(`no demo member "${role}"`);
      return { address: computeAddress(hexlify(devchainAccountKey(fallback))), accountIndex: fallback };
    }
    return { address: m.address, accountIndex: typeof m.accountIndex === 'number' ? m.accountIndex : null };
  };
  return {
    path: abs,
    chainUrl: f.url,
    marketId: demo.marketId,
    apiId: demo.apiId,
    accountIndex: (role) => member(role).accountIndex,
    address: (role) => member(role).address,
  };
}
