/**
 * The validated model of `router-config.json`. The shape follows Crossbar.io's node configuration
 * (`version: 2`, `controller`, `workers[]`) so a Crossbar admin reads it at a glance; defaults are
 * filled in by the validator, so everything downstream sees complete objects.
 */
import type { MatchPolicy } from '../schema/wamp/index.js';
import type { LogLevel, XbrContractAddresses } from '../schema/index.js';

export type { MatchPolicy };
export type SerializerName = 'json' | 'msgpack' | 'cbor';

export interface NodeConfig {
  version: 2;
  controller: ControllerConfig;
  workers: WorkerConfig[];
}

export interface ControllerConfig {
  /** Node id used in logs. Default: `"node1"`. */
  id: string;
  options: ControllerOptions;
}

export interface ControllerOptions {
  /** Seconds to wait for all workers to exit on SIGTERM/SIGINT before killing them. Default 30 (must be < 45). */
  shutdown_timeout: number;
  /** Seconds a worker has to report readiness after being spawned. Default 60. */
  startup_timeout: number;
  restart: RestartPolicy;
  /**
   * The node's HTTP listener, served by the controller: `/metrics` (Prometheus), `/health`, `/ready` and the
   * status page. Absent: no listener. The shipped config listens on 127.0.0.1:9464.
   */
  http?: HttpListenerConfig;
  /** The controller's log level. Absent: `info`. `XBR_LOG_LEVEL` in its environment wins. */
  log_level?: LogLevel;
}

/** The controller's HTTP listener (plain HTTP: put TLS and access control in front of it when exposing it). */
export interface HttpListenerConfig {
  endpoint: EndpointConfig;
}

/** Restarts of a crashed worker: exponential backoff, and a give-up bound (then the controller exits 2). */
export interface RestartPolicy {
  /** Maximum restarts of one worker within `window` seconds before giving up. Default 5. */
  max_restarts: number;
  /** Sliding window in seconds for `max_restarts`. Default 60. */
  window: number;
  /** Delay before the first restart, in seconds. Default 0.5. Doubles per consecutive crash. */
  initial_delay: number;
  /** Upper bound of the delay in seconds. Default 10. */
  max_delay: number;
}

export type WorkerConfig = RouterWorkerConfig | XbrmmWorkerConfig | GuestWorkerConfig;

export interface WorkerCommonOptions {
  title?: string;
  /** Environment for the worker process. Default: inherit the controller's environment. */
  env: { inherit: boolean | string[]; vars: Record<string, string> };
  /**
   * The worker's log level, passed to it as `XBR_LOG_LEVEL`. Absent: `info`. An `XBR_LOG_LEVEL` the worker's
   * environment already has (inherited from the controller's, or in `env.vars`) wins.
   */
  log_level?: LogLevel;
}

export interface RouterWorkerConfig {
  type: 'router';
  /** Default: `router<N>` with N the 1-based index among router workers. */
  id: string;
  options: RouterWorkerOptions;
  realms: RealmConfig[];
  transports: TransportConfig[];
}

export interface RouterWorkerOptions extends WorkerCommonOptions {
  /** Maximum concurrently established sessions over all transports. Default 10000. */
  max_sessions: number;
}

export interface RealmConfig {
  name: string;
  roles: RoleConfig[];
  options: { enable_meta_api: boolean };
}

export interface RoleConfig {
  name: string;
  permissions: PermissionConfig[];
}

export interface PermissionConfig {
  uri: string;
  match: MatchPolicy;
  allow: { call: boolean; register: boolean; publish: boolean; subscribe: boolean };
  disclose: { caller: boolean; publisher: boolean };
  cache: boolean;
}

export type EndpointConfig =
  | { type: 'tcp'; port: number; interface: string; backlog?: number }
  /** `path` is resolved against the node directory (cbdir) by the validator. */
  | { type: 'unix'; path: string };

/** Limits of one WAMP connection: per transport, or per websocket path of a `web` transport. */
export interface ConnectionOptions {
  /** Largest accepted WAMP message in bytes (frame payload). Default 1 MiB. */
  max_message_size: number;
  /** Seconds a new connection may take to complete the WAMP opening handshake. Default 10. */
  open_handshake_timeout: number;
  /** Seconds between transport-level pings (WebSocket ping / RawSocket ping); 0 disables. Default 0. */
  auto_ping_interval: number;
}

