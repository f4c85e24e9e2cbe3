/**
 * The soak proof (issue "Step 5"): a real edge (controller, router, dev chain, IPFS, xbrmm worker) under mixed
 * load for a while, its processes and its LMDB files watched for growth:
 * - purchases: B buyers, each on its own payment channel, buying back to back from S sellers;
 * - offer churn: the sellers place new offers and revoke their oldest, a few per second in all;
 * - channel churn: every few seconds a new buyer delegate is consented on chain, opens a payment channel on
 *   chain, buys a few keys and closes the channel cooperatively (`close_channel`, as the buyer delegate does
 *   it), until the ledger has it CLOSED from the chain's event;
 * - pub/sub: an anonymous publisher and subscriber on `com.example.soak.ticks`, every event numbered;
 * - monitoring: `/status.json` and `/metrics` of the controller, as a status page and a scraper would.
 * Every few seconds, per process (controller, each worker): RSS, its anonymous part and open fds (`/proc/<pid>`)
 * and its V8 heap (a diagnostic report: every node process of the edge runs with `--report-on-signal`); per LMDB
 * environment of the xbrmm worker (the maker DB, the worker DB): its last page and how many of the pages below
 * it hold data (soak-sampling.ts). After the warm-up, least-squares slopes of each. Then everything is checked:
 * no load error, every event received, every kind of load done, fds and LMDB free pages not growing, memory
 * growth under a bound (runs of 5 min or more), nothing in flight, each buyer's state the maker's, and
 * `xbr-edge admin audit` clean.
 *
 * Used by `soak.test.ts` (about 45 s in CI) and `npm run proof -- soak --minutes M`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Contract, hexlify, type Wallet } from 'ethers';
import type { Wampy } from 'wampy';
import { xbrChannelAbi } from '../../contracts/index.js';
import { closeCooperatively, type CallFn } from '../../plugins/common/index.js';
import { readMakerResult } from '../../schema/api/index.js';
import { formatUuid } from '../../schema/codec/uuid.js';
import { unpackUint256 } from '../../schema/codec/uint256.js';
import type { Uuid } from '../../schema/codec/types.js';
import { MarketMakerProcedure } from '../../schema/uris.js';
import { startMarketEdge, workerPid, type MarketEdge } from '../e2e/harness/market-edge.js';
import { consent, FIRST_SELLER_MEMBER, MAX_SELLERS, setupBuyers, type Lane, type LaneOffer } from '../e2e/market/lanes.js';
import {
  addr, bytesOf, call, connectMember, e2eConfig, openChannelOnChain, randomWallet, sleep, TestBuyer, TestSeller, untilKnown, world, XBR, type World,
} from '../e2e/market/offers-purchase-helpers.js';
import { runXbrEdge } from '../helpers/xbr-edge-cli.js';
import { collectReports, LmdbView, lmdbFigures, ProcessWatch, processFigures, REPORT_OPTION, type LmdbFigures, type PageSample, type ProcessFigures } from './soak-sampling.js';

/** Small enough that the deposits below last for hours of purchases (the buyer member's XBR are finite). */
const PRICE = XBR / 10_000n;
const PAYMENT_DEPOSIT = 100n * XBR;
const PAYING_DEPOSIT = 1000n * XBR;
const OFFERS_PER_SELLER = 8;
/** Deposit of each channel of the channel churn (the buyer member's allowance for XBRChannel is 10,000 XBR in all). */
const CHURN_DEPOSIT = XBR;
const CHURN_PURCHASES = 3;
const CHURN_EVERY_MS = 8000;
/** Place + revoke pairs per second over all sellers. */
const OFFER_PAIRS_PER_S = 2;
/** Offers of the churn each seller keeps live; the oldest is revoked once it has more. */
const CHURN_OFFERS_LIVE = 12;
const EVENT_EVERY_MS = 50;
const MONITOR_EVERY_MS = 2000;
const BUYER_MEMBER = 3;
const SELLER_MEMBER = 2;
const TOPIC = 'com.example.soak.ticks';

/**
 * Memory bound per process, as a growth rate after the warm-up: slope ≤ RATE + NOISE / (hours measured). What
 * is bounded is what a leak grows — the JS heap's floor and the anonymous memory outside the JS heap
 * (soak-sampling.ts `HeapFigures`) — not the RSS itself: the RSS also holds the LMDB map's pages (they grow
 * with the DB, and are the page cache's) and V8's young generation, which grows by tens of MB whenever the
 * purchase rate rises and stays bounded. RATE, 20 MB/h: at the 200–300 purchases/s this load makes on two cores
 * (about 900,000 an hour) a leak of 25 bytes per purchase. NOISE, 8 MB: how far one sample's floor or
 * outside-heap figure moves without any trend (GC timing; a report taken a few ms after the /proc sample);
 * measured over the 24 min after the warm-up of a 30-min run it allows 20 MB/h more, over the 4.8 min of a
 * 6-min run 100 MB/h — and shorter runs only report the slopes.
 */
