/**
 * The status page's data, without processes: `nodeStatus` (the `/status.json` document, a pure function of the
 * controller's report, the merged metrics and the history) with exact values; `StatusHistory` (keys sold per
 * second per market, recent errors from counter deltas, counter restarts, bounded); and the listener serving
 * the page's files with their content types and Content-Security-Policy, `/status.json`, and stopping its
 * sampler on close.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsSnapshot, XbrmmDetails } from '../../../process/index.js';
import { createLogger } from '../../../schema/index.js';
import { startHttpListener } from '../../../router/controller/observe/http-listener.js';
import type { NodeReport } from '../../../router/controller/observe/node-report.js';
import { nodeStatus } from '../../../router/controller/observe/status.js';
import { StatusHistory, type HistorySnapshot } from '../../../router/controller/observe/status-history.js';

const MARKET = '0x' + '11'.repeat(16);
const XBR = 10n ** 18n;
const T0 = Date.parse('2026-01-02T03:04:05.000Z');

type Sample = { labels?: Record<string, string>; value: number };

/** Merged metrics as `getMetricsAsJSON()` gives them (name → samples). */
function metrics(m: Record<string, Sample[]>): MetricsSnapshot {
  return Object.entries(m).map(([name, values]) => ({
    name,
    help: name,
    type: name.endsWith('_total') ? 'counter' : 'gauge',
    aggregator: 'sum',
    values: values.map((v) => ({ labels: v.labels ?? {}, value: v.value })),
  })) as unknown as MetricsSnapshot;
}

const details: XbrmmDetails = {
  makers: [
    {
      id: 'maker1',
      realm: 'realm1',
      status: 'RUNNING',
      address: '0x' + 'aB'.repeat(20),
      market: MARKET,
      offers: { live: 2, suspended: 1 },
      ledger: {
        payment: { channels: { open: 1, closed: 1 }, remaining: (97n * XBR).toString(), inflight: (XBR / 1000n).toString(), spent: (3n * XBR).toString() },
        paying: { channels: { open: 1 }, remaining: (47n * XBR).toString(), inflight: '0', spent: (3n * XBR).toString() },
      },
      pending_transactions: 1,
    },
    { id: 'maker2', realm: 'realm2', status: 'FAILED', error: { uri: 'wamp.error.invalid_argument', message: 'maker maker2 is not the maker of any market' } },
  ],
  ipfs: {
    files: { pending: 1, downloaded: 4, invalid: 0, malformed: 0, too_large: 0 },
    active: 0,
    waiting: 1,
    next_retries: [{ file_hash: 'QmPending', next_retry_at: '2026-01-02T03:05:00.000Z', retries: 3, last_error: 'timeout' }],
  },
};

const report: Pick<NodeReport, 'node' | 'ready' | 'problems' | 'workers'> = {
  node: 'node1',
  ready: false,
  problems: ['xbrmm1: maker maker2 (realm realm2) is FAILED: maker maker2 is not the maker of any market'],
  workers: [
    { id: 'devchain', type: 'guest', state: 'ready', pid: 100, restarts: 0 },
    { id: 'router1', type: 'router', state: 'ready', pid: 101, restarts: 0, health: { ready: true, problems: [] } },
    { id: 'xbrmm1', type: 'xbrmm', state: 'ready', pid: 102, restarts: 1, health: { ready: false, problems: ['maker maker2 (realm realm2) is FAILED'], details: { ...details } } },
  ],
};

const nodeMetrics = metrics({
  xbr_purchases_total: [
    { labels: { market: MARKET, outcome: 'sold' }, value: 3 },
    { labels: { market: MARKET, outcome: 'refused' }, value: 1 },
  ],
  xbr_chain_head_block: [{ value: 120 }],
  xbr_chain_monitor_block: [{ value: 118 }],
  xbr_chain_monitor_lag_blocks: [{ value: 2 }],
  xbr_chain_pending_transactions: [{ labels: { market: MARKET }, value: 1 }],
});

const history: HistorySnapshot = {
  interval_s: 5,
  rates: { [MARKET]: [{ at: '2026-01-02T03:04:00.000Z', per_s: 0.6 }] },
  errors: [{ time: '2026-01-02T03:04:00.000Z', where: 'router', uri: 'wamp.error.no_such_procedure', message: '1 ERROR reply sent to clients' }],
};

