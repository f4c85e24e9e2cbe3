/**
 * What the status page shows over time, which no single report has: keys sold per second per market over the
 * last minutes, and the recent errors. The controller samples the node's merged metrics and report every
 * few seconds (only while the HTTP listener is open: {@link startStatusSampler}) and keeps, in memory:
 * - per market, one rate point per interval (`xbr_purchases_total{outcome="sold"}` gained / seconds), for
 *   `keepMs` (15 min by default: 180 points); the markets are those the xbrmm workers report;
 * - the last {@link MAX_ERRORS} errors, each one line with the time of the sample that saw it: ERROR replies
 *   the router sent by URI (`xbr_wamp_errors_total`, less those the purchase failures below account for),
 *   refused and refunded purchases by market and URI (`xbr_purchase_failures_total`), worker restarts
 *   (`xbr_worker_restarts_total`) and problems of the report that were not there in the sample before.
 * Only metric labels (catalog URIs, market ids, worker ids) and the report's problem lines go into it: no
 * key, no channel or session id, no caller's message.
 *
 * Counters restart from 0 with their worker: a counter lower than last seen counts from 0; one missing from a
 * sample (a worker that did not report in time) keeps its last value.
 */
import type { Logger } from '../../../schema/index.js';
import type { MakerDetails, MetricsSnapshot, XbrmmDetails } from '../../../process/index.js';
import type { NodeReport, WorkerStatus } from './node-report.js';

/** Errors kept, newest first. */
const MAX_ERRORS = 20;
/** How many rate points are kept per market at most, whatever `keepMs` says. */
const MAX_POINTS = 1000;

export interface RatePoint {
  /** End of the interval (ISO 8601). */
  at: string;
  /** Keys sold per second over the interval. */
  per_s: number;
}

export interface RecentError {
  /** When the sample that saw it was taken (ISO 8601): it happened within the interval before. */
  time: string;
  /** `router`, `market 0x1234abcd…`, a worker id, or `node`. */
  where: string;
  /** The error URI, when there is one (`other`: a URI outside the xbr-edge catalog). */
  uri: string | null;
  message: string;
}

export interface HistorySnapshot {
  interval_s: number;
  /** Market id → rate points, oldest first. */
  rates: Record<string, RatePoint[]>;
  errors: RecentError[];
}

export interface StatusHistoryOptions {
  /** Sampling interval (ms); default 5 s. */
  intervalMs?: number;
  /** How long rate points are kept (ms); default 15 min. */
  keepMs?: number;
}

export type Labels = Record<string, string | number>;

/** The samples of metric `name` in the node's merged metrics (empty when absent). */
export function metricValues(metrics: MetricsSnapshot, name: string): { labels: Labels; value: number }[] {
  const m = metrics.find((x) => x.name === name);
  return (m?.values ?? []).map((v) => ({ labels: (v.labels ?? {}) as Labels, value: v.value }));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The makers in a worker's health details (an xbrmm worker's; none for others, or for a worker that did not report). */
export function makersOf(w: WorkerStatus): MakerDetails[] {
  const d = w.health?.details as Partial<XbrmmDetails> | undefined;
  return w.type === 'xbrmm' && Array.isArray(d?.makers) ? d.makers.filter((m): m is MakerDetails => isRecord(m) && typeof m.id === 'string') : [];
}

/** Problem lines that name a state a worker passes through, not a fault (`xbrmm1: starting`). */
const TRANSITION = /^(?:[^:]+: (?:idle|starting|stopping|stopped)|the node is stopping)$/;

const shortMarket = (hex: string): string => `market ${hex.slice(0, 10)}…`;
const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The history of the status page; `record()` one sample at a time (pure: the caller owns the clock). */
export class StatusHistory {
  readonly intervalMs: number;
  private readonly keepMs: number;
  /** Last value seen of every counter followed, by `metric|label|label…`. */
  private readonly last = new Map<string, number>();
  /** When the last sample was taken. */
  private lastAt: number | undefined;
  /** When each market's sold counter was last seen. */
  private readonly soldAt = new Map<string, number>();
  private lastProblems = new Set<string>();
  private readonly rates = new Map<string, { at: number; perS: number }[]>();
  private readonly errors: RecentError[] = [];

