/**
 * The xbrmm worker: the worker DB, the chain connection, the chain monitor (hook) and the makers.
 *
 * Start (docs/protocol.md#maker-status, made truthful): status `starting`; open the worker DB; connect the chain; prepare
 * each maker in config order (a maker that cannot start is FAILED and logged); start the
 * monitor, which tells the IPFS fetcher (when `options.extra.ipfs` is set) about every market, catalog,
 * API and member record it writes; start the fetcher (catch-up scan, stored schedule); serve the makers,
 * each with the fetcher as `ctx.ipfs`; status `running` — only when every maker is RUNNING, else the start
 * fails (everything is released and the error names the failed makers). Stop: `stopping`; stop the makers (unregister,
 * leave, close DBs); stop the monitor, then the fetcher (in-flight downloads aborted); close the chain and
 * the worker DB; `stopped`.
 */
import { observeWorker } from './metrics.js';
import { ipfsDetails, makerDetails, makerSummary } from './details.js';
import type { MakerDetails, XbrmmDetails } from '../../process/index.js';
import type { XbrmmWorkerConfig } from '../../config/index.js';
import type { Uuid } from '../../schema/codec/index.js';
import { openWorkerDb, type MakerDb, type WorkerDb } from '../../schema/db/index.js';
import type { Logger } from '../../schema/index.js';
import { IpfsFetcher } from '../ipfs/index.js';
import { connectChain, type ChainAccess } from './chain.js';
import { ensureChainIdentity } from './chain-identity.js';
import { Maker, journalPath } from './maker.js';
import { MAKER_PARTS, MakerStatus, makerStatusName, rescanPart, type MakerPartFactory, type MakerStatusValue } from '../market/index.js';
import type { RunningChainMonitor, StartChainMonitor } from './monitor-hook.js';
import { WampError, WampErrorUri } from '../../schema/index.js';

/** The worker's lifecycle, reported to the controller over IPC (docs/protocol.md#maker-status: starting, running, stopping, then stopped). */
export type WorkerStatus = 'starting' | 'running' | 'stopping' | 'stopped';

export interface XbrmmWorkerOptions {
  log: Logger;
  /** How long the chain gateway may stay unreachable at start (ms). Default 30 s. */
  chainTimeoutMs?: number;
  /** The chain monitor (worker/monitor); none when left out. */
  startChainMonitor?: StartChainMonitor;
  /** The parts of each maker; default `MAKER_PARTS`. The worker adds `rescanPart` (operators' `admin.rescan` on its monitor). */
  factories?: readonly MakerPartFactory[];
  /** Worker and maker status changes (the entry reports them to the controller). */
  onStatus?: (status: WorkerStatus, details: Record<string, unknown>) => void;
}

export interface RunningXbrmmWorker {
  readonly makers: readonly Maker[];
  status(): WorkerStatus;
  /** Each maker's id, realm, status, address, market and error (what status changes report). */
  summary(): MakerDetails[];
  /** The health details: the summary plus each maker's offers, ledger and pending transactions, and the IPFS downloads. */
  details(): XbrmmDetails;
  stop(): Promise<void>;
}

/**
 * Starts the worker of `config`. Throws (after releasing what it opened) when the worker DB or the
 * chain cannot be used, or when any maker is not RUNNING at the end of the start.
 */