export interface TransportOptions extends ConnectionOptions {
  /** Maximum open connections on this transport. Default 1000. */
  max_connections: number;
}

interface TransportCommon {
  /** Default: `transport<N>` with N the 1-based index in the worker's transports. */
  id: string;
  endpoint: EndpointConfig;
  /** Default: all of json, msgpack, cbor. */
  serializers: SerializerName[];
  /** Default: `{ anonymous: { type: 'static', role: 'anonymous' } }`. */
  auth: AuthConfig;
  options: TransportOptions;
}

/** WAMP over WebSocket; accepts the upgrade on any HTTP path. */
export interface WebSocketTransportConfig extends TransportCommon {
  type: 'websocket';
}

export interface RawSocketTransportConfig extends TransportCommon {
  type: 'rawsocket';
}

/**
 * Crossbar's `web` transport: one HTTP listener whose `paths` map URL paths to path services. xbr-edge
 * supports only `websocket` path services (WAMP over WebSocket); every other Crossbar path type is a
 * config error. An upgrade on a path that is not configured gets HTTP 404.
 */
export interface WebTransportConfig {
  type: 'web';
  /** Default: `transport<N>` with N the 1-based index in the worker's transports. */
  id: string;
  endpoint: EndpointConfig;
  options: {
    /** Maximum open connections over all paths of this transport. Default 1000. */
    max_connections: number;
  };
  /**
   * The websocket path services, keyed by normalized URL path: Crossbar's key `"/"` is `"/"`, `"ws"` is
   * `"/ws"`, `"a/b"` is `"/a/b"`. At least one.
   */
  paths: Record<string, WebSocketPathConfig>;
}

/** A `type: "websocket"` path service of a `web` transport. */
export interface WebSocketPathConfig {
  /** Default: all of json, msgpack, cbor. */
  serializers: SerializerName[];
  /** Default: `{ anonymous: { type: 'static', role: 'anonymous' } }`. */
  auth: AuthConfig;
  options: ConnectionOptions;
}

export type TransportConfig = WebSocketTransportConfig | RawSocketTransportConfig | WebTransportConfig;

export interface DynamicAuthConfig {
  type: 'dynamic';
  /** URI of the procedure the router calls: `(realm, authid, details) -> role | {role, authid?, realm?, extra?, ...}`. */
  authenticator: string;
  /** Realm the authenticator procedure is registered in. Default: the realm the client asks for. */
  'authenticator-realm'?: string;
}

export interface AnonymousAuthConfig {
  type: 'static';
  /** Default: `"anonymous"`. */
  role: string;
}

export interface TicketPrincipal { ticket: string; role: string; realm?: string }
export interface WampcraUser { secret: string; role: string; realm?: string; salt?: string; iterations?: number; keylen?: number }
export interface CryptosignPrincipal { authorized_keys: string[]; role: string; realm?: string }

export interface AuthConfig {
  anonymous?: AnonymousAuthConfig | DynamicAuthConfig;
  ticket?: { type: 'static'; principals: Record<string, TicketPrincipal> } | DynamicAuthConfig;
  wampcra?: { type: 'static'; users: Record<string, WampcraUser> } | DynamicAuthConfig;
  cryptosign?: { type: 'static'; principals: Record<string, CryptosignPrincipal> } | DynamicAuthConfig;
}

/** The worker hosting the market makers (docs/architecture.md#processes, docs/protocol.md#maker-config). */
export interface XbrmmWorkerConfig {
  type: 'xbrmm';
  id: string;
  options: WorkerCommonOptions & { extra: XbrmmExtra };
  makers: MakerConfig[];
}

/** `options.extra` of an xbrmm worker. */
export interface XbrmmExtra {
  /** The worker DB (blockchain replica, user keys, IPFS log). */
  database: DatabaseConfig;
  blockchain: BlockchainConfig;
  /** The IPFS fetcher (catalog / API / market / member descriptions); absent: nothing is downloaded. */
  ipfs?: IpfsConfig;
}