describe('the status document (/status.json)', () => {
  it('assembles node, workers, markets, IPFS, chain and errors from the report, the metrics and the history', () => {
    const status = nodeStatus({ report, metrics: nodeMetrics, history, now: T0, startedAt: T0 - 3_723_400 });
    assert.deepEqual(status, {
      node: 'node1',
      time: '2026-01-02T03:04:05.000Z',
      uptime_s: 3723,
      ready: false,
      problems: ['xbrmm1: maker maker2 (realm realm2) is FAILED: maker maker2 is not the maker of any market'],
      token: { symbol: 'XBR', decimals: 18 },
      workers: [
        { id: 'devchain', type: 'guest', state: 'ready', pid: 100, restarts: 0, ready: null },
        { id: 'router1', type: 'router', state: 'ready', pid: 101, restarts: 0, ready: true },
        { id: 'xbrmm1', type: 'xbrmm', state: 'ready', pid: 102, restarts: 1, ready: false },
      ],
      markets: [
        {
          worker: 'xbrmm1',
          maker: 'maker1',
          realm: 'realm1',
          market: MARKET,
          address: '0x' + 'aB'.repeat(20),
          status: 'RUNNING',
          error: null,
          offers: { live: 2, suspended: 1 },
          channels: {
            payment: { open: 1, closing: 0, closed: 1, failed: 0, remaining: '97000000000000000000', inflight: '1000000000000000', spent: '3000000000000000000' },
            paying: { open: 1, closing: 0, closed: 0, failed: 0, remaining: '47000000000000000000', inflight: '0', spent: '3000000000000000000' },
          },
          pending_transactions: 1,
          purchases: { sold: 3, refunded: 0, refused: 1, repeated: 0 },
          purchase_rate: { interval_s: 5, points: [{ at: '2026-01-02T03:04:00.000Z', per_s: 0.6 }] },
        },
        {
          worker: 'xbrmm1',
          maker: 'maker2',
          realm: 'realm2',
          market: null,
          address: null,
          status: 'FAILED',
          error: { uri: 'wamp.error.invalid_argument', message: 'maker maker2 is not the maker of any market' },
          offers: null,
          channels: null,
          pending_transactions: null,
          purchases: { sold: 0, refunded: 0, refused: 0, repeated: 0 },
          purchase_rate: { interval_s: 5, points: [] },
        },
      ],
      ipfs: {
        files: { pending: 1, downloaded: 4, invalid: 0, malformed: 0, too_large: 0 },
        downloads: { active: 0, waiting: 1 },
        next_retries: [{ file_hash: 'QmPending', next_retry_at: '2026-01-02T03:05:00.000Z', retries: 3, last_error: 'timeout' }],
      },
      chain: { head: 120, monitor_block: 118, lag_blocks: 2, pending_transactions: 1 },
      errors: [{ time: '2026-01-02T03:04:00.000Z', where: 'router', uri: 'wamp.error.no_such_procedure', message: '1 ERROR reply sent to clients' }],
    });
    // every amount is a decimal string: nothing in the document is a bigint or a float amount
    assert.doesNotThrow(() => JSON.stringify(status));
  });

  it('a node without xbrmm workers or chain metrics: no markets, IPFS and chain null; malformed details are ignored', () => {
    const status = nodeStatus({
      report: { node: 'n', ready: true, problems: [], workers: [{ id: 'x', type: 'xbrmm', state: 'ready', restarts: 0, health: { ready: true, problems: [], details: { makers: 'nonsense' } } }] },
      metrics: [],
      history: { interval_s: 5, rates: {}, errors: [] },
      now: T0,
      startedAt: T0,
    });
    assert.deepEqual(status.markets, []);
    assert.equal(status.ipfs, null);
    assert.equal(status.chain, null);
    assert.deepEqual(status.workers, [{ id: 'x', type: 'xbrmm', state: 'ready', pid: null, restarts: 0, ready: true }]);
  });
});

