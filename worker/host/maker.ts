/**
 * One market maker in the worker: loads its key, opens its DB and transaction journal, finds its
 * market on chain, joins its realm, registers its procedures and publishes its status.
 *
 * Status (docs/protocol.md#maker-status, made truthful): NONE while starting, RUNNING once every procedure is registered,
 * SHUTDOWN_IN_PROGRESS then STOPPED on stop, FAILED when it could not start — or, once running, while its DB
 * cannot be written (it then serves only its status, and is RUNNING again when a write succeeds:
 * `storage-fence.ts`). `on_status` is published as `(market_id bytes[16], status)` on every change while the
 * session is up.
 */
import { getBytes, hexlify, type Provider } from 'ethers';
import type { Wampy } from 'wampy';
import type { MakerConfig } from '../../config/index.js';
import type { XbrContractAddresses } from '../../schema/index.js';
import type { NsTime, Uuid } from '../../schema/codec/index.js';
import { MakerIndex, openMakerDb, type MakerDb, type WorkerDb } from '../../schema/db/index.js';
import { CrossbarErrorUri, WampError, WampErrorUri, remoteErrorUri, toWampError } from '../../schema/index.js';
import type { Logger } from '../../schema/index.js';
import { CALLEE_AUTHID_OPTION, MarketMakerTopic, registrationLookupProcedure } from '../../schema/index.js';
import { BroadcastJournal, TransactionSender, connectXbr, type XbrBindings } from '../chain/index.js';
import {
  isSellable,
  MAKER_PARTS,
  MakerStatus,
  makerParts,
  makerStatusName,
  partProcedures,
  recoverPurchases,
  type IpfsControl,
  type MakerContext,
  type MakerPart,
  type MakerPartFactory,
  type MakerSession,
  type MakerStatusValue,
  SellerPresence,
} from '../market/index.js';
import { loadOrCreateKey } from './key.js';
import { registerProcedures, type Registered } from './register-procedures.js';
import { joinRealm } from './session.js';
import { StorageFence } from './storage-fence.js';

const ZERO_MARKET = '0x' + '00'.repeat(16);

/** What the worker shares with each maker. */
export interface MakerEnv {
  provider: Provider;
  chainId: bigint;
  addresses: XbrContractAddresses;
  confirmations: number;
  pollIntervalMs: number;
  workerDb: WorkerDb;
  log: Logger;
  /** Markets already served in this worker: marketIdHex → maker id (one maker per market, docs/protocol.md#one-maker-per-market). */
  served: Map<string, string>;
  /** The parts of the market maker this worker composes; default {@link MAKER_PARTS}. */
  factories?: readonly MakerPartFactory[];
  /** Called on every status change (the worker reports it to the controller). */
  onStatus?: (makerId: string, status: MakerStatusValue) => void;
  /** Makes the chain monitor poll now (the worker's monitor; absent when none runs). */
  triggerChainMonitor?: () => void;
  /** The worker's IPFS fetcher (absent without `options.extra.ipfs`). */
  ipfs?: IpfsControl;
}

/** The journal of the maker's transactions lives beside its DB. */
export function journalPath(makerDbPath: string): string {
  return `${makerDbPath}.journal`;
}

export class Maker {
  readonly id: string;
  private statusValue: MakerStatusValue = MakerStatus.NONE;
  private log: Logger;
  private readonly abort = new AbortController();
  private makerDb: MakerDb | undefined;
  private journal: BroadcastJournal | undefined;
  private sender: TransactionSender | undefined;
  private session: Wampy | undefined;
  private registered: Registered | undefined;
  /** What prepare() learned, for serve(). */
  private prepared: { key: Uint8Array; address: string; xbr: XbrBindings; owner: string; verifyingChainId: bigint; verifyingContract: string } | undefined;
  /** Which sellers are connected (set once serving). */
  private sellers: SellerPresence | undefined;
  /** Parts whose start() ran, in start order (stopped in reverse). */
  private readonly parts: MakerPart[] = [];
  private marketHex: string | undefined;
  private marketId: Uuid | undefined;
  /** Closed while the maker DB cannot be written (set once serving). */
  private fence: StorageFence | undefined;
  private unwatchWrites: (() => void) | undefined;
  /** Why the maker failed, or why it does not serve now, when it did or does not. */
  error: WampError | undefined;
  address: string | undefined;

