/**
 * The chain monitor (docs/protocol.md#chain-monitor, docs/protocol.md#ledger-rules): follows the XBR contracts' events into the worker DB replica
 * and hands channel events to the makers' sinks.
 *
 * Each pass polls `eth_blockNumber`; blocks up to `head − confirmations + 1` are read in ranges of at most
 * `maxBlockRange` blocks. Per range: (1) the stored last block's hash is re-checked against the chain,
 * (2) logs are fetched and sorted by (block, logIndex), (3) channel events go to their market's sink, awaited
 * in order, (4) ONE write transaction stores the replica records, a `Block` record per block with events,
 * and the progress (last block + hash, per chain id). A crash between (3) and (4) re-delivers that range
 * after the restart — sinks are idempotent by contract — while a committed range is never delivered again.
 *
 * Failures: node errors are logged and retried with exponential backoff (the `retry` event), never thrown;
 * a sink that throws leaves the range uncommitted and it is retried the same way; a chain mismatch (stored
 * hash ≠ chain, a reorg deeper than the confirmations or another chain) or a worker-DB write error stops the
 * monitor for good: `closed` and a pending `caughtUp()` reject, `failed` is emitted, and it is logged.
 */
import { EventEmitter } from 'node:events';
import { nowNs, toHex } from '../../schema/codec/index.js';
import type { Block } from '../../schema/db/index.js';
import { CrossbarErrorUri, WampError, WampErrorUri } from '../../schema/index.js';
import { createLogger, type Logger } from '../../schema/index.js';
import { backoffDelay } from '../../process/index.js';
import { errorText } from '../chain/index.js';
import { hash32Of, toChannelEvent } from './convert.js';
import { chainMismatch, monitorStorageError, RpcFailure, SinkFailure } from './errors.js';
import { blockHash, fetchRange, rpc } from './fetch.js';
import { applyReplicaEvent, replicaWriteOf } from './replica.js';
import type { ChannelSinkRegistry } from './sinks.js';
import type { BlockProgress, ChainMonitor, ChainMonitorEvents, ChainMonitorOptions, ReplicaWrite, RescanReport, RetryNotice } from './types.js';

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
  settled: boolean;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be listening: a failure is reported through the logger and the `failed` event as well, and an
  // unhandled rejection would kill the whole worker process instead.
  promise.catch(() => undefined);
  const d: Deferred = {
    promise,
    settled: false,
    resolve: () => {
      if (d.settled) return;
      d.settled = true;
      resolve();
    },
    reject: (err) => {
      if (d.settled) return;
      d.settled = true;
      reject(err);
    },
  };
  return d;
}

const invalid = (name: string, message: string): WampError => new WampError(WampErrorUri.invalidArgument, `${name}: ${message}`);

/** A rescan asked for and not yet finished: where it starts, up to where it must commit, what it read so far. */
interface Rescan {
  readonly from: bigint;
  readonly target: bigint;
  /** The monitor has moved back to `from` (the next range it reads is the rescan's). */
  started: boolean;
  events: number;
  channelEvents: number;
  channelChanges: number;
  replicaWrites: number;
  resolve(report: RescanReport): void;
  reject(err: Error): void;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw invalid(name, `expected an integer ≥ 1, got ${String(value)}`);
  return v;
}

class Monitor extends EventEmitter implements ChainMonitor {
  readonly channelSinks: ChannelSinkRegistry;
  private readonly opts: ChainMonitorOptions;
  private readonly confirmations: number;
  private readonly pollMs: number;
  private readonly maxRange: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly fromBlock: bigint;
  private log: Logger;
  private chain: bigint | undefined;
  private next = 0n;
  private last: { n: bigint; hash: string } | undefined;
  private span: number;
  private failures = 0;
  private stopping = false;
  private rescanning: Rescan | undefined;
  private wake: (() => void) | undefined;
  private readonly caught = deferred();
  private readonly done = deferred();
  private readonly loop: Promise<void>;

  constructor(options: ChainMonitorOptions) {
    super();
    this.opts = options;
    this.channelSinks = options.channelSinks;
    this.confirmations = positiveInt('confirmations', options.confirmations, 1);
    this.pollMs = positiveInt('pollIntervalMs', options.pollIntervalMs, 1000);
    this.maxRange = positiveInt('maxBlockRange', options.maxBlockRange, 2000);
    this.retryInitialMs = positiveInt('retry.initialMs', options.retry?.initialMs, 500);
    this.retryMaxMs = Math.max(this.retryInitialMs, positiveInt('retry.maxMs', options.retry?.maxMs, 30_000));
    const from = BigInt(options.fromBlock);
    if (from < 0n) throw invalid('fromBlock', `expected a block number ≥ 0, got ${from}`);
    this.fromBlock = from;
    this.span = this.maxRange;
    this.log = (options.logger ?? createLogger()).child({ component: 'chain-monitor' });
    this.loop = this.run();
  }