const MEMORY_RATE_MB_PER_H = 20;
const MEMORY_NOISE_MB = 8;
const SLOPES_ENFORCED_FROM_MIN = 5;
/** Fds a process may hold at the end beyond its most during the warm-up: one churned connection, a file open. */
const FD_MARGIN = 8;
/**
 * LMDB pages that may be free (in the file, holding no data) beyond what the warm-up saw. Free pages are the
 * pages copy-on-write left behind that a reader still might see; in a steady state their number follows the
 * pages a commit touches times the commits a reader spans, which the warm-up has already seen. 256 pages (1 MiB)
 * absorb a reader that spans a few more commits than any before.
 */
const LMDB_FREE_SLACK_PAGES = 256;

export interface SoakOptions {
  readonly minutes: number;
  readonly buyers?: number;
  readonly sellers?: number;
  readonly log?: (line: string) => void;
}

export interface SoakCounts {
  purchases: number;
  offersPlaced: number;
  offersRevoked: number;
  channelsOpened: number;
  channelsClosed: number;
  /** Purchases on the channels of the channel churn. */
  channelPurchases: number;
  eventsPublished: number;
  eventsReceived: number;
  statusReads: number;
}

export interface SoakResult {
  readonly ok: boolean;
  readonly reasons: string[];
  readonly buyers: number;
  readonly sellers: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly samples: number;
  readonly slopesEnforced: boolean;
  readonly counts: SoakCounts;
  readonly errorCount: number;
  /** Distinct errors, `N× kind: message`. */
  readonly errors: string[];
  readonly processes: ProcessFigures[];
  /** Per process (by name): the memory growth bound in MB/h, or undefined when not bounded (dev chain). */
  readonly memoryBound: Record<string, number | undefined>;
  readonly lmdb: LmdbFigures[];
  readonly audit: { readonly ok: boolean; readonly transactions: number; readonly channels: number; readonly message: string };
  /** Bytes the node wrote to its stdout and stderr (its logs) during the whole run. */
  readonly logBytes: number;
}

/**
 * Processes whose memory is reported but not bounded: the dev chain (hardhat/EDR) keeps every block and receipt
 * in memory by design, so it grows with each chain transaction of the channel churn; a deployment uses a real
 * node.
 */
const DEV_ONLY = new Set(['devchain']);

class Errors {
  readonly byMessage = new Map<string, number>();
  total = 0;
  add(kind: string, err: unknown): void {
    const m = `${kind}: ${describe(err)}`;
    this.byMessage.set(m, (this.byMessage.get(m) ?? 0) + 1);
    this.total++;
  }
  list(): string[] {
    return [...this.byMessage].map(([m, n]) => `${n}× ${m}`);
  }
}

function describe(err: unknown): string {
  const e = err as { errorUri?: unknown; argsList?: unknown[]; message?: unknown } | null;
  if (typeof e?.errorUri === 'string') return `${e.errorUri} ${String(e.argsList?.[0] ?? '')}`.trim();
  return err instanceof Error ? err.message : String(err);
}

