import { existsSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect, type Server, type AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { WampError, WampErrorUri } from '../../schema/index.js';
import type { EndpointConfig } from '../../config/index.js';

export type BoundAddress = { type: 'tcp'; host: string; port: number } | { type: 'unix'; path: string };

/** Binds a server to a configured endpoint and reports the actual address (port 0 → the port chosen). */
export async function listenOn(server: Server, endpoint: EndpointConfig): Promise<BoundAddress> {
  if (endpoint.type === 'unix') {
    await prepareUnixPath(endpoint.path);
    await listen(server, { path: endpoint.path });
    return { type: 'unix', path: endpoint.path };
  }
  await listen(server, { host: endpoint.interface, port: endpoint.port, ...(endpoint.backlog ? { backlog: endpoint.backlog } : {}) });
  const address = server.address() as AddressInfo;
  return { type: 'tcp', host: address.address, port: address.port };
}

function listen(server: Server, options: { path: string } | { host: string; port: number; backlog?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new WampError(WampErrorUri.runtimeError, `cannot listen on ${describeOptions(options)}: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function describeOptions(options: { path: string } | { host: string; port: number }): string {
  return 'path' in options ? `unix:${options.path}` : `tcp:${options.host}:${options.port}`;
}

/**
 * A Unix socket file left by a process that died would make listen() fail with EADDRINUSE; remove it,
 * but only if nothing answers on it (a live router must not be hijacked).
 */
async function prepareUnixPath(path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) {
    throw new WampError(WampErrorUri.runtimeError, `cannot listen on unix:${path}: the path exists and is not a socket`);
  }
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new WampError(WampErrorUri.runtimeError, `cannot listen on unix:${path}: another process is listening there`);
  unlinkSync(path);
}

export function peerOf(remoteFamily: string | undefined, remoteAddress: string | undefined, remotePort: number | undefined): string {
  if (!remoteAddress) return 'unix';
  return remoteFamily === 'IPv6' ? `tcp6:[${remoteAddress}]:${remotePort}` : `tcp4:${remoteAddress}:${remotePort}`;
}