  constructor(
    readonly config: MakerConfig,
    private readonly env: MakerEnv,
  ) {
    this.id = config.id;
    this.log = env.log.child({ maker: config.id, realm: config.connection.realm });
  }

  status(): MakerStatusValue {
    return this.statusValue;
  }

  get market(): { id: Uuid; hex: string } | undefined {
    return this.marketId === undefined || this.marketHex === undefined ? undefined : { id: this.marketId, hex: this.marketHex };
  }

  /** Transactions the maker sent that are not mined (or settled otherwise) yet. */
  pendingTransactions(): number {
    return this.journal?.openEntries().length ?? 0;
  }

  get db(): MakerDb | undefined {
    return this.makerDb;
  }

  /**
   * Offers that can be bought at `now` (not revoked, valid, not expired, copies left) and whose seller is
   * connected (`live`), or is not (`suspended`). Scans the offers for sale only (the seller index leaves out
   * revoked and sold-out ones). Zero before the DB is open.
   */
  offerCounts(now: NsTime): { live: number; suspended: number } {
    const counts = { live: 0, suspended: 0 };
    const db = this.makerDb;
    if (db === undefined) return counts;
    for (const { value: offer } of db.offers.byIndex(MakerIndex.offerBySeller)) {
      if (!isSellable(offer, now)) continue;
      if (this.sellers?.isSuspended(offer.seller_authid) === true) counts.suspended++;
      else counts.live++;
    }
    return counts;
  }

  /** Starts the maker; on failure it is FAILED (with `error`), its resources are released, and the error is thrown. */
  /** prepare() then serve(). */
  async start(): Promise<void> {
    await this.prepare();
    await this.serve();
  }

  /**
   * Loads the key, opens the maker DB and journal, finds the market, settles the journal's open
   * transactions — everything before the maker is reachable, so the worker can hand its DB to the chain
   * monitor and let it catch up before any procedure is served. Throws (FAILED, released) on failure.
   */
  async prepare(): Promise<void> {
    await this.guard(() => this.doPrepare());
  }

  /** Joins the realm, starts the parts, registers the procedures: RUNNING. Throws (FAILED, released) on failure. */
  async serve(): Promise<void> {
    await this.guard(() => this.doServe());
  }

