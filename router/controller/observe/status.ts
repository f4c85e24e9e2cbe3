/**
 * `GET /status.json`: the node in one document, for the status page (`GET /`) and for scripts. Assembled by
 * {@link nodeStatus}, a pure function of what the node already has: the controller's report (workers, their
 * supervision state and the xbrmm workers' health details, process/xbrmm-details.ts), the node's merged
 * metrics (prom-client JSON) and the status history (purchase rates and recent errors, status-history.ts).
 *
 * Amounts are token base units (10^-18 XBR, `token.decimals`) as decimal strings: the ledger is exact and JSON
 * numbers are not. Counts from metrics (purchases) are since the worker started.
 */
import type { IpfsDetails, LedgerSideDetails, MakerDetails, MetricsSnapshot, XbrmmDetails } from '../../../process/index.js';
import type { NodeReport, WorkerStatus } from './node-report.js';
import { makersOf, metricValues, type HistorySnapshot, type Labels, type RatePoint, type RecentError } from './status-history.js';

export interface ChannelSideStatus {
  open: number;
  closing: number;
  closed: number;
  failed: number;
  /** Token base units, decimal. */
  remaining: string;
  inflight: string;
  spent: string;
}

export interface MarketStatus {
  worker: string;
  maker: string;
  realm: string;
  /** `0x` + 32 hex digits; null while the maker has not found its market. */
  market: string | null;
  /** The maker's address; null before its key is loaded. */
  address: string | null;
  /** `NONE`, `RUNNING`, `SHUTDOWN_IN_PROGRESS`, `STOPPED`, `FAILED`. */
  status: string;
  error: { uri: string; message: string } | null;
  /** Offers buyable now with their seller connected (`live`) or not (`suspended`); null before the DB is open. */
  offers: { live: number; suspended: number } | null;
  /** Payment channels (buyers pay the maker) and paying channels (the maker pays sellers); null before the DB is open. */
  channels: { payment: ChannelSideStatus; paying: ChannelSideStatus } | null;
  pending_transactions: number | null;
  /** `buy_key` answers by outcome since the worker started. */
  purchases: { sold: number; refunded: number; refused: number; repeated: number };
  /** Keys sold per second, one point per sampling interval, oldest first. */
  purchase_rate: { interval_s: number; points: RatePoint[] };
}

export interface IpfsStatus {
  files: Record<string, number>;
  downloads: { active: number; waiting: number };
  next_retries: IpfsDetails['next_retries'];
}

export interface ChainStatus {
  head: number | null;
  monitor_block: number | null;
  lag_blocks: number | null;
  pending_transactions: number;
}

export interface NodeStatus {
  node: string;
  /** When this document was made (ISO 8601). */
  time: string;
  uptime_s: number;
  ready: boolean;
  problems: string[];
  token: { symbol: 'XBR'; decimals: 18 };
  workers: { id: string; type: WorkerStatus['type']; state: string; pid: number | null; restarts: number; ready: boolean | null }[];
  markets: MarketStatus[];
  /** Null when no worker downloads from IPFS. */
  ipfs: IpfsStatus | null;
  /** Null until a worker reported the chain head. */
  chain: ChainStatus | null;
  /** Newest first. */
  errors: RecentError[];
}

export interface StatusInput {
  report: Pick<NodeReport, 'node' | 'ready' | 'problems' | 'workers'>;
  /** The node's metrics merged over the controller and the workers (`getMetricsAsJSON()` of the aggregate). */
  metrics: MetricsSnapshot;
  history: HistorySnapshot;
  /** Epoch ms: now, and when the controller started. */
  now: number;
  startedAt: number;
}

/** The one sample of `name` whose labels include `labels`, summed when several match; undefined when none. */
function metricSum(metrics: MetricsSnapshot, name: string, labels: Labels = {}): number | undefined {
  let sum: number | undefined;
  for (const v of metricValues(metrics, name)) {
    if (Object.entries(labels).every(([k, x]) => v.labels[k] === x)) sum = (sum ?? 0) + v.value;
  }
  return sum;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function channelSide(s: LedgerSideDetails | undefined): ChannelSideStatus {
  const n = (state: string): number => s?.channels[state] ?? 0;
  return { open: n('open'), closing: n('closing'), closed: n('closed'), failed: n('failed'), remaining: s?.remaining ?? '0', inflight: s?.inflight ?? '0', spent: s?.spent ?? '0' };
}

function marketStatus(worker: string, m: MakerDetails, input: StatusInput): MarketStatus {
  const market = m.market ?? null;
  const count = (outcome: string): number => (market === null ? 0 : (metricSum(input.metrics, 'xbr_purchases_total', { market, outcome }) ?? 0));
  return {
    worker,
    maker: m.id,
    realm: m.realm,
    market,
    address: m.address ?? null,
    status: m.status,
    error: m.error ?? null,
    offers: m.offers ?? null,
    channels: m.ledger === undefined ? null : { payment: channelSide(m.ledger.payment), paying: channelSide(m.ledger.paying) },
    pending_transactions: m.pending_transactions ?? null,
    purchases: { sold: count('sold'), refunded: count('refunded'), refused: count('refused'), repeated: count('repeated') },
    purchase_rate: { interval_s: input.history.interval_s, points: market === null ? [] : (input.history.rates[market] ?? []) },
  };
}

/** The IPFS downloads of every xbrmm worker (normally one), summed; null when none downloads. */
function ipfsStatus(workers: readonly WorkerStatus[]): IpfsStatus | null {
  let out: IpfsStatus | null = null;
  for (const w of workers) {
    const d = (w.health?.details as Partial<XbrmmDetails> | undefined)?.ipfs;
    if (w.type !== 'xbrmm' || !isRecord(d)) continue;
    out ??= { files: {}, downloads: { active: 0, waiting: 0 }, next_retries: [] };
    for (const [state, n] of Object.entries(d.files ?? {})) out.files[state] = (out.files[state] ?? 0) + n;
    out.downloads.active += d.active ?? 0;
    out.downloads.waiting += d.waiting ?? 0;
    out.next_retries.push(...(d.next_retries ?? []));
  }
  out?.next_retries.sort((a, b) => (a.next_retry_at < b.next_retry_at ? -1 : a.next_retry_at > b.next_retry_at ? 1 : 0)).splice(10);
  return out;
}

function chainStatus(metrics: MetricsSnapshot): ChainStatus | null {
  const head = metricSum(metrics, 'xbr_chain_head_block');
  if (head === undefined) return null;
  return {
    head,
    monitor_block: metricSum(metrics, 'xbr_chain_monitor_block') ?? null,
    lag_blocks: metricSum(metrics, 'xbr_chain_monitor_lag_blocks') ?? null,
    pending_transactions: metricSum(metrics, 'xbr_chain_pending_transactions') ?? 0,
  };
}

/** The status document of the node at `input.now`. */
export function nodeStatus(input: StatusInput): NodeStatus {
  const { report } = input;
  return {
    node: report.node,
    time: new Date(input.now).toISOString(),
    uptime_s: Math.max(0, Math.round((input.now - input.startedAt) / 1000)),
    ready: report.ready,
    problems: report.problems,
    token: { symbol: 'XBR', decimals: 18 },
    workers: report.workers.map((w) => ({ id: w.id, type: w.type, state: w.state, pid: w.pid ?? null, restarts: w.restarts, ready: w.health?.ready ?? null })),
    markets: report.workers.flatMap((w) => makersOf(w).map((m) => marketStatus(w.id, m, input))),
    ipfs: ipfsStatus(report.workers),
    chain: chainStatus(input.metrics),
    errors: input.history.errors,
  };
}
