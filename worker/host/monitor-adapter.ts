/**
 * Runs worker/monitor's chain monitor for the xbrmm worker: one channel sink per served market, applying
 * XBRChannel events to that maker's ledger (idempotent, as the monitor's at-least-once delivery needs), and
 * returns once the monitor caught up. A monitor that fails later on the chain (mismatch) is fatal to the
 * worker: it exits, so the controller restarts it and the start-up checks run again (fail closed).
 *
 * One that stopped because the worker DB refused its write (a full disk) is started again in the process, once
 * the worker DB takes a write (`DbEnv.probeWrite`, checked with a backoff): a worker that exited would start
 * into the same full disk, hang in the monitor's catch-up or fail on a refund, and be restarted until the
 * controller gives up, while the monitor's stored progress makes a restart here resume where it stopped.
 * (A maker DB refusing a channel event is the sink's failure: the monitor delivers the range again itself.)
 */
import { nowNs } from '../../schema/codec/index.js';
import { toWampError, WampError, XbrErrorUri } from '../../schema/index.js';
import { backoffDelay, sleep } from '../../process/index.js';
import { applyChannelEvent } from '../market/index.js';
import { ChannelSinkRegistry, startChainMonitor, type ChainMonitor } from '../monitor/index.js';
import type { StartChainMonitor } from './monitor-hook.js';

/** The worker DB's write check before the monitor starts again: a few ranges' worth of pages. */
const PROBE_BYTES = 64 * 1024;

export interface MonitorAdapterOptions {
  /** Called once when the monitor fails on the chain after the start (default: log and exit the process with code 1). */
  onFatal?: (err: Error) => void;
  /** Checks of the worker DB after it refused the monitor's write (ms); default 0.5 s doubling to 5 s. */
  storageRetry?: { readonly initialMs: number; readonly maxMs: number };
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
    const start = (): ChainMonitor =>
      startChainMonitor({
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
    let monitor = start();
    await monitor.caughtUp();
    input.log.info('chain monitor caught up', { last_block: monitor.lastBlock(), markets: sinks.size });
    let stopped = false;
    const abort = new AbortController();
    const { initialMs, maxMs } = options.storageRetry ?? { initialMs: 500, maxMs: 5000 };

    const fatal = (e: Error): void => {
      if (options.onFatal !== undefined) return options.onFatal(e);
      input.log.error('chain monitor failed: the worker exits so that it is restarted and re-checked', { error: e });
      process.exit(1);
    };

    /** Starts the monitor again once the worker DB takes a write (unless the worker stops first). */
    const restartWhenWritable = async (): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        await sleep(backoffDelay(initialMs, maxMs, attempt), abort.signal);
        if (stopped) return;
        try {
          input.workerDb.env.probeWrite(PROBE_BYTES);
        } catch (err) {
          if (attempt <= 3 || attempt % 12 === 0) input.log.warn('the worker database still cannot be written: the chain monitor waits', { attempt, error: err as Error });
          continue;
        }
        monitor = start();
        watch(monitor);
        input.log.info('the worker database can be written again: the chain monitor starts again', { attempts: attempt });
        return;
      }
    };

    const watch = (m: ChainMonitor): void => {
      m.closed.catch((err: unknown) => {
        if (stopped) return;
        const e = err instanceof Error ? err : new Error(String(err));
        if (e instanceof WampError && e.uri === XbrErrorUri.storage) {
          input.log.error('chain monitor stopped: the worker database cannot be written; it starts again once it can', { error: e });
          restartWhenWritable().catch((restartErr: unknown) => fatal(toWampError(restartErr)));
          return;
        }
        fatal(e);
      });
    };
    watch(monitor);
    return {
      trigger: () => monitor.trigger(),
      lastBlock: () => monitor.lastBlock(),
      firstBlock: () => monitor.firstBlock(),
      rescan: (fromBlock) => monitor.rescan(fromBlock),
      stop: async () => {
        stopped = true;
        abort.abort();
        await monitor.stop();
      },
    };
  };
}
