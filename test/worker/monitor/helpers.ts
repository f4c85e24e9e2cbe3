/**
 * Fixtures of the chain-monitor tests: the dev chain served over HTTP with the XBR contracts and the demo
 * deployed, a JsonRpcProvider without caching, temp worker DBs, waiting for the monitor to reach a block,
 * and dumps of the replica tables for before/after comparisons.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, JsonRpcProvider, type HDNodeWallet, type ContractTransactionResponse, type Signer, type TransactionReceipt } from 'ethers';
import { xbrMarketAbi, xbrNetworkAbi } from '../../../contracts/build/index.js';
import { deployXbr, type XbrDeployment } from '../../../contracts/deploy.js';
import { setupDemo, type Demo } from '../../../contracts/demo.js';
import { startDevchain, type Devchain } from '../../../contracts/devchain.js';
import { openWorkerDb, type WorkerDb } from '../../../schema/db/worker-db.js';
import { createLogger } from '../../../schema/log.js';
import { ChannelSinkRegistry, startChainMonitor, type ChainMonitor, type ChainMonitorOptions } from '../../../worker/monitor/index.js';

const quietLogger = createLogger({}, 'error');

export interface World {
  chain: Devchain;
  deployment: XbrDeployment;
  demo: Demo;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

/** Dev chain on a free port + deployXbr + setupDemo, and a non-caching JsonRpcProvider to it. */
export async function startWorld(): Promise<World> {
  const chain = await startDevchain({ listen: { hostname: '127.0.0.1', port: 0 } });
  const deployment = await deployXbr(chain.signers[0] as Signer);
  const demo = await setupDemo(chain, deployment);
  assert.ok(chain.url !== undefined);
  const provider = new JsonRpcProvider(chain.url, Number(chain.chainId), { staticNetwork: true, cacheTimeout: -1 });
  return {
    chain,
    deployment,
    demo,
    provider,
    stop: async () => {
      provider.destroy();
      await chain.stop();
    },
  };
}

/** A fresh worker DB in a temp dir; closed and removed by the returned cleanup. */
export async function tempWorkerDb(): Promise<{ db: WorkerDb; path: string; cleanup(): Promise<void> }> {
  const path = mkdtempSync(join(tmpdir(), 'xbr-monitor-'));
  const db = await openWorkerDb({ path });
  let closed = false;
  return {
    db,
    path,
    cleanup: async () => {
      if (!closed) await db.close().catch(() => undefined);
      closed = true;
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Starts a monitor on `world` with test defaults (fast polling and retries, quiet log). */
export function monitorOn(world: World, db: WorkerDb, over: Partial<ChainMonitorOptions> = {}): ChainMonitor {
  return startChainMonitor({
    provider: world.provider,
    addresses: world.deployment.addresses,
    db,
    channelSinks: new ChannelSinkRegistry(),
    fromBlock: world.deployment.deploymentBlock,
    pollIntervalMs: 20,
    retry: { initialMs: 10, maxMs: 50 },
    logger: quietLogger,
    ...over,
  });
}

/** Resolves once the monitor committed block `n` (or a later one); rejects if it fails first. */
export function untilBlock(monitor: ChainMonitor, n: bigint | number): Promise<void> {
  const target = BigInt(n);
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const last = monitor.lastBlock();
      if (last !== undefined && last >= target) {
        monitor.off('block', check);
        monitor.off('failed', fail);
        resolve();
        return true;
      }
      return false;
    };
    const fail = (err: Error): void => {
      monitor.off('block', check);
      reject(err);
    };
    if (check()) return;
    monitor.on('block', check);
    monitor.on('failed', fail);
  });
}

/** Waits for the transaction and asserts it succeeded. */
export async function send(p: Promise<unknown>): Promise<TransactionReceipt> {
  const receipt = await (p as Promise<ContractTransactionResponse>).then((tx) => tx.wait());
  assert.ok(receipt !== null && receipt.status === 1);
  return receipt;
}

export const marketAs = (world: World, i: number): Contract => new Contract(world.deployment.addresses.market, xbrMarketAbi, world.chain.signers[i] as Signer);
export const networkAs = (world: World, i: number): Contract => new Contract(world.deployment.addresses.network, xbrNetworkAbi, world.chain.signers[i] as Signer);

/** Every record of the replica tables and `blocks` (keys hex), for equality checks. */
export function dumpReplica(db: WorkerDb): Record<string, unknown[]> {
  const tables = { members: db.members, markets: db.markets, catalogs: db.catalogs, apis: db.apis, actors: db.actors, consents: db.consents, blocks: db.blocks };
  const out: Record<string, unknown[]> = {};
  for (const [name, t] of Object.entries(tables)) {
    out[name] = (t as { range(): { key: Buffer; value: unknown }[] }).range().map((e) => [e.key.toString('hex'), e.value]);
  }
  return out;
}

/** Dev chain account `i` (a local wallet with its key). */
export function walletOf(world: World, i: number): HDNodeWallet {
  const w = world.chain.wallets[i];
  assert.ok(w !== undefined, `no dev chain account ${i}`);
  return w;
}