/** `options.extra.ipfs` of an xbrmm worker: where descriptions come from and how downloads are bounded. */
export interface IpfsConfig {
  /** Kubo RPC API URL, e.g. `http://127.0.0.1:5001/api/v0`. */
  url: string;
  /** Directory the verified files are written to, absolute (resolved against cbdir). */
  directory: string;
  /** Per-request timeout in ms (a missing CID must not hang). Default 10,000. */
  timeout: number;
  /** Largest file accepted, in bytes. Default 1 MiB. */
  max_size: number;
  /** Downloads running at once. Default 4. */
  concurrency: number;
  /** First retry delay in ms; doubles per failure, with jitter. Default 5,000. */
  retry_initial: number;
  /** Longest retry delay in ms. Default 3,600,000 (1 h). */
  retry_max: number;
}

/** An LMDB environment: Crossbar's `{type: "cfxdb", path, maxsize}`; `type` may be left out. */
export interface DatabaseConfig {
  /** Directory of the LMDB environment, absolute (resolved against cbdir). */
  path: string;
  /** Map size in bytes (128 KiB … 128 GiB); default 1 GiB. */
  maxsize?: number;
}

/** One market maker: its key, its DB and the realm (= market) it serves. */
export interface MakerConfig {
  /** Default: `maker<N>` with N the 1-based index in `makers`. */
  id: string;
  /** Absolute path of the file with the 32 raw bytes of the maker's Ethereum key (created 0600 when missing). */
  key: string;
  database: DatabaseConfig;
  connection: MakerConnectionConfig;
}

export interface MakerConnectionConfig {
  realm: string;
  transport: MakerTransportConfig;
}

/** Binary serializers only: XBR ids, keys and amounts are raw bytes on the wire. */
export type MakerSerializerName = 'cbor' | 'msgpack';

/** How a maker reaches the router: WAMP over WebSocket (wampy speaks nothing else). */
export interface MakerTransportConfig {
  type: 'websocket';
  /** `tcp` (host default 127.0.0.1) or `unix` (path resolved against cbdir). */
  endpoint: { type: 'tcp'; host: string; port: number } | { type: 'unix'; path: string };
  /** WebSocket URL (scheme, host header, HTTP path). Default `ws://<host>:<port>/` or `ws://localhost/` for unix. */
  url: string;
  /** Serializers in order of preference; the maker uses the first. Default `["cbor"]` (as the original). */
  serializers: MakerSerializerName[];
}


/** `options.extra.blockchain`: the Ethereum network an xbrmm worker follows and transacts on. */
export type BlockchainConfig = BlockchainCommon & (
  | { contracts: XbrContractAddresses }
  /** Absolute path (resolved against cbdir) of a `devchain.json` written by the embedded dev chain. */
  | { deployment: string }
);

export interface BlockchainCommon {
  type: 'ethereum';
  /** Only `user` gateways: an http(s) or ws(s) JSON-RPC URL. */
  gateway: { type: 'user'; http: string };
  /** Chain id transactions are signed for. */
  chain_id?: number;
  /** First block to replicate from. */
  from_block?: number;
  /** Blocks a transaction needs on top before its effects are applied. Default 1. */
  confirmations: number;
  /** Seconds between polls of the chain (monitor, receipts). Default 1. */
  poll_interval: number;
}

export interface GuestWorkerConfig {
  type: 'guest';
  id: string;
  /** Executable path or a name looked up on PATH. */
  executable: string;
  arguments: string[];
  options: GuestWorkerOptions;
}

export interface GuestWorkerOptions extends WorkerCommonOptions {
  /** Working directory, resolved against cbdir. Default: cbdir. */
  workdir: string;
  /** Where the guest's output goes: `log` (forwarded to the controller's), `drop`, or `close`. Default `log`. */
  stdout: 'log' | 'drop' | 'close';
  stderr: 'log' | 'drop' | 'close';
  /**
   * When the guest counts as ready. Default `{ type: 'started' }` (as soon as it has been spawned);
   * `{ type: 'tcp', host, port }` waits until the port accepts connections (e.g. a dev chain).
   */
  ready: { type: 'started' } | { type: 'tcp'; host: string; port: number };
  /** Seconds between SIGTERM and SIGKILL at shutdown. Default 10. */
  stop_timeout: number;
}
