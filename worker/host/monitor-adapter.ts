/**
 * Runs worker/monitor's chain monitor for the xbrmm worker: one channel sink per served market, applying
 * XBRChannel events to that maker's ledger (idempotent, as the monitor's at-least-once delivery needs), and
 * returns once the monitor caught up. A monitor that fails later (chain mismatch, storage error) is fatal to
 * the worker: it exits, so the controller restarts it and the start-up checks run again (fail closed).
 */
import { nowNs } from '../../schema/codec/index.js';
import { applyChannelEvent } from '../market/index.js';
import { ChannelSinkRegistry, startChainMonitor } from '../monitor/index.js';
import type { StartChainMonitor } from './monitor-hook.js';

export interface MonitorAdapterOptions {
  /** Called once when the monitor fails after the start (default: log and exit the process with code 1). */
  onFatal?: (err: Error) => void;
}

export function chainMonitorStarter(options: MonitorAdapterOptions = {}): StartChainMonitor {
  return async (input) => {
    const sinks = new ChannelSinkRegistry();
    for (const { marketId, makerDb } of input.makers.values()) {
      sinks.add({
        marketId,
        apply: async (ev) => {
          const result = applyChannelEvent(makerDb, ev, { marketId, now: nowNs() });
          const changed = result !== 'unchanged' && result !== 'ignored';
          if (changed) input.log.info('channel event applied', { event: ev.type, channel: Buffer.from(ev.channelId).toString('hex'), block: ev.blockNumber, result });
          return changed;
        },
      });
    }
    const monitor = startChainMonitor({
      provider: input.provider,
      addresses: input.addresses,
      db: input.workerDb,
      channelSinks: sinks,
      fromBlock: input.fromBlock,
      chainId: input.chainId,
      confirmations: input.confirmations,
      pollIntervalMs: input.pollIntervalMs,
      logger: input.log,
      ...(input.onReplicaWrites === undefined ? {} : { onReplicaWrites: input.onReplicaWrites }),
    });
    await monitor.caughtUp();
    input.log.info('chain monitor caught up', { last_block: monitor.lastBlock(), markets: sinks.size });
    let stopped = false;
    monitor.closed.catch((err: unknown) => {
      if (stopped) return;
      const e = err instanceof Error ? err : new Error(String(err));
      if (options.onFatal !== undefined) return options.onFatal(e);
      input.log.error('chain monitor failed: the worker exits so that it is restarted and re-checked', { error: e });
      process.exit(1);
    });
    return {
      trigger: () => monitor.trigger(),
      lastBlock: () => monitor.lastBlock(),
      firstBlock: () => monitor.firstBlock(),
      rescan: (fromBlock) => monitor.rescan(fromBlock),
      stop: async () => {
        stopped = true;
        await monitor.stop();
      },
    };
  };
}