describe('the status history', () => {
  const sample = (sold: number): MetricsSnapshot => metrics({ xbr_purchases_total: [{ labels: { market: MARKET, outcome: 'sold' }, value: sold }] });
  /** A report whose xbrmm worker reported its maker of MARKET (or did not report at all). */
  const reporting = (problems: string[] = [], reported = true): Pick<NodeReport, 'problems' | 'workers'> => ({
    problems,
    workers: [{ id: 'xbrmm1', type: 'xbrmm', state: 'ready', restarts: 0, ...(reported ? { health: { ready: true, problems: [], details: { makers: [{ id: 'maker1', realm: 'realm1', status: 'RUNNING', market: MARKET }] } } } : {}) }],
  });

  it('keys sold per second per interval, a new market counting from the sample before; a counter that restarted counts from 0; old points leave the window', () => {
    const h = new StatusHistory({ intervalMs: 5000, keepMs: 12_000 });
    h.record(T0 - 5000, metrics({}), { problems: ['xbrmm1: starting'], workers: [] }); // before the worker serves
    h.record(T0, sample(0), reporting());
    assert.deepEqual(h.snapshot().rates, { [MARKET]: [{ at: new Date(T0).toISOString(), per_s: 0 }] });
    h.record(T0 + 5000, sample(10), reporting());
    h.record(T0 + 10_000, sample(13), reporting());
    h.record(T0 + 14_000, sample(2), reporting()); // the worker restarted: 2 since then
    h.record(T0 + 19_000, metrics({}), reporting([], false)); // the worker did not report: no point, the next one spans the gap
    h.record(T0 + 24_000, sample(7), reporting());
    assert.deepEqual(h.snapshot().rates, {
      [MARKET]: [
        { at: new Date(T0 + 14_000).toISOString(), per_s: 0.5 },
        { at: new Date(T0 + 24_000).toISOString(), per_s: 0.5 },
      ],
    });
    assert.deepEqual(
      (() => {
        const h2 = new StatusHistory({ intervalMs: 5000 });
        h2.record(T0, metrics({}), reporting()); // the first sample of all: the baseline; no key sold yet, so no counter
        h2.record(T0 + 3000, metrics({}), reporting());
        h2.record(T0 + 6000, sample(1), reporting());
        return h2.snapshot().rates[MARKET];
      })(),
      [
        { at: new Date(T0 + 3000).toISOString(), per_s: 0 },
        { at: new Date(T0 + 6000).toISOString(), per_s: 0.333 },
      ],
    );
  });

  it('recent errors: purchase failures by market, the router ERROR replies they do not account for, restarts and new problems; newest first, at most 20', () => {
    const h = new StatusHistory();
    h.record(T0, metrics({ xbr_wamp_errors_total: [{ labels: { uri: 'wamp.error.no_such_procedure' }, value: 1 }] }), reporting(['router1: starting']));
    h.record(
      T0 + 5000,
      metrics({
        xbr_wamp_errors_total: [
          { labels: { uri: 'wamp.error.no_such_procedure' }, value: 1 },
          { labels: { uri: 'xbr.error.insufficient_balance' }, value: 3 },
        ],
        xbr_purchase_failures_total: [{ labels: { market: MARKET, outcome: 'refused', uri: 'xbr.error.insufficient_balance' }, value: 2 }],
        xbr_worker_restarts_total: [{ labels: { worker: 'xbrmm1' }, value: 1 }],
      }),
      reporting(['xbrmm1: backoff', 'the node is stopping']),
    );
    const at0 = new Date(T0).toISOString();
    const at1 = new Date(T0 + 5000).toISOString();
    assert.deepEqual(h.snapshot().errors, [
      { time: at1, where: 'xbrmm1', uri: null, message: 'backoff' },
      { time: at1, where: 'xbrmm1', uri: null, message: 'restarted (1 restart so far)' },
      { time: at1, where: 'router', uri: 'xbr.error.insufficient_balance', message: '1 ERROR reply sent to clients' },
      { time: at1, where: 'market 0x11111111…', uri: 'xbr.error.insufficient_balance', message: '2 purchases refused' },
      { time: at0, where: 'router', uri: 'wamp.error.no_such_procedure', message: '1 ERROR reply sent to clients' },
    ]);
    // a problem still there is not repeated; the list keeps the newest 20
    for (let i = 2; i < 30; i++) h.record(T0 + i * 5000, metrics({ xbr_wamp_errors_total: [{ labels: { uri: 'other' }, value: i }] }), reporting(['xbrmm1: backoff']));
    const errors = h.snapshot().errors;
    assert.equal(errors.length, 20);
    assert.deepEqual(errors[0], { time: new Date(T0 + 29 * 5000).toISOString(), where: 'router', uri: 'other', message: '1 ERROR reply sent to clients' });
    assert.equal(errors.filter((e) => e.message === 'backoff').length, 0, 'pushed out, never repeated');
  });
});

describe('the listener serves the status page', () => {
  it('/, /status.css and /status.js with their types and a strict CSP; /status.json; the sampler stops on close', async () => {
    let reports = 0;
    const node = {
      report: async (): Promise<NodeReport> => {
        reports++;
        return { ...report, metrics: [] };
      },
    };
    const listener = await startHttpListener({ endpoint: { type: 'tcp', port: 0, interface: '127.0.0.1' } } as never, node, createLogger({ component: 'test' }));
    try {
      const base = `http://${listener.address}`;
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(page.headers.get('cache-control'), 'no-store');
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
      const html = await page.text();
      assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
      assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|style=|https?:\/\//, 'no inline script, handler or style, no external resource');
      for (const [path, type] of [
        ['/status.css', 'text/css; charset=utf-8'],
        ['/status.js', 'text/javascript; charset=utf-8'],
      ] as const) {
        const r = await fetch(base + path);
        assert.equal(r.status, 200, path);
        assert.equal(r.headers.get('content-type'), type);
        assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
        assert.doesNotMatch(await r.text(), /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${path}: no external resource`);
      }
      const json = await fetch(`${base}/status.json`);
      assert.equal(json.status, 200);
      assert.equal(json.headers.get('cache-control'), 'no-store');
      const body = (await json.json()) as { node: string; markets: { maker: string }[] };
      assert.equal(body.node, 'node1');
      assert.deepEqual(
        body.markets.map((m) => m.maker),
        ['maker1', 'maker2'],
      );
      assert.ok(reports >= 2, 'the sampler took its first sample at once');
    } finally {
      await listener.close();
    }
    const after = reports;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(reports, after, 'no sample after close');
  });
});