  private async guard(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.error = toWampError(err);
      this.log.error('market maker failed to start', { error: this.error, error_uri: this.error.uri });
      await this.release();
      if (this.marketHex !== undefined && this.env.served.get(this.marketHex) === this.id) this.env.served.delete(this.marketHex);
      this.setStatus(MakerStatus.FAILED);
      throw this.error;
    }
  }

  private async doPrepare(): Promise<void> {
    const { config, env } = this;
    const key = loadOrCreateKey(config.key);
    const privateKey = hexlify(key);
    this.makerDb = await openMakerDb({ path: config.database.path, ...(config.database.maxsize === undefined ? {} : { maxsize: config.database.maxsize }), log: this.log });
    this.journal = await BroadcastJournal.open(journalPath(config.database.path));
    this.sender = new TransactionSender({ provider: env.provider, privateKey, journal: this.journal, chainId: env.chainId, confirmations: env.confirmations, pollIntervalMs: env.pollIntervalMs, logger: this.log });
    const address = this.sender.address;
    this.address = address;
    this.log = this.log.child({ maker_address: address });
    const xbr: XbrBindings = connectXbr(env.provider, env.addresses);
    const marketHex = await xbr.market.marketsByMaker(address);
    if (marketHex === ZERO_MARKET) {
      throw new WampError(WampErrorUri.invalidArgument, `maker ${config.id} (${address}) is not the maker of any market on chain ${env.chainId}: create a market with this maker address, or configure the key of a market's maker`);
    }
    const other = env.served.get(marketHex);
    if (other !== undefined) {
      throw new WampError(CrossbarErrorUri.alreadyRunning, `market ${marketHex} is already served by maker ${other} of this worker (one maker per market)`);
    }
    env.served.set(marketHex, config.id);
    this.marketHex = marketHex;
    this.marketId = getBytes(marketHex) as Uuid;
    this.log = this.log.child({ market: marketHex });
    const [owner, verifyingChainId, verifyingContract] = await Promise.all([xbr.market.getMarketOwner(marketHex), xbr.network.verifyingChain(), xbr.network.verifyingContract()]);
    const recovered = await this.sender.recover();
    if (recovered.closed.length > 0 || recovered.pending.length > 0) {
      this.log.info('settled open transactions of the journal', { closed: recovered.closed.length, pending: recovered.pending.length });
    }
    for (const p of recovered.pending) {
      p.wait().catch((err: unknown) => this.log.warn('a recovered transaction did not succeed', { tx: p.entry.tx_hash, error: err as Error }));
    }
    this.prepared = { key, address, xbr, owner, verifyingChainId, verifyingContract };
  }

  private async doServe(): Promise<void> {
    const { config, env } = this;
    if (this.prepared === undefined || this.marketId === undefined || this.marketHex === undefined || this.sender === undefined || this.makerDb === undefined) {
      throw new WampError(WampErrorUri.runtimeError, `maker ${config.id}: serve() before a successful prepare()`);
    }
    const { key, address, xbr, owner, verifyingChainId, verifyingContract } = this.prepared;
    const marketHex = this.marketHex;

    this.session = await joinRealm(config.connection, {
      log: this.log,
      signal: this.abort.signal,
      onBack: () => void this.publishStatus(),
    });
    const session = sessionFacade(this.session);
    // `wamp.registration.lookup` answers the registration id, or null (None) when nothing is registered.
    const sellers = new SellerPresence(async (uri) => ((await session.call(registrationLookupProcedure, [uri])).args[0] ?? null) !== null);
    this.sellers = sellers;
    const ctx: MakerContext = {
      makerId: config.id,
      realm: config.connection.realm,
      address,
      privateKey: key,
      marketId: this.marketId,
      marketIdHex: marketHex,
      marketOwner: owner,
      chainId: env.chainId,
      verifyingChainId,
      verifyingContract,
      addresses: env.addresses,
      provider: env.provider,
      xbr,
      sender: this.sender,
      makerDb: this.makerDb,
      workerDb: env.workerDb,
      confirmations: env.confirmations,
      session,
      sellers,
      triggerChainMonitor: () => env.triggerChainMonitor?.(),
      ...(env.ipfs === undefined ? {} : { ipfs: env.ipfs }),
      status: () => this.statusValue,
      log: this.log,
    };
    const parts = makerParts(ctx, env.factories ?? MAKER_PARTS);
    for (const part of parts) {
      await part.start?.();
      this.parts.push(part);
    }
    const db = this.makerDb;
    const fence = new StorageFence({
      what: `market maker ${config.id}`,
      env: db.env,
      recover: async () => (await recoverPurchases(db, this.log, 'after a refused write')).length,
      onChange: (failure) => {
        this.error = failure;
        this.setStatus(failure === undefined ? MakerStatus.RUNNING : MakerStatus.FAILED);
      },
      log: this.log,
      signal: this.abort.signal,
    });
    this.fence = fence;
    this.registered = await registerProcedures(this.session, partProcedures(parts), this.log, (uri) => fence.admit(uri));
    // Armed only now: a write refused during the start fails the start instead (guard()).
    this.unwatchWrites = db.env.onWriteFailure((err) => fence.trip(err));
    this.log.info('market maker running', { procedures: this.registered.uris.length });
    this.setStatus(MakerStatus.RUNNING);
  }

  /** Stops the maker: SHUTDOWN_IN_PROGRESS, unregister, leave the realm, close the DBs, STOPPED. Idempotent. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.statusValue === MakerStatus.STOPPED || this.statusValue === MakerStatus.SHUTDOWN_IN_PROGRESS) return;
    // FAILED at the start: guard() released everything. FAILED while fenced: still registered, stopped as RUNNING is.
    if (this.statusValue === MakerStatus.FAILED && this.fence?.failed === undefined) return;
    this.unwatchWrites?.();
    this.unwatchWrites = undefined;
    await this.fence?.settled();
    this.setStatus(MakerStatus.SHUTDOWN_IN_PROGRESS);
    await this.registered?.unregister();
    this.registered = undefined;
    await this.stopParts();
    // STOPPED is published while the session is still up, so subscribers see the final state.
    this.statusValue = MakerStatus.STOPPED;
    await this.publishStatus();
    await this.release();
    if (this.marketHex !== undefined && this.env.served.get(this.marketHex) === this.id) this.env.served.delete(this.marketHex);
    this.env.onStatus?.(this.id, MakerStatus.STOPPED);
    this.log.info('market maker stopped');
  }

  /** Stops the started parts in reverse order (each once); a failing stop is logged, the others still run. */
  private async stopParts(): Promise<void> {
    while (this.parts.length > 0) {
      const part = this.parts.pop();
      await part?.stop?.().catch((err: unknown) => this.log.error('stopping a maker part failed', { error: err as Error }));
    }
  }

  private async release(): Promise<void> {
    await this.stopParts();
    const s = this.session;
    this.session = undefined;
    if (s !== undefined) await s.disconnect().catch((err: unknown) => this.log.warn('leaving the realm failed', { error: err as Error }));
    this.sender?.close();
    this.sender = undefined;
    const closing: Promise<void>[] = [];
    if (this.journal !== undefined) closing.push(this.journal.close());
    if (this.makerDb !== undefined) closing.push(this.makerDb.close());
    this.journal = undefined;
    this.makerDb = undefined;
    for (const r of await Promise.allSettled(closing)) {
      if (r.status === 'rejected') this.log.error('closing a maker database failed', { error: r.reason as Error });
    }
  }

  private setStatus(s: MakerStatusValue): void {
    if (s === this.statusValue) return;
    this.statusValue = s;
    this.log.info('market maker status', { status: makerStatusName(s) });
    this.env.onStatus?.(this.id, s);
    void this.publishStatus();
  }

  private async publishStatus(): Promise<void> {
    const s = this.session;
    if (s === undefined || this.marketId === undefined) return;
    try {
      await s.publish(MarketMakerTopic.onStatus, { argsList: [this.marketId, this.statusValue] }, { acknowledge: true } as never);
    } catch (err) {
      this.log.warn('could not publish on_status', { status: makerStatusName(this.statusValue), error: err as Error });
    }
  }
}