async function callRaw(session: Wampy, uri: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<unknown> {
  const r = await session.call(uri, { argsList: args, ...(kwargs === undefined ? {} : { argsDict: kwargs }) });
  return r.argsList?.[0];
}

const callFn =
  (session: Wampy): CallFn =>
  (uri, args = [], kwargs) =>
    callRaw(session, uri, args, kwargs);

// ---- the edge and its load ----

interface Seller {
  readonly seller: TestSeller;
  /** The churn's live offers, oldest first. */
  readonly live: Uuid[];
}

/** Sellers with a paying channel and offers, as lanes.ts sets them up (seller `j` is member FIRST_SELLER_MEMBER + j), kept for the offer churn. */
async function startSellers(edge: MarketEdge, w: World, n: number): Promise<{ sellers: Seller[]; offers: LaneOffer[][] }> {
  if (n > MAX_SELLERS) throw new RangeError(`at most ${MAX_SELLERS} sellers (members #${FIRST_SELLER_MEMBER}..#${FIRST_SELLER_MEMBER + MAX_SELLERS - 1})`);
  const sellers: Seller[] = [];
  const offers: LaneOffer[][] = [];
  for (let j = 0; j < n; j++) {
    const delegate = randomWallet();
    await consent(edge, SELLER_MEMBER, delegate.address, 1);
    await openChannelOnChain(w, 2, PAYING_DEPOSIT, addr(delegate));
    const seller = await TestSeller.start(w, FIRST_SELLER_MEMBER + j, delegate);
    const mine: LaneOffer[] = [];
    for (let k = 0; k < OFFERS_PER_SELLER; k++) {
      const { keyId, key } = await seller.offer({ price: PRICE });
      mine.push({ keyId, isKey: (k2) => Buffer.from(k2).equals(key) });
    }
    sellers.push({ seller, live: [] });
    offers.push(mine);
  }
  return { sellers, offers };
}

interface Load {
  readonly edge: MarketEdge;
  readonly w: World;
  readonly lanes: Lane[];
  readonly sellers: Seller[];
  readonly counts: SoakCounts;
  readonly errors: Errors;
  running: boolean;
  closeAt: bigint;
}

/** Reads the lane's channel state from the maker after an error (the state the buyer signs the next purchase over). */
async function resync(load: Load, lane: Lane): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const b = readMakerResult(MarketMakerProcedure.getPaymentChannelBalance, await callRaw(lane.buyer.session, MarketMakerProcedure.getPaymentChannelBalance, [lane.buyer.channelId]));
      if (unpackUint256(b.inflight) === 0n) {
        lane.buyer.seq = b.seq;
        lane.buyer.remaining = unpackUint256(b.remaining);
        return;
      }
    } catch (err) {
      load.errors.add('resync', err);
    }
    await sleep(200);
  }
  throw new Error(`channel ${formatUuid(lane.buyer.channelId)}: still in flight after 20 s`);
}

/** A lane buying back to back; each receipt checked as a buyer does. Every error is counted and the lane goes on. */
async function laneLoop(load: Load, lane: Lane, first: number): Promise<void> {
  let n = first;
  while (load.running) {
    const offer = lane.offers[n++ % lane.offers.length]!;
    const at = load.closeAt;
    const seq = lane.buyer.seq + 1;
    const remaining = lane.buyer.remaining - PRICE;
    try {
      const { args, kwargs } = await lane.buyer.buyArgs(offer.keyId, PRICE, { closeAt: at });
      const receipt = readMakerResult(MarketMakerProcedure.buyKey, await callRaw(lane.buyer.session, MarketMakerProcedure.buyKey, args, kwargs));
      const id = formatUuid(lane.buyer.channelId);
      if (receipt.channel_seq !== seq || unpackUint256(receipt.remaining) !== remaining) throw new Error(`channel ${id}: receipt for seq ${receipt.channel_seq} / ${unpackUint256(receipt.remaining)}, asked seq ${seq} / ${remaining}`);
      lane.buyer.seq = seq;
      lane.buyer.remaining = remaining;
      if (hexlify(lane.buyer.signerOf(seq, remaining, at, receipt.signature)).toLowerCase() !== load.edge.makerAddress.toLowerCase()) throw new Error(`channel ${id}: receipt not signed by the maker`);
      if (!offer.isKey(lane.buyer.open(receipt.sealed_key))) throw new Error(`channel ${id}: the sealed key does not open to the offered key`);
      load.counts.purchases++;
    } catch (err) {
      load.errors.add('purchase', err);
      // whatever went wrong, the maker's state is the one the next purchase is signed over
      await resync(load, lane);
      await sleep(200);
    }
  }
}

/** One seller placing fresh offers and revoking its oldest churn offer, `everyMs` apart. */
async function offerChurn(load: Load, s: Seller, everyMs: number): Promise<void> {
  while (load.running) {
    const t0 = Date.now();
    try {
      const { keyId } = await s.seller.offer({ price: PRICE });
      s.live.push(keyId);
      load.counts.offersPlaced++;
      if (s.live.length > CHURN_OFFERS_LIVE) {
        const old = s.live.shift()!;
        await call(s.seller.session, MarketMakerProcedure.revokeOffer, [old]);
        s.seller.keys.delete(Buffer.from(old).toString('hex'));
        load.counts.offersRevoked++;
      }
    } catch (err) {
      load.errors.add('offer churn', err);
    }
    await sleep(Math.max(0, everyMs - (Date.now() - t0)));
  }
}