  get closed(): Promise<void> {
    return this.done.promise;
  }

  chainId(): bigint | undefined {
    return this.chain;
  }

  caughtUp(): Promise<void> {
    return this.caught.promise;
  }

  lastBlock(): bigint | undefined {
    return this.last?.n;
  }

  trigger(): void {
    this.wake?.();
  }

  firstBlock(): bigint {
    return this.fromBlock;
  }

  async rescan(fromBlock: bigint | number): Promise<RescanReport> {
    if ((typeof fromBlock !== 'bigint' && !Number.isSafeInteger(fromBlock)) || BigInt(fromBlock) < 0n) throw invalid('from_block', `expected a block number ≥ 0, got ${String(fromBlock)}`);
    const from = BigInt(fromBlock);
    if (from < this.fromBlock) throw invalid('from_block', `expected a block ≥ ${this.fromBlock} (the first block this monitor follows: nothing before it was read), got ${from}`);
    this.refuseRescan();
    const head = BigInt(await rpc('eth_blockNumber', () => this.opts.provider.getBlockNumber()));
    if (from > head) throw invalid('from_block', `expected a block ≤ the chain head ${head}, got ${from}`);
    this.refuseRescan();
    const confirmed = head - BigInt(this.confirmations) + 1n;
    // Blocks from `from` on are not confirmed yet, so the monitor never read them: there is nothing to read again.
    if (from > confirmed) return { fromBlock: from, toBlock: this.last?.n ?? from, events: 0, channelEvents: 0, channelChanges: 0, replicaWrites: 0 };
    return new Promise<RescanReport>((resolve, reject) => {
      this.rescanning = { from, target: confirmed, started: false, events: 0, channelEvents: 0, channelChanges: 0, replicaWrites: 0, resolve, reject };
      this.log.info('chain monitor: rescan asked for', { from_block: from, to_block: confirmed });
      this.wake?.();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /** Throws unless a rescan may start now: the monitor runs and no other rescan does. */
  private refuseRescan(): void {
    if (this.stopping || this.done.settled) throw new WampError(WampErrorUri.systemShutdown, 'the chain monitor has stopped: nothing can be read again');
    const running = this.rescanning;
    if (running !== undefined) {
      throw new WampError(CrossbarErrorUri.alreadyRunning, `a rescan from block ${running.from} is running; ask again once it has finished`, { kwargs: { from_block: running.from } });
    }
  }

  override on<E extends keyof ChainMonitorEvents>(event: E, listener: (...args: ChainMonitorEvents[E]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override off<E extends keyof ChainMonitorEvents>(event: E, listener: (...args: ChainMonitorEvents[E]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        try {
          if (this.chain === undefined) await this.init();
          if (this.rescanning?.started === false) await this.startRescan(this.rescanning);
          const head = BigInt(await rpc('eth_blockNumber', () => this.opts.provider.getBlockNumber()));
          const confirmed = head - BigInt(this.confirmations) + 1n;
          if (this.next > confirmed) {
            this.failures = 0;
            this.caught.resolve();
            this.finishRescan();
            await this.sleep(this.pollMs);
            continue;
          }
          const to = confirmed < this.next + BigInt(this.span) - 1n ? confirmed : this.next + BigInt(this.span) - 1n;
          await this.processRange(this.next, to);
          this.failures = 0;
          this.finishRescan();
        } catch (err) {
          if (!(err instanceof RpcFailure || err instanceof SinkFailure)) throw err;
          await this.backoff(err);
        }
      }
      this.caught.reject(new WampError(WampErrorUri.systemShutdown, 'chain monitor stopped before it caught up'));
      this.abandonRescan(new WampError(WampErrorUri.systemShutdown, 'chain monitor stopped before the rescan finished'));
      this.done.resolve();
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.log.error('chain monitor stopped on an unrecoverable error', { error: e, uri: e instanceof WampError ? e.uri : undefined, ...(e instanceof WampError ? e.kwargs : {}) });
      this.abandonRescan(e);
      this.caught.reject(e);
      this.done.reject(e);
      this.safeEmit('failed', e);
    }
  }

  /** Learns the chain id and where to resume; verifies the stored block is still on the chain. */
  private async init(): Promise<void> {
    const { chainId } = await rpc('eth_chainId', () => this.opts.provider.getNetwork());
    if (this.opts.chainId !== undefined && BigInt(this.opts.chainId) !== chainId) {
      throw chainMismatch(`chain monitor: the node is on chain ${chainId}, expected ${BigInt(this.opts.chainId)}`, { chain_id: chainId, expected: BigInt(this.opts.chainId) });
    }
    this.log = this.log.child({ chain_id: Number(chainId) });
    const state = this.opts.db.monitor.get(Number(chainId));
    if (state === undefined) {
      this.next = this.fromBlock;
      this.log.info('chain monitor starts from the deployment block', { from_block: this.fromBlock, confirmations: this.confirmations });
    } else {
      const stored = { n: state.last_block, hash: '0x' + toHex(state.last_block_hash) };
      await this.verify(stored);
      this.last = stored;
      this.next = stored.n + 1n;
      this.log.info('chain monitor resumes after the stored block', { last_block: stored.n, last_block_hash: stored.hash, confirmations: this.confirmations });
    }
    this.chain = chainId;
  }

  /**
   * Moves the monitor back to the rescan's first block: the next range read is `r.from…`, checked against the
   * chain's block before it as a range is against the stored one.
   */
  private async startRescan(r: Rescan): Promise<void> {
    let before: { n: bigint; hash: string } | undefined;
    if (r.from > 0n) {
      const hash = await blockHash(this.opts.provider, r.from - 1n);
      if (hash === null) throw new RpcFailure('eth_getBlockByNumber', `eth_getBlockByNumber: the node has no block ${r.from - 1n}`);
      before = { n: r.from - 1n, hash };
    }
    this.last = before;
    this.next = r.from;
    r.started = true;
    this.log.info('chain monitor: rescan started', { from_block: r.from, to_block: r.target });
  }

  /** Resolves the running rescan once everything up to its target is committed again. */
  private finishRescan(): void {
    const r = this.rescanning;
    if (r === undefined || !r.started || this.next <= r.target) return;
    this.rescanning = undefined;
    const report: RescanReport = {
      fromBlock: r.from,
      toBlock: this.next - 1n,
      events: r.events,
      channelEvents: r.channelEvents,
      channelChanges: r.channelChanges,
      replicaWrites: r.replicaWrites,
    };
    this.log.info('chain monitor: rescan finished', { from_block: report.fromBlock, to_block: report.toBlock, events: report.events, channel_events: report.channelEvents, channel_changes: report.channelChanges, replica_writes: report.replicaWrites });
    r.resolve(report);
  }

  private abandonRescan(err: Error): void {
    const r = this.rescanning;
    this.rescanning = undefined;
    r?.reject(err);
  }

  /** Fails loudly unless block `b.n` of the chain still has hash `b.hash`. */
  private async verify(b: { n: bigint; hash: string }): Promise<void> {
    const actual = await blockHash(this.opts.provider, b.n);
    if (actual === b.hash) return;
    if (actual === null) {
      const head = BigInt(await rpc('eth_blockNumber', () => this.opts.provider.getBlockNumber()));
      // A node that is merely behind catches up; one whose head is below what we processed is another chain.
      if (head >= b.n) throw new RpcFailure('eth_getBlockByNumber', `eth_getBlockByNumber: the node has no block ${b.n} yet`);
    }
    throw chainMismatch(
      `chain monitor: the worker DB says block ${b.n} (hash ${b.hash}) was processed, but the chain has ${actual === null ? 'no such block' : `hash ${actual}`} there. ` +
        `Either the chain reorganized deeper than the ${this.confirmations} confirmation(s) or this worker DB belongs to another chain ` +
        '(e.g. a restarted dev chain). Refusing to continue on a replica that no longer matches the chain: remove the worker DB (or its replica) or point the worker at the right chain.',
      { block: b.n, stored_hash: b.hash, chain_hash: actual, confirmations: this.confirmations },
    );
  }

  private async processRange(from: bigint, to: bigint): Promise<void> {
    if (this.last !== undefined) await this.verify(this.last);
    const { events, toHash } = await fetchRange(this.opts.provider, this.opts.addresses, from, to);

    let channelEvents = 0;
    let channelChanges = 0;
    for (const ev of events) {
      const ce = toChannelEvent(ev);
      if (ce === undefined) continue;
      const sink = this.channelSinks.get(ce.marketId);
      if (sink === undefined) continue;
      try {
        channelEvents++;
        if ((await sink.apply(ce)) === true) channelChanges++;
      } catch (err) {
        throw new SinkFailure(
          `channel sink of market 0x${toHex(ce.marketId)} failed on ${ce.type} of channel 0x${toHex(ce.channelId)} (block ${ce.blockNumber}): ${errorText(err)}`,
          { cause: err },
        );
      }
    }

    const now = nowNs();
    const perBlock = new Map<bigint, { hash: string; n: number }>();
    for (const ev of events) {
      const b = BigInt(ev.origin.blockNumber);
      const cur = perBlock.get(b);
      perBlock.set(b, { hash: ev.origin.blockHash, n: (cur?.n ?? 0) + 1 });
    }
    const { db } = this.opts;
    const chainId = Number(this.chain);
    let written = 0;
    const writes: ReplicaWrite[] = [];
    try {
      db.env.writeSync(() => {
        for (const ev of events) {
          if (applyReplicaEvent(db, ev, now, this.log) !== 'written') continue;
          written++;
          const w = replicaWriteOf(ev);
          if (w !== undefined) writes.push(w);
        }
        for (const [n, { hash, n: cnt }] of perBlock) {
          const block_hash = hash32Of(hash);
          const cur = db.blocks.get(n);
          if (cur !== undefined && Buffer.from(cur.block_hash).equals(block_hash) && cur.cnt_events === cnt) continue;
          const rec: Block = { timestamp: now, block_number: n, block_hash, cnt_events: cnt };
          db.blocks.put(n, rec);
        }
        db.monitor.put(chainId, { chain_id: chainId, last_block: to, last_block_hash: hash32Of(toHash), updated: now });
      });
    } catch (err) {
      throw monitorStorageError(`chain monitor: cannot commit blocks ${from}..${to}`, { from_block: from, to_block: to }, err);
    }
    this.last = { n: to, hash: toHash };
    this.next = to + 1n;
    const r = this.rescanning;
    if (r?.started === true) {
      r.events += events.length;
      r.channelEvents += channelEvents;
      r.channelChanges += channelChanges;
      r.replicaWrites += written;
    }
    if (writes.length > 0 && this.opts.onReplicaWrites !== undefined) {
      try {
        this.opts.onReplicaWrites(writes);
      } catch (err) {
        this.log.error('chain monitor: the replica-writes listener threw', { writes: writes.length, error: err });
      }
    }
    if (this.span < this.maxRange) this.span = Math.min(this.maxRange, this.span * 2);
    if (events.length > 0) this.log.debug('chain monitor processed blocks', { from_block: from, to_block: to, events: events.length, replica_writes: written });
    const progress: BlockProgress = { block: to, blockHash: toHash, fromBlock: from, events: events.length };
    this.safeEmit('block', progress);
  }

  private async backoff(err: RpcFailure | SinkFailure): Promise<void> {
    this.failures++;
    const delayMs = backoffDelay(this.retryInitialMs, this.retryMaxMs, this.failures);
    const stage = err instanceof RpcFailure ? err.stage : 'channel_sink';
    // A range too large for the node (result limits, timeouts) fails every time: shrink it.
    if (stage === 'eth_getLogs') this.span = Math.max(1, Math.floor(this.span / 2));
    const fields = { stage, attempt: this.failures, retry_in_ms: delayMs, next_block: this.next, error: err.message };
    if (err instanceof SinkFailure) this.log.error('chain monitor: channel sink failed; the range stays uncommitted and is delivered again', fields);
    else this.log.warn('chain monitor: node call failed; retrying', fields);
    const notice: RetryNotice = { stage, attempt: this.failures, delayMs, error: err };
    this.safeEmit('retry', notice);
    await this.sleep(delayMs);
  }

  private safeEmit<E extends keyof ChainMonitorEvents>(event: E, ...args: ChainMonitorEvents[E]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      // A listener's bug must not be mistaken for a chain or DB failure.
      this.log.error('chain monitor: an event listener threw', { event, error: err });
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

/**
 * Starts following the chain; returns at once (the first node call happens in the background).
 * Throws `wamp.error.invalid_argument` for bad options.
 * @example
 * const sinks = new ChannelSinkRegistry();
 * const monitor = startChainMonitor({ provider, addresses: deployment.addresses, db: workerDb, channelSinks: sinks, fromBlock: deployment.deploymentBlock });
 * await monitor.caughtUp();
 * // … on shutdown:
 * await monitor.stop();
 */
export function startChainMonitor(options: ChainMonitorOptions): ChainMonitor {
  return new Monitor(options);
}
