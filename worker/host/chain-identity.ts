/**
 * Binds the worker's databases (worker DB, maker DBs, their journals) to one chain instance: chain id,
 * network contract and the hash of the first replicated block, kept in `<worker db>.chain.json`.
 *
 * The embedded dev chain keeps its state across restarts (its journal in `.xbr-edge/devchain-state`), so its
 * identity stays the same and nothing is discarded. When it was reset (`--fresh`, its state directory deleted,
 * or a run without `--state`), it is a new chain at the same addresses but with other blocks (a fresh chain's
 * first block has a random prevRandao); the replica, channels and balances of the previous run describe a
 * chain that no longer exists. So when the chain is the embedded one (a `deployment` file) and the identity
 * changed, the databases are discarded and rebuilt from the new chain — with a warning. For any other chain a
 * changed identity is an error: silently dropping a real ledger would lose money records.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Provider } from 'ethers';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';

export interface ChainIdentity {
  chain_id: string;
  network: string;
  anchor_block: number;
  anchor_hash: string;
}

export interface EnsureChainIdentityOptions {
  provider: Provider;
  chainId: bigint;
  networkAddress: string;
  /** First replicated block; its hash identifies the chain instance. */
  anchorBlock: number;
  workerDbPath: string;
  /** Maker DB paths and their journals: discarded together with the worker DB on the embedded chain. */
  makerPaths: readonly string[];
  /** True for the embedded dev chain (the config names a deployment file). */
  embedded: boolean;
  log: Logger;
}

/** The identity file of the worker DB at `workerDbPath` (router/controller/private-files.ts repeats the rule for backups). */
export const chainIdentityPath = (workerDbPath: string): string => `${workerDbPath}.chain.json`;

function removeDb(path: string): void {
  // lmdb-js keeps the data file at `path` and its lock file beside it.
  rmSync(path, { recursive: true, force: true });
  rmSync(`${path}-lock`, { force: true });
}

/** Checks (and on first use records) which chain the databases belong to; see the module comment. */
export async function ensureChainIdentity(o: EnsureChainIdentityOptions): Promise<void> {
  const block = await o.provider.getBlock(o.anchorBlock);
  if (block === null || block.hash === null) {
    throw new WampError(WampErrorUri.runtimeError, `chain ${o.chainId} has no block ${o.anchorBlock} (the deployment block): wrong gateway or contracts?`);
  }
  const current: ChainIdentity = { chain_id: o.chainId.toString(), network: o.networkAddress.toLowerCase(), anchor_block: o.anchorBlock, anchor_hash: block.hash };
  const file = chainIdentityPath(o.workerDbPath);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as ChainIdentity;
    const same = stored.chain_id === current.chain_id && stored.network === current.network && stored.anchor_block === current.anchor_block && stored.anchor_hash === current.anchor_hash;
    if (same) return;
    if (!o.embedded) {
      throw new WampError(
        WampErrorUri.runtimeError,
        `the worker database ${o.workerDbPath} belongs to another chain (chain ${stored.chain_id}, network ${stored.network}, block ${stored.anchor_block} ${stored.anchor_hash}); ` +
          `the gateway serves chain ${current.chain_id}, network ${current.network}, block ${current.anchor_block} ${current.anchor_hash}. Use new database paths for another chain.`,
      );
    }
    o.log.warn('the embedded dev chain is a new chain (it was reset): discarding the replica, channels and balances of the previous run', {
      worker_db: o.workerDbPath,
      maker_dbs: o.makerPaths,
      previous_anchor_hash: stored.anchor_hash,
      anchor_hash: current.anchor_hash,
    });
    for (const p of [o.workerDbPath, ...o.makerPaths]) removeDb(p);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(current, null, 2) + '\n');
  renameSync(tmp, file);
}
