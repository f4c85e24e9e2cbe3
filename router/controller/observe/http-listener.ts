/**
 * The node's HTTP listener (`controller.options.http`), served by the controller:
 * - `GET /metrics`: Prometheus text, the controller's metrics merged with every node.js worker's report
 *   (counters and histograms summed over workers, gauges as each metric says);
 * - `GET /health`: 200 while the controller runs (the process is up; nothing else is asked);
 * - `GET /ready`: 200 when every worker is ready and every market maker RUNNING, else 503; both with a JSON
 *   body naming each problem;
 * - `GET /status.json`: the node in one document (status.ts), with the history the listener samples every
 *   5 s while it is open (status-history.ts);
 * - `GET /`: the status page (`status-page/`: static HTML, CSS and JavaScript shipped beside this module, no
 *   inline script, a strict Content-Security-Policy), which polls `/status.json`.
 * Plain HTTP on a loopback address in the shipped config: put TLS and access control in front of it before
 * exposing it. Nothing it serves takes input, and no key material is in any metric or report.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, unlink } from 'node:fs/promises';
import { AggregatorRegistry } from 'prom-client';
import type { HttpListenerConfig } from '../../../config/index.js';
import { metricsSnapshot, type MetricsSnapshot } from '../../../process/index.js';
import type { Logger } from '../../../schema/index.js';
import type { NodeReport } from './node-report.js';
import { nodeStatus } from './status.js';
import { StatusHistory, startStatusSampler } from './status-history.js';

/** What the listener serves from. */
export interface NodeObservable {
  report(): Promise<NodeReport>;
}

export interface HttpListener {
  /** Where it listens: `host:port` or the unix socket path. */
  readonly address: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/**
 * The status page's files (path → content type), read once when the listener opens. Their headers: only this
 * origin's scripts, styles and fetches, no inline script or style, no framing, no referrer.
 */
const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/status.css': { file: 'status.css', type: 'text/css; charset=utf-8' },
  '/status.js': { file: 'status.js', type: 'text/javascript; charset=utf-8' },
};
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** The page's files by path; a file that cannot be read is left out (then 404, and the listener logs why). */
async function loadPage(log: Logger): Promise<Map<string, { type: string; body: string }>> {
  const page = new Map<string, { type: string; body: string }>();
  for (const [path, { file, type }] of Object.entries(PAGE_FILES)) {
    try {
      page.set(path, { type, body: await readFile(new URL(`./status-page/${file}`, import.meta.url), 'utf8') });
    } catch (err) {
      log.warn('http listener: a file of the status page cannot be read; it is not served', { file: `status-page/${file}`, error: err as Error });
    }
  }
  return page;
}

const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`);

/** The controller's metrics (its `report()` has just set the node and worker gauges) merged with the workers'. */
async function merged(report: NodeReport): Promise<ReturnType<typeof AggregatorRegistry.aggregate>> {
  return AggregatorRegistry.aggregate([await metricsSnapshot(), ...report.metrics]);
}

async function metricsText(report: NodeReport): Promise<{ contentType: string; text: string }> {
  const m = await merged(report);
  return { contentType: m.contentType, text: await m.metrics() };
}

async function metricsJson(report: NodeReport): Promise<MetricsSnapshot> {
  return (await (await merged(report)).getMetricsAsJSON()) as MetricsSnapshot;
}

/** What a request is answered from. */
interface Served {
  node: NodeObservable;
  startedAt: number;
  history: StatusHistory;
  page: ReadonlyMap<string, { type: string; body: string }>;
}

async function handle(served: Served, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { node, startedAt } = served;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return json(res, 405, { error: `method ${req.method ?? ''} not allowed: this listener only serves GET` });
  }
  const path = new URL(req.url ?? '/', 'http://node').pathname;
  switch (path) {
    case '/health':
      return json(res, 200, { status: 'up', pid: process.pid, uptime_s: Math.round((Date.now() - startedAt) / 1000) });
    case '/ready': {
      const r = await node.report();
      return json(res, r.ready ? 200 : 503, { ready: r.ready, problems: r.problems, workers: r.workers });
    }
    case '/metrics': {
      const m = await metricsText(await node.report());
      return send(res, 200, m.contentType, m.text);
    }
    case '/status.json': {
      const report = await node.report();
      return json(res, 200, nodeStatus({ report, metrics: await metricsJson(report), history: served.history.snapshot(), now: Date.now(), startedAt }));
    }
    default: {
      const file = served.page.get(path);
      if (file !== undefined) return send(res, 200, file.type, file.body, PAGE_HEADERS);
      return json(res, 404, { error: `no ${path} here: try /, /status.json, /metrics, /health or /ready` });
    }
  }
}

function listen(server: Server, config: HttpListenerConfig): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const ready = (): void => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'string' ? a : a === null ? '' : `${a.address}:${a.port}`);
    };
    const e = config.endpoint;
    if (e.type === 'tcp') server.listen({ port: e.port, host: e.interface, ...(e.backlog === undefined ? {} : { backlog: e.backlog }) }, ready);
    else server.listen(e.path, ready);
  });
}

/** Opens the listener; rejects when its endpoint cannot be bound (the node then does not start). */
export async function startHttpListener(config: HttpListenerConfig, node: NodeObservable, log: Logger): Promise<HttpListener> {
  const served: Served = { node, startedAt: Date.now(), history: new StatusHistory(), page: await loadPage(log) };
  const server = createServer((req, res) => {
    handle(served, req, res).catch((err: unknown) => {
      log.error('http listener request failed', { path: req.url, error: err as Error });
      if (!res.headersSent) json(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  if (config.endpoint.type === 'unix') {
    // A socket file left by a node that died; the node lock says no other node uses this directory.
    await unlink(config.endpoint.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  const address = await listen(server, config);
  const sampler = startStatusSampler(
    served.history,
    async () => {
      const report = await node.report();
      return { report, metrics: await metricsJson(report) };
    },
    log,
  );
  log.info('http listener open', { address, paths: ['/', '/status.json', '/metrics', '/health', '/ready'] });
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        sampler.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