/** wampy's error for `uri` (the callee's or router's URI and payload) as our WampError, so procedures can map or pass it on. */
function peerError(err: unknown, uri: string): unknown {
  const e = err as { errorUri?: unknown; argsList?: unknown[]; argsDict?: Record<string, unknown> };
  if (typeof e.errorUri !== 'string') return err;
  const [message, ...rest] = e.argsList ?? [];
  return new WampError(remoteErrorUri(e.errorUri), typeof message === 'string' ? message : `${uri} failed: ${e.errorUri}`, { args: rest, kwargs: e.argsDict ?? {}, cause: err });
}

function sessionFacade(s: Wampy): MakerSession {
  return {
    async call(uri, args, kwargs, options) {
      try {
        const advanced = {
          ...(options?.timeout === undefined ? {} : { timeout: options.timeout }),
          ...(options?.calleeAuthid === undefined ? {} : { [CALLEE_AUTHID_OPTION]: options.calleeAuthid }),
        } as never;
        const r = await s.call(uri, { argsList: args, ...(kwargs === undefined ? {} : { argsDict: kwargs }) }, advanced);
        return { args: r.argsList ?? [], kwargs: r.argsDict ?? {} };
      } catch (err) {
        throw peerError(err, uri);
      }
    },
    async publish(topic, args, kwargs) {
      await s.publish(topic, { argsList: args, ...(kwargs === undefined ? {} : { argsDict: kwargs }) }, { acknowledge: true } as never);
    },
    async subscribe(topic, handler) {
      try {
        await s.subscribe(topic, ((e: { argsList?: unknown[]; argsDict?: Record<string, unknown> }) => handler(e.argsList ?? [], e.argsDict ?? {})) as never);
      } catch (err) {
        throw peerError(err, topic);
      }
    },
  };
}