/** On chain: the channel's state in XBRChannel (3 = Closed). */
async function chainState(edge: MarketEdge, channelId: Uuid): Promise<number> {
  const c = new Contract(edge.devchain.contracts.channel, xbrChannelAbi, edge.provider());
  return Number((await c.getFunction('channelClosingStates')(hexlify(channelId)))[0]);
}

/** One channel of the churn: consent, open on chain, buy a few keys, close cooperatively, until the ledger has it CLOSED. */
async function channelCycle(load: Load, offers: readonly LaneOffer[]): Promise<void> {
  const { edge, w } = load;
  const delegate: Wallet = randomWallet();
  await consent(edge, BUYER_MEMBER, delegate.address, 2);
  const channelId = await openChannelOnChain(w, 1, CHURN_DEPOSIT, addr(delegate));
  load.counts.channelsOpened++;
  const session = await connectMember(edge, BUYER_MEMBER);
  try {
    const buyer = new TestBuyer(w, session, delegate, channelId, CHURN_DEPOSIT);
    for (let i = 0; i < CHURN_PURCHASES; i++) {
      const offer = offers[i % offers.length]!;
      // the first purchase waits for the chain monitor to replicate the channel
      const { key } = await untilKnown(() => buyer.buy(offer.keyId, PRICE), 60_000);
      if (!offer.isKey(key)) throw new Error(`channel ${formatUuid(channelId)}: the sealed key does not open to the offered key`);
      load.counts.channelPurchases++;
    }
    const closeAt = BigInt(await edge.provider().getBlockNumber());
    await closeCooperatively(callFn(session), w.binding, bytesOf(delegate), { channelId, seq: buyer.seq, balance: buyer.remaining }, closeAt);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ch = readMakerResult(MarketMakerProcedure.getPaymentChannel, await callRaw(session, MarketMakerProcedure.getPaymentChannel, [channelId]));
      if (ch.state === 3) break;
      if (Date.now() > deadline) throw new Error(`channel ${formatUuid(channelId)}: not CLOSED in the ledger 60 s after its close (state ${ch.state})`);
      await sleep(250);
    }
    const onChain = await chainState(edge, channelId);
    if (onChain !== 3) throw new Error(`channel ${formatUuid(channelId)}: CLOSED in the ledger, state ${onChain} on chain`);
    load.counts.channelsClosed++;
  } finally {
    await session.disconnect().catch(() => undefined);
  }
}

async function channelChurn(load: Load, offers: readonly LaneOffer[]): Promise<void> {
  while (load.running) {
    const t0 = Date.now();
    try {
      await channelCycle(load, offers);
    } catch (err) {
      load.errors.add('channel churn', err);
    }
    while (load.running && Date.now() - t0 < CHURN_EVERY_MS) await sleep(100);
  }
}

interface PubSub {
  readonly stop: () => Promise<void>;
  /** Events that arrived out of order or twice. */
  readonly disorder: () => number;
}

/** An anonymous publisher and subscriber: events numbered 1, 2, …, each acknowledged by the router. */
async function startPubSub(load: Load): Promise<PubSub> {
  const publisher = await load.edge.connect();
  const subscriber = await load.edge.connect();
  let expected = 1;
  let disorder = 0;
  await subscriber.subscribe(TOPIC, (e) => {
    const n = (e.argsList as unknown[] | undefined)?.[0];
    if (n !== expected) disorder++;
    expected = typeof n === 'number' ? n + 1 : expected + 1;
    load.counts.eventsReceived++;
  });
  const payload = 'x'.repeat(200);
  let n = 0;
  const loop = (async () => {
    while (load.running) {
      const t0 = Date.now();
      try {
        await publisher.publish(TOPIC, { argsList: [n + 1, payload] });
        n++;
        load.counts.eventsPublished++;
      } catch (err) {
        load.errors.add('publish', err);
      }
      await sleep(Math.max(0, EVENT_EVERY_MS - (Date.now() - t0)));
    }
  })();
  return {
    stop: async () => {
      await loop;
      // the last events may still be on their way to the subscriber
      const deadline = Date.now() + 15_000;
      while (load.counts.eventsReceived < load.counts.eventsPublished && Date.now() < deadline) await sleep(100);
      await publisher.disconnect().catch(() => undefined);
      await subscriber.disconnect().catch(() => undefined);
    },
    disorder: () => disorder,
  };
}

