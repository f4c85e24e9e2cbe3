/**
 * The embedded IPFS node of the default setup (docs/architecture.md#processes `ipfs (guest)`): js-ipfs, offline, serving the Kubo
 * RPC API on loopback so the fetcher talks to it exactly as to a real Kubo node. Its repo persists across
 * restarts, so files added once stay available.
 *
 * @example
 * const node = await startEmbeddedIpfsNode({ repo: '.xbr-edge/ipfs-repo', apiPort: 5001 });
 * const cid = await node.add(new TextEncoder().encode('@prefix dcterms: <http://purl.org/dc/terms/> .'));
 * await node.stop();
 */
import './polyfill.js';
import { create } from 'ipfs-core';
import { HttpApi } from 'ipfs-http-server';

export interface EmbeddedIpfsOptions {
  /** Directory of the node's repo (created when missing). */
  repo: string;
  /** TCP port of the RPC API (0 is not supported by js-ipfs' API server: pick a free port). */
  apiPort: number;
  /** Loopback by default: the node is for this machine only. */
  host?: string;
  /**
   * Runs once the repo is open and before the RPC port opens, e.g. to seed files: whoever waits for the
   * port (the controller's TCP readiness probe) then sees every seeded file. A throw stops the node.
   */
  beforeListen?: (add: (bytes: Uint8Array) => Promise<string>) => Promise<void>;
}

export interface EmbeddedIpfsNode {
  /** RPC API URL, e.g. `http://127.0.0.1:5001/api/v0`. */
  readonly apiUrl: string;
  /** Adds `bytes` as a CIDv0 file (the form XBR hashes on chain take); returns the CID string. */
  add(bytes: Uint8Array): Promise<string>;
  stop(): Promise<void>;
}

export async function startEmbeddedIpfsNode(options: EmbeddedIpfsOptions): Promise<EmbeddedIpfsNode> {
  const host = options.host ?? '127.0.0.1';
  const ipv6 = host.includes(':');
  const node = await create({
    repo: options.repo,
    offline: true,
    start: true,
    silent: true,
    preload: { enabled: false },
    init: { emptyRepo: true, profiles: ['test'] },
    config: {
      Bootstrap: [],
      Addresses: { API: `/${ipv6 ? 'ip6' : 'ip4'}/${host}/tcp/${options.apiPort}`, Gateway: '', Swarm: [], Delegates: [], RPC: '' },
      Discovery: { MDNS: { Enabled: false }, webRTCStar: { Enabled: false } },
    },
  });
  const add = async (bytes: Uint8Array): Promise<string> => (await node.add(bytes, { cidVersion: 0 })).cid.toString();
  const api = new HttpApi(node);
  try {
    await options.beforeListen?.(add);
    await api.start();
  } catch (err) {
    await node.stop();
    throw err;
  }
  return {
    apiUrl: `http://${ipv6 ? `[${host}]` : host}:${options.apiPort}/api/v0`,
    add,
    stop: async () => {
      await api.stop();
      await node.stop();
    },
  };
}