export async function startXbrmmWorker(config: XbrmmWorkerConfig, opts: XbrmmWorkerOptions): Promise<RunningXbrmmWorker> {
  const log = opts.log;
  const extra = config.options.extra;
  let state: WorkerStatus = 'starting';
  const makers: Maker[] = [];
  const report = (): void => opts.onStatus?.(state, { makers: makers.map(makerSummary) });
  report();

  let workerDb: WorkerDb | undefined;
  let chain: ChainAccess | undefined;
  let monitor: RunningChainMonitor | undefined;
  let fetcher: IpfsFetcher | undefined;
  const closeShared = async (): Promise<void> => {
    const steps: [string, (() => Promise<void>) | undefined][] = [
      ['chain monitor', monitor && (() => monitor!.stop())],
      ['IPFS fetcher', fetcher && (() => fetcher!.stop())],
      ['chain connection', chain && (() => chain!.close())],
      ['worker database', workerDb && (() => workerDb!.close())],
    ];
    for (const [what, step] of steps) {
      if (step === undefined) continue;
      try {
        await step();
      } catch (err) {
        log.error(`closing the ${what} failed`, { error: err as Error });
      }
    }
  };

  try {
    chain = await connectChain(extra.blockchain, log, Date.now() + (opts.chainTimeoutMs ?? 30_000));
    log.info('connected to the chain', { chain_id: chain.chainId, gateway: extra.blockchain.gateway.http, market_contract: chain.addresses.market });
    await ensureChainIdentity({
      provider: chain.provider,
      chainId: chain.chainId,
      networkAddress: chain.addresses.network,
      anchorBlock: chain.fromBlock,
      workerDbPath: extra.database.path,
      makerPaths: config.makers.flatMap((m) => [m.database.path, journalPath(m.database.path)]),
      embedded: chain.embedded,
      log,
    });
    workerDb = await openWorkerDb({ path: extra.database.path, ...(extra.database.maxsize === undefined ? {} : { maxsize: extra.database.maxsize }), log });
    // Created before the monitor so that it hears of every record the monitor writes; it downloads only once
    // started (below), after the monitor caught up.
    if (extra.ipfs !== undefined) fetcher = new IpfsFetcher({ db: workerDb, config: extra.ipfs, log });
    const ipfs = fetcher;

    const served = new Map<string, string>();
    // The operators' `admin.rescan` needs the monitor, which starts after every maker prepared and before any
    // serves (where the parts are made): read when a maker starts serving.
    const factories: readonly MakerPartFactory[] = [...(opts.factories ?? MAKER_PARTS), rescanPart(() => monitor)];
    for (const mc of config.makers) {
      const maker = new Maker(mc, {
        provider: chain.provider,
        chainId: chain.chainId,
        addresses: chain.addresses,
        confirmations: chain.confirmations,
        pollIntervalMs: chain.pollIntervalMs,
        workerDb,
        log,
        served,
        factories,
        onStatus: (_id: string, _s: MakerStatusValue) => report(),
        // The monitor starts after every maker prepared; until then (and without one) a trigger is a no-op.
        triggerChainMonitor: () => monitor?.trigger(),
        ...(ipfs === undefined ? {} : { ipfs }),
      });
      makers.push(maker);
      try {
        await maker.prepare();
      } catch {
        // FAILED and logged by the maker; the worker keeps serving the other markets.
      }
    }

    // The chain monitor starts once every maker DB is open, so the channel events of every served market
    // have a receiver from the first range on (events of a market without one are not kept), and it has
    // caught up before any maker serves, so channels opened while the worker was down are known.
    const monitoredMarkets = new Map<string, { marketId: Uuid; makerDb: MakerDb }>();
    for (const maker of makers) {
      const m = maker.market;
      if (m !== undefined && maker.db !== undefined) monitoredMarkets.set(m.hex, { marketId: m.id, makerDb: maker.db });
    }
    if (opts.startChainMonitor !== undefined) {
      monitor = await opts.startChainMonitor({
        provider: chain.provider,
        chainId: chain.chainId,
        addresses: chain.addresses,
        workerDb,
        fromBlock: chain.fromBlock,
        confirmations: chain.confirmations,
        pollIntervalMs: chain.pollIntervalMs,
        makers: monitoredMarkets,
        log: log.child({ component: 'chain-monitor' }),
        ...(ipfs === undefined ? {} : { onReplicaWrites: (writes) => ipfs.notify(writes) }),
      });
    }
    await fetcher?.start();

    for (const maker of makers) {
      if (maker.market === undefined) continue; // failed in prepare()
      try {
        await maker.serve();
      } catch {
        // FAILED and logged by the maker.
      }
    }
    // Ready means safe (docs/protocol.md#trust-model): a node whose maker could not register its procedures must not report
    // ready while a realm has no maker, or someone else's, answering for the market. The start fails; the
    // controller restarts the worker within its restart policy and exits 2 when it cannot.
    const failed = makers.filter((m) => m.status() !== MakerStatus.RUNNING);
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new WampError(
        first.error?.uri ?? WampErrorUri.runtimeError,
        `market maker(s) ${failed.map((m) => m.id).join(', ')} did not start: ${first.id}: ${first.error?.message ?? makerStatusName(first.status())}`,
      );
    }
  } catch (err) {
    for (const m of makers) await m.stop().catch(() => undefined);
    await closeShared();
    throw err;
  }
  state = 'running';
  report();
  const unobserve = observeWorker({ makers, provider: chain.provider, log, ...(monitor === undefined ? {} : { monitor }), ...(fetcher === undefined ? {} : { fetcher }) });

  let stopping: Promise<void> | undefined;
  return {
    makers,
    status: () => state,
    summary: () => makers.map(makerSummary),
    details: () => ({ makers: makers.map((m) => makerDetails(m, log)), ...(fetcher === undefined ? {} : { ipfs: ipfsDetails(fetcher) }) }),
    stop: () => {
      stopping ??= (async () => {
        unobserve();
        state = 'stopping';
        report();
        for (const m of [...makers].reverse()) {
          try {
            await m.stop();
          } catch (err) {
            log.error('stopping a market maker failed', { maker: m.id, error: err as Error });
          }
        }
        await closeShared();
        state = 'stopped';
        report();
      })();
      return stopping;
    },
  };
}