/** The controller's status page and metrics, read as a browser and a scraper would. */
async function monitor(load: Load): Promise<void> {
  const base = load.edge.httpUrl;
  if (base === undefined) return;
  let i = 0;
  while (load.running) {
    const path = i++ % 2 === 0 ? '/status.json' : '/metrics';
    try {
      // bounded, so that a controller that stopped answering fails the run instead of hanging it
      const res = await fetch(base + path, { signal: AbortSignal.timeout(60_000) });
      const body = await res.text();
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 200)}`);
      load.counts.statusReads++;
    } catch (err) {
      load.errors.add('monitor', err);
    }
    await sleep(MONITOR_EVERY_MS);
  }
}

// ---- the run ----

interface EdgeConfigFile {
  workers: { id?: string; type: string; options?: { extra?: { database?: { path?: string } } }; makers?: { id?: string; database?: { path?: string } }[] }[];
}

/** The worker ids of the config the harness wrote, and the xbrmm worker's LMDB environments (absolute paths). */
function layout(edge: MarketEdge): { workers: string[]; dbs: { name: string; path: string }[] } {
  const config = JSON.parse(readFileSync(join(edge.cbdir, 'router-config.json'), 'utf8')) as EdgeConfigFile;
  const abs = (p: string): string => (isAbsolute(p) ? p : join(edge.cbdir, p));
  const dbs: { name: string; path: string }[] = [];
  for (const w of config.workers) {
    if (w.type !== 'xbrmm') continue;
    for (const m of w.makers ?? []) if (m.database?.path !== undefined) dbs.push({ name: `maker DB (${m.id ?? w.id})`, path: abs(m.database.path) });
    const workerDb = w.options?.extra?.database?.path;
    if (workerDb !== undefined) dbs.push({ name: `worker DB (${w.id})`, path: abs(workerDb) });
  }
  return { workers: config.workers.map((w) => w.id).filter((id): id is string => id !== undefined), dbs };
}

interface AdminChannel {
  channel_oid: string;
  channel_type: string;
  state: string;
  inflight: string;
}

async function adminJson<T>(edge: MarketEdge, ...args: string[]): Promise<T> {
  const r = await runXbrEdge('admin', ...args, '--cbdir', edge.cbdir, '--json');
  if (r.status !== 0 && !(args[0] === 'audit' && r.status === 4)) throw new Error(`xbr-edge admin ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** With the load stopped: nothing in flight on any channel, each lane's state the maker's, the audit clean. */
async function verify(load: Load, closedChurn: number): Promise<{ problems: string[]; audit: SoakResult['audit'] }> {
  const problems: string[] = [];
  const channels: AdminChannel[] = [];
  let cursor: string | null = null;
  do {
    const [page]: { channels: AdminChannel[]; next_cursor: string | null }[] = await adminJson(load.edge, 'channels', '--limit', '1000', ...(cursor === null ? [] : ['--cursor', cursor]));
    channels.push(...page!.channels);
    cursor = page!.next_cursor;
  } while (cursor !== null);
  const inflight = channels.filter((c) => BigInt(c.inflight) !== 0n);
  if (inflight.length > 0) problems.push(`${inflight.length} channels with purchases in flight: ${inflight.map((c) => `${c.channel_oid} (${c.inflight})`).join(', ')}`);
  const closed = channels.filter((c) => c.channel_type === 'payment' && c.state === 'CLOSED').length;
  if (closed < closedChurn) problems.push(`the ledger has ${closed} CLOSED payment channels, the channel churn closed ${closedChurn}`);
  for (const lane of load.lanes) {
    const b = readMakerResult(MarketMakerProcedure.getPaymentChannelBalance, await callRaw(lane.buyer.session, MarketMakerProcedure.getPaymentChannelBalance, [lane.buyer.channelId]));
    if (b.seq !== lane.buyer.seq || unpackUint256(b.remaining) !== lane.buyer.remaining || unpackUint256(b.inflight) !== 0n) {
      problems.push(`channel ${formatUuid(lane.buyer.channelId)}: the maker has seq ${b.seq} / ${unpackUint256(b.remaining)} (${unpackUint256(b.inflight)} in flight), the buyer's last signed state is seq ${lane.buyer.seq} / ${lane.buyer.remaining}`);
    }
  }
  const [a] = await adminJson<{ ok: boolean; channels: number; transactions: number; mismatches_total: number; mismatches: { message: string }[] }[]>(load.edge, 'audit');
  const message = a?.ok === true ? 'clean' : `${a?.mismatches_total} mismatches: ${a?.mismatches.map((m) => m.message).join('; ')}`;
  if (a?.ok !== true) problems.push(`the audit found ${message}`);
  return { problems, audit: { ok: a?.ok === true, transactions: a?.transactions ?? 0, channels: a?.channels ?? 0, message } };
}

/** The reasons a process's memory grew beyond `bound` MB/h after the warm-up. */
function memoryReasons(p: ProcessFigures, bound: number): string[] {
  const out: string[] = [];
  const over = (what: string, v: number): void => {
    if (v > bound) out.push(`${p.name}: ${what} grows ${v.toFixed(1)} MB/h after the warm-up (bound ${bound.toFixed(0)} MB/h)`);
  };
  if (p.heap === undefined) over('the anonymous RSS', p.anonSlopeMbPerH);
  else {
    over("the JS heap's floor", p.heap.floorSlopeMbPerH);
    over('the memory outside the JS heap', p.heap.outsideSlopeMbPerH);
  }
  return out;
}

/**
 * Starts an edge, runs the mixed load for `minutes`, checks and stops it. Never throws for what the load finds
 * (that is in the result); throws when the edge cannot be started or set up.
 */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const buyers = o.buyers ?? 4;
  const sellerCount = o.sellers ?? 2;
  const log = o.log ?? (() => undefined);
  const reportDir = mkdtempSync(join(tmpdir(), 'xbr-soak-reports-'));
  // every node process of the edge inherits it: each writes its heap figures into reportDir when sent SIGUSR2
  // (no network section: it would look up the peer of every socket in a report)
  const nodeOptions = [process.env['NODE_OPTIONS'], REPORT_OPTION, '--report-exclude-network', '--report-compact', `--report-directory=${reportDir}`].filter((v) => v !== undefined && v !== '').join(' ');
  let edge: MarketEdge;
  try {
    edge = await startMarketEdge({ configure: e2eConfig, env: { XBR_LOG_LEVEL: 'info', NODE_OPTIONS: nodeOptions } });
  } catch (err) {
    rmSync(reportDir, { recursive: true, force: true });
    throw err;
  }
  const views: { name: string; view: LmdbView; samples: PageSample[] }[] = [];
  try {
    const w = await world(edge, await edge.connect());
    const { sellers, offers } = await startSellers(edge, w, sellerCount);
    const lanes = await setupBuyers(edge, w, offers, { buyers, price: PRICE, paymentDeposit: PAYMENT_DEPOSIT });
    const { workers, dbs } = layout(edge);
    const watches = [new ProcessWatch('controller', edge.spawned.pid!)];
    for (const id of workers) {
      const pid = workerPid(edge, id);
      if (pid === undefined) throw new Error(`no pid of worker ${id} in the controller's log`);
      watches.push(new ProcessWatch(id, pid));
    }
    for (const db of dbs) views.push({ name: db.name, view: LmdbView.open(db.path), samples: [] });

    const load: Load = { edge, w, lanes, sellers, counts: zeroCounts(), errors: new Errors(), running: true, closeAt: BigInt(await edge.provider().getBlockNumber()) };
    const seconds = o.minutes * 60;
    const warmup = Math.max(30, seconds * 0.2);
    const sampleEveryMs = Math.min(10_000, Math.max(2000, (seconds * 1000) / 60));
    const t0 = performance.now();
    const now = (): number => (performance.now() - t0) / 1000;
    const sampleAll = async (): Promise<void> => {
      const t = now();
      for (const p of watches) p.sample(t);
      for (const v of views) {
        try {
          v.samples.push(v.view.sample(t));
        } catch (err) {
          load.errors.add(`lmdb stats of the ${v.name}`, err);
        }
      }
      // a busy process takes a moment to write its report; one that takes longer is picked up next time
      for (let i = 0; i < 20 && watches.some((p) => p.waiting > 0); i++) {
        await sleep(50);
        collectReports(reportDir, watches);
      }
    };

    log(
      `soak: ${o.minutes} min of load, warm-up ${warmup.toFixed(0)} s, a sample every ${(sampleEveryMs / 1000).toFixed(0)} s; ${buyers} buyers × ${sellerCount} sellers; processes ${watches.map((p) => `${p.name} ${p.pid}${p.reports ? '' : ' (no heap reports)'}`).join(', ')}`,
    );
    const blocks = setInterval(() => {
      edge.provider().getBlockNumber().then((b) => (load.closeAt = BigInt(b)), () => undefined);
    }, 1000);
    await sampleAll();
    const pubsub = await startPubSub(load);
    const loops = [
      ...lanes.map((lane, i) => laneLoop(load, lane, i)),
      ...sellers.map((s) => offerChurn(load, s, (1000 * sellers.length) / OFFER_PAIRS_PER_S)),
      channelChurn(load, offers[0]!),
      monitor(load),
    ];
    let nextLog = 30;
    try {
      while (now() < seconds) {
        await sleep(Math.min(sampleEveryMs, Math.max(0, (seconds - now()) * 1000)));
        await sampleAll();
        if (now() >= nextLog) {
          nextLog += 60;
          const c = load.counts;
          const mem = watches.map((p) => {
            const s = p.samples.at(-1);
            return `${p.name} ${((s?.rssKb ?? 0) / 1024).toFixed(0)} MB${s?.heap === undefined ? '' : ` (heap ${s.heap.usedMb.toFixed(0)})`}/${s?.fds ?? 0} fds`;
          });
          log(`  +${now().toFixed(0)} s: ${c.purchases} purchases, offers ${c.offersPlaced}/${c.offersRevoked}, channels ${c.channelsOpened}/${c.channelsClosed}, events ${c.eventsPublished}/${c.eventsReceived}, ${load.errors.total} errors; ${mem.join(', ')}`);
        }
      }
    } finally {
      load.running = false;
      clearInterval(blocks);
      const settled = await Promise.allSettled(loops);
      for (const r of settled) if (r.status === 'rejected') load.errors.add('a load loop failed', r.reason);
      await pubsub.stop();
    }
    const elapsed = now();

    const reasons: string[] = [];
    for (const p of watches) if (p.goneAt !== undefined) reasons.push(`${p.name} (pid ${p.pid}) was gone at +${p.goneAt.toFixed(0)} s: it restarted or crashed during the soak`);
    const c = load.counts;
    if (c.eventsReceived !== c.eventsPublished) reasons.push(`${c.eventsPublished} events published, ${c.eventsReceived} received`);
    if (pubsub.disorder() > 0) reasons.push(`${pubsub.disorder()} events arrived out of order or twice`);
    for (const [k, v] of Object.entries(c)) if (v === 0) reasons.push(`no ${k} happened`);
    if (load.errors.total > 0) reasons.push(`${load.errors.total} load errors`);

    const { problems, audit } = await verify(load, c.channelsClosed);
    reasons.push(...problems);

    const slopesEnforced = o.minutes >= SLOPES_ENFORCED_FROM_MIN;
    const measuredHours = Math.max(elapsed - warmup, 1) / 3600;
    const processes = watches.filter((p) => p.samples.length > 0).map((p) => processFigures(p, warmup));
    const memoryBound: Record<string, number | undefined> = {};
    for (const p of processes) {
      const bound = DEV_ONLY.has(p.name) ? undefined : MEMORY_RATE_MB_PER_H + MEMORY_NOISE_MB / measuredHours;
      memoryBound[p.name] = bound;
      if (p.fdEnd > p.fdWarmupMax + FD_MARGIN) reasons.push(`${p.name}: ${p.fdEnd} fds open at the end, at most ${p.fdWarmupMax} during the warm-up`);
      if (slopesEnforced && bound !== undefined) reasons.push(...memoryReasons(p, bound));
    }
    const lmdb = views.filter((v) => v.samples.length > 0).map((v) => lmdbFigures(v.name, v.samples, warmup));
    for (const l of lmdb) {
      const bound = Math.max(2 * l.freeWarmupMax, l.freeWarmupMax + LMDB_FREE_SLACK_PAGES);
      const growth = l.lastEnd - l.lastWarm;
      const data = l.usedEnd - l.usedWarm;
      // The file may grow by the data written plus free pages within the bound, never by free pages beyond it.
      if (growth > data + bound) reasons.push(`${l.name}: the last page grew by ${growth} pages after the warm-up, the data by ${data} (free pages allowed ${bound})`);
      if (l.freeEnd > bound) reasons.push(`${l.name}: ${l.freeEnd} free pages at the end, at most ${l.freeWarmupMax} during the warm-up (bound ${bound})`);
    }
    return {
      ok: reasons.length === 0,
      reasons,
      buyers,
      sellers: sellerCount,
      seconds: elapsed,
      warmupSeconds: warmup,
      samples: watches[0]!.samples.length,
      slopesEnforced,
      counts: c,
      errorCount: load.errors.total,
      errors: load.errors.list(),
      processes,
      memoryBound,
      lmdb,
      audit,
      logBytes: Buffer.byteLength(edge.output()),
    };
  } finally {
    for (const v of views) await v.view.close().catch(() => undefined);
    await edge.stop().catch(() => undefined);
    rmSync(reportDir, { recursive: true, force: true });
  }
}

