/**
 * The xbrmm worker's chain monitor (worker/host/monitor-adapter.ts) when the worker DB's disk is full: the
 * monitor stops on the refused progress write, and instead of the worker exiting (and being restarted into the
 * same full disk) it is started again in the process once the worker DB takes a write, resuming after the
 * block it stored. The worker DB is on a small tmpfs (root only; skipped otherwise), the chain is the dev chain.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Signer } from 'ethers';
import { openWorkerDb } from '../../../schema/db/worker-db.js';
import { createLogger } from '../../../schema/log.js';
import { chainMonitorStarter } from '../../../worker/host/index.js';
import { mountTmpfs } from '../../helpers/tmpfs.js';
import { startWorld } from '../monitor/helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a worker DB on a full disk stops the chain monitor; it starts again by itself once space is back', { timeout: 120_000 }, async (t) => {
  const fs = mountTmpfs(24);
  if ('skipped' in fs) {
    t.skip(fs.skipped);
    return;
  }
  const world = await startWorld();
  const db = await openWorkerDb({ path: join(fs.dir, 'worker.db') });
  const fatal: Error[] = [];
  try {
    const running = await chainMonitorStarter({ onFatal: (e) => fatal.push(e), storageRetry: { initialMs: 20, maxMs: 100 } })({
      provider: world.provider,
      chainId: world.chain.chainId,
      addresses: world.deployment.addresses,
      workerDb: db,
      fromBlock: world.deployment.deploymentBlock,
      confirmations: 1,
      pollIntervalMs: 20,
      makers: new Map(),
      log: createLogger({}, 'error'),
    });
    const mine = async (): Promise<bigint> => {
      const signer = world.chain.signers[0] as Signer;
      await (await signer.sendTransaction({ to: await signer.getAddress(), value: 1n })).wait();
      return BigInt(await world.provider.getBlockNumber());
    };
    const until = async (block: bigint, ms: number): Promise<boolean> => {
      for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if ((running.lastBlock() ?? -1n) >= block) return true;
      return false;
    };
    assert.ok(await until(await mine(), 10_000), 'follows the chain');

    fs.fill();
    const whileFull = await mine();
    assert.equal(await until(whileFull, 1500), false, 'no block is committed while the disk is full');
    fs.free();
    assert.ok(await until(whileFull, 30_000), 'the monitor started again and caught up');
    assert.ok(await until(await mine(), 10_000), 'and goes on');
    assert.deepEqual(fatal, [], 'the worker was not made to exit');
    await running.stop();
  } finally {
    await db.close();
    await world.stop();
    fs.unmount();
  }
});