  constructor(options: StatusHistoryOptions = {}) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.keepMs = options.keepMs ?? 15 * 60_000;
  }

  /** What counter `key` gained since the last sample (its whole value when it restarted from 0). */
  private gained(key: string, value: number): number {
    const before = this.last.get(key);
    this.last.set(key, value);
    if (before === undefined || value < before) return value;
    return value - before;
  }

  private error(at: number, where: string, uri: string | null, message: string): void {
    this.errors.unshift({ time: new Date(at).toISOString(), where, uri, message });
    this.errors.splice(MAX_ERRORS);
  }

  /** Takes one sample: the node's merged metrics and its report at epoch ms `at`. */
  record(at: number, metrics: MetricsSnapshot, report: Pick<NodeReport, 'problems' | 'workers'>): void {
    // Keys sold per second, per market of a worker that reported (its sold counter absent: none sold yet). A
    // market seen for the first time counts from 0 since the sample before (its worker was not serving then:
    // its counters started with it); one missing from a sample gets its next point over the gap.
    const previous = this.lastAt;
    this.lastAt = at;
    const sold = new Map<string, number>();
    for (const { labels, value } of metricValues(metrics, 'xbr_purchases_total')) {
      if (labels['outcome'] === 'sold') sold.set(String(labels['market']), (sold.get(String(labels['market'])) ?? 0) + value);
    }
    for (const market of new Set(report.workers.flatMap((w) => makersOf(w).flatMap((m) => (m.market === undefined ? [] : [m.market]))))) {
      const since = this.soldAt.get(market) ?? previous;
      const n = this.gained(`sold|${market}`, sold.get(market) ?? 0);
      this.soldAt.set(market, at);
      if (since === undefined || at <= since) continue;
      const points = this.rates.get(market) ?? [];
      points.push({ at, perS: n / ((at - since) / 1000) });
      const keepFrom = at - this.keepMs;
      while (points.length > 0 && (points[0]!.at < keepFrom || points.length > MAX_POINTS)) points.shift();
      this.rates.set(market, points);
    }

    // Refused and refunded purchases, by market, outcome and URI; the router's ERROR replies by URI, less
    // those: a purchase failure reaches its buyer as one of them, and is shown once, with its market.
    const failedByUri = new Map<string, number>();
    for (const { labels, value } of metricValues(metrics, 'xbr_purchase_failures_total')) {
      const market = String(labels['market']);
      const outcome = String(labels['outcome']);
      const uri = String(labels['uri']);
      const n = this.gained(`failure|${market}|${outcome}|${uri}`, value);
      if (n <= 0) continue;
      failedByUri.set(uri, (failedByUri.get(uri) ?? 0) + n);
      this.error(at, shortMarket(market), uri, `${plural(n, 'purchase', 'purchases')} ${outcome}`);
    }
    for (const { labels, value } of metricValues(metrics, 'xbr_wamp_errors_total')) {
      const uri = String(labels['uri']);
      const n = this.gained(`wamp|${uri}`, value) - (failedByUri.get(uri) ?? 0);
      if (n > 0) this.error(at, 'router', uri, `${plural(n, 'ERROR reply', 'ERROR replies')} sent to clients`);
    }

    for (const { labels, value } of metricValues(metrics, 'xbr_worker_restarts_total')) {
      const worker = String(labels['worker']);
      const n = this.gained(`restart|${worker}`, value);
      if (n > 0) this.error(at, worker, null, `restarted (${plural(value, 'restart', 'restarts')} so far)`);
    }

    const problems = new Set(report.problems);
    for (const p of problems) {
      if (this.lastProblems.has(p) || TRANSITION.test(p)) continue;
      const colon = p.indexOf(': ');
      this.error(at, colon > 0 ? p.slice(0, colon) : 'node', null, colon > 0 ? p.slice(colon + 2) : p);
    }
    this.lastProblems = problems;
  }

  snapshot(): HistorySnapshot {
    const rates: Record<string, RatePoint[]> = {};
    for (const [market, points] of this.rates) rates[market] = points.map((p) => ({ at: new Date(p.at).toISOString(), per_s: Math.round(p.perS * 1000) / 1000 }));
    return { interval_s: this.intervalMs / 1000, rates, errors: [...this.errors] };
  }
}

/** One sample: the report and the node's merged metrics. */
export type TakeSample = () => Promise<{ report: Pick<NodeReport, 'problems' | 'workers'>; metrics: MetricsSnapshot }>;

/**
 * Samples into `history` every `history.intervalMs` (the first at once) until `stop()`; a sample is never
 * taken while the one before is still running. A failed sample is logged and skipped.
 */
export function startStatusSampler(history: StatusHistory, take: TakeSample, log: Logger): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      const s = await take();
      if (!stopped) history.record(Date.now(), s.metrics, s.report);
    } catch (err) {
      log.warn('status page: a sample of the node failed', { error: err as Error });
    }
    if (!stopped) timer = setTimeout(() => void tick(), history.intervalMs);
  };
  void tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