function zeroCounts(): SoakCounts {
  return { purchases: 0, offersPlaced: 0, offersRevoked: 0, channelsOpened: 0, channelsClosed: 0, channelPurchases: 0, eventsPublished: 0, eventsReceived: 0, statusReads: 0 };
}

const f1 = (n: number): string => n.toFixed(1);
const signed = (n: number, digits = 1): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;

/** The result as lines to print. */
export function formatSoak(r: SoakResult): string[] {
  const c = r.counts;
  const lines = [
    `soak: ${f1(r.seconds / 60)} min of load (warm-up ${r.warmupSeconds.toFixed(0)} s, ${r.samples} samples), ${r.buyers} buyers × ${r.sellers} sellers`,
    `load: ${c.purchases} purchases (${f1(c.purchases / r.seconds)}/s); offers ${c.offersPlaced} placed, ${c.offersRevoked} revoked; payment channels ${c.channelsOpened} opened, ${c.channelsClosed} closed (${c.channelPurchases} purchases on them); events ${c.eventsPublished} published, ${c.eventsReceived} received; ${c.statusReads} status/metrics reads`,
    r.slopesEnforced
      ? `memory after the warm-up (start → warm → end; slopes per hour), bounded: the JS heap's floor and the memory outside it`
      : `memory after the warm-up (start → warm → end; slopes per hour), reported only: runs under ${SLOPES_ENFORCED_FROM_MIN} min are too short to tell a leak from noise`,
  ];
  for (const p of r.processes) {
    const bound = r.memoryBound[p.name];
    const h = p.heap;
    lines.push(
      `  ${p.name.padEnd(10)} pid ${String(p.pid).padEnd(7)} RSS ${f1(p.rssStartMb)} → ${f1(p.rssWarmMb)} → ${f1(p.rssEndMb)} MB (${signed(p.rssSlopeMbPerH)} MB/h), anonymous ${f1(p.anonWarmMb)} → ${f1(p.anonEndMb)} MB (${signed(p.anonSlopeMbPerH)} MB/h); fds ${p.fdStart} → ${p.fdEnd} (warm-up max ${p.fdWarmupMax}, ${signed(p.fdSlopePerH)}/h)`,
      h === undefined
        ? `  ${''.padEnd(10)} no heap reports: the anonymous RSS is what is bounded${bound === undefined ? ' (not bounded: dev chain)' : ` (${bound.toFixed(0)} MB/h)`}`
        : `  ${''.padEnd(10)} JS heap floor ${f1(h.floorWarmMb)} → ${f1(h.floorEndMb)} MB (${signed(h.floorSlopeMbPerH)} MB/h), committed ${f1(h.committedWarmMb)} → ${f1(h.committedEndMb)} MB; outside the JS heap ${f1(h.outsideWarmMb)} → ${f1(h.outsideEndMb)} MB (${signed(h.outsideSlopeMbPerH)} MB/h); ${bound === undefined ? 'not bounded (dev chain)' : `bound ${bound.toFixed(0)} MB/h`}`,
    );
  }
  for (const l of r.lmdb) {
    const bought = c.purchases + c.channelPurchases;
    const perK = bought > 0 ? ((l.usedEnd - l.usedStart) * 1000) / bought : 0;
    lines.push(
      `  ${l.name}: last page ${l.lastStart} → ${l.lastWarm} → ${l.lastEnd} (${signed(l.lastSlopePerH, 0)}/h, ${l.pageSize}-byte pages); data pages ${l.usedStart} → ${l.usedWarm} → ${l.usedEnd} (${f1(perK)} per 1000 purchases); free pages ${l.freeEnd} at the end, max ${l.freeMax} (${l.freeWarmupMax} in the warm-up), ${signed(l.freeSlopePerH, 0)}/h; ${f1(((l.lastEnd + 1) * l.pageSize) / 2 ** 20)} MiB in use`,
    );
  }
  lines.push(`audit: ${r.audit.message} (${r.audit.channels} channels, ${r.audit.transactions} purchases)`);
  lines.push(`node logs: ${f1(r.logBytes / 2 ** 20)} MiB`);
  if (r.errors.length > 0) lines.push(`errors (${r.errorCount}):`, ...r.errors.slice(0, 30).map((e) => `  ${e}`), ...(r.errors.length > 30 ? [`  … and ${r.errors.length - 30} more kinds`] : []));
  lines.push(...(r.ok ? ['soak: ok'] : ['soak: FAILED', ...r.reasons.map((reason) => `  ${reason}`)]));
  return lines;
}
