/**
 * The node's HTTP listener (`controller.options.http`), served by the controller:
 * - `GET /metrics`: Prometheus text, the controller's metrics merged with every node.js worker's report
 *   (counters and histograms summed over workers, gauges as each metric says);
 * - `GET /health`: 200 while the controller runs (the process is up; nothing else is asked);
 * - `GET /ready`: 200 when every worker is ready and every market maker RUNNING, else 503; both with a JSON
 *   body naming each problem.
 * Plain HTTP on a loopback address in the shipped config: put TLS and access control in front of it before
 * exposing it. Nothing it serves takes input, and no key material is in any metric or report.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { unlink } from 'node:fs/promises';
import { AggregatorRegistry } from 'prom-client';
import type { HttpListenerConfig } from '../../../config/index.js';
import { metricsSnapshot } from '../../../process/index.js';
import type { Logger } from '../../../schema/index.js';
import type { NodeReport } from './node-report.js';

/** What the listener serves from. */
export interface NodeObservable {
  report(): Promise<NodeReport>;
}

export interface HttpListener {
  /** Where it listens: `host:port` or the unix socket path. */
  readonly address: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`);

/** The controller's metrics (its `report()` has just set the node and worker gauges) merged with the workers'. */
async function metricsText(report: NodeReport): Promise<{ contentType: string; text: string }> {
  const merged = AggregatorRegistry.aggregate([await metricsSnapshot(), ...report.metrics]);
  return { contentType: merged.contentType, text: await merged.metrics() };
}

async function handle(node: NodeObservable, req: IncomingMessage, res: ServerResponse, startedAt: number): Promise<void> {
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
    default:
      return json(res, 404, { error: `no ${path} here: try /metrics, /health or /ready` });
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
  const startedAt = Date.now();
  const server = createServer((req, res) => {
    handle(node, req, res, startedAt).catch((err: unknown) => {
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
  log.info('http listener open', { address, paths: ['/metrics', '/health', '/ready'] });
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
