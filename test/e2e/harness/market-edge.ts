/**
 * Test harness for end-to-end market tests: the real controller on the shipped `router-config.json`
 * (free ports, a temp node directory) — dev chain guest, IPFS guest (seeded with the demo descriptions), router,
 * xbrmm worker with one maker on the demo market — plus helpers to connect plain WAMP clients and to act on the
 * chain as the demo accounts.
 *
 * @example
 * const edge = await startMarketEdge();
 * t.after(() => edge.stop());
 * const buyer = await edge.connect();
 * const status = await edge.callWhenRegistered(buyer, 'xbr.marketmaker.status');
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import WebSocket from 'ws';
import { devchainAccountKey, type DevchainFile } from '../../../contracts/index.js';

export type { DevchainFile };

const ROOT = new URL('../../../', import.meta.url).pathname;

type Json = Record<string, unknown>;

// The workers of the shipped config, typed in the members the tests change (other members pass through as JSON).
interface EdgeGuest extends Json {
  type: 'guest';
  id: string;
  arguments: string[];
  options: Json & { workdir?: string; ready: Json & { port: number } };
}

interface EdgeRealm extends Json {
  roles: { name: string; permissions: Json[] }[];
  marketmaker?: Json;
}

interface EdgeRouter extends Json {
  type: 'router';
  realms: EdgeRealm[];
  transports: Json[];
}

interface EdgeMaker extends Json {
  key: string;
  database: Json;
  connection: Json & { realm: string };
}

export interface EdgeXbrmm extends Json {
  type: 'xbrmm';
  options: Json & {
    env?: Json;
    extra: Json & { blockchain: Json & { gateway: Json & { http: string } }; ipfs?: Json & { url: string } };
  };
  makers: EdgeMaker[];
}

type EdgeWorker = EdgeGuest | EdgeRouter | EdgeXbrmm;

/** The shipped config as JSON (mutable copy). */
export type EdgeConfig = { workers: EdgeWorker[] } & Json;

const guestOf = (config: EdgeConfig, id: string): EdgeGuest | undefined => config.workers.find((w): w is EdgeGuest => w.type === 'guest' && w.id === id);

export interface StartMarketEdgeOptions {
  /** Changes the config before it is written (ports and paths are already set). */
  configure?: (config: EdgeConfig) => void;
  /** Extra environment of the controller (e.g. `XBR_LOG_LEVEL`). */
  env?: Record<string, string>;
  /** How long the maker may take to register its procedures (ms). Default 90 s. */
  startTimeoutMs?: number;
  /**
   * Node directory to run in, e.g. one that a previous edge left behind with `keepCbdir` (a restart of the
   * same node). Default: a new temp directory.
   */
  cbdir?: string;
  /** `stop()` leaves the node directory in place (the caller removes it). Default false. */
  keepCbdir?: boolean;
  /**
   * Called right after the controller is spawned, with the router's TCP WebSocket URL, and run beside the
   * start (not awaited by it): a hostile client racing the maker to the router does its worst here.
   */
  whileStarting?: (wsUrl: string) => void;
  /** `npm`: start it as a user does, `npm start -- --cbdir <dir>` (npm is then the process spawned). Default: the controller directly. */
  launch?: 'node' | 'npm';
  /** Spawn it in a process group of its own, so a test can signal the whole group (Ctrl-C, systemd). */
  detached?: boolean;
  /**
   * What the edge runs: `sources` (default) = the TypeScript through tsx, as the other tests do (no build needed;
   * the guests' `dist/….js` of the shipped config become `--import tsx ….ts`); `dist` = the compiled build of
   * `root`, as `npm start` runs it: `node <root>/dist/router/controller/cli.js`, the guests as shipped
   * (`node dist/….js` in `root`), and no NODE_OPTIONS. `dist` needs a build (`npm run build`); with
   * `launch: 'npm'` the build is npm start's own business.
   */
  entry?: 'sources' | 'dist';
  /**
   * With `entry: 'dist'`: the installation to run, a directory with `dist/`, `package.json`, `node_modules` and
   * `contracts/demo-rdf` (the IPFS guest's seed). Default: the project. `launch: 'npm'` implies `dist` (npm start
   * builds it when needed).
   */
  root?: string;
  /** More flags for the controller after `--cbdir <dir>` (e.g. `--fresh`). */
  controllerArgs?: readonly string[];
}

export interface ConnectOptions {
  serializer?: 'msgpack' | 'cbor';
  /** wampy options merged in (e.g. `authid`, `authmethods`, `onChallenge`, `authextra`). */
  wampy?: Record<string, unknown>;
}

export interface MarketEdge {
  readonly cbdir: string;
  /** The process the harness spawned: the controller, or npm with `launch: 'npm'`. */
  readonly spawned: ChildProcess;
  /** `ws://127.0.0.1:<port>/` of the router's TCP WebSocket transport. */
  readonly wsUrl: string;
  /** JSON-RPC URL of the dev chain. */
  readonly chainUrl: string;
  /** `http://127.0.0.1:<port>` of the controller's HTTP listener (metrics, health, ready); undefined when `configure` removed it. */
  readonly httpUrl: string | undefined;
  /**
   * Kubo RPC API URL of the IPFS guest (`http://127.0.0.1:<port>/api/v0`), which serves the demo descriptions
   * (DEMO_CIDS); undefined when `configure` removed the `ipfs` guest.
   */
  readonly ipfsUrl: string | undefined;
  readonly devchain: DevchainFile;
  /** Checksummed address of the maker key. */
  readonly makerAddress: string;
  /** Controller output so far (stdout + stderr). */
  output(): string;
  /** A connected wampy client in realm1 (msgpack by default). Closed by `stop()`. */
  connect(options?: ConnectOptions): Promise<Wampy>;
  /** The WELCOME details a client of `connect` received (its authid and role as the router fixed them). */
  welcome(client: Wampy): Welcome;
  /** A client on the operator Unix socket of the shipped config (role `operator`). Closed by `stop()`. */
  connectOperator(options?: ConnectOptions): Promise<Wampy>;
  /** A client on a WebSocket Unix socket of the node, by its path relative to the node directory. Closed by `stop()`. */
  connectUnixSocket(path: string, options?: ConnectOptions): Promise<Wampy>;
  /** Calls `uri` until the maker has registered it; returns the first positional result. */
  callWhenRegistered(client: Wampy, uri: string, args?: unknown[], timeoutMs?: number): Promise<unknown>;
  /** A provider on the dev chain (no caching, as the dev chain mines instantly). */
  provider(): JsonRpcProvider;
  /** The hardhat default-mnemonic account `index` as a signer on the dev chain. */
  account(index: number): Wallet;
  /** SIGTERM the controller and wait for its exit (code returned); removes the node directory unless `keepCbdir`. */
  stop(): Promise<number | null>;
}

/** What the router told a client in WELCOME. */
export interface Welcome {
  authid: string;
  authrole: string;
  authmethod?: string;
  authextra?: Record<string, unknown>;
}

/** Ports `freePort` gave out in this process: never given twice, so two listeners of one edge cannot get the same. */
const handedOut = new Set<number>();

/** A port nothing listens on now, not given out before by this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await unusedPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves with the exit code and signal of `child` once it exited (at once if it already has). */
export function waitExit(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** A wampy client (msgpack) in realm1 of `url`, retrying until the router accepts it or `deadline` (ms epoch) passes. */
export async function connectWhenUp(url: string, deadline: number): Promise<Wampy> {
  for (;;) {
    const w = new Wampy(url, { ws: WebSocket as never, realm: 'realm1', autoReconnect: false, serializer: new MsgpackSerializer() });
    try {
      await w.connect();
      return w;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Makes a guest of the shipped config that runs compiled code (`node dist/<path>.js …`) run its TypeScript source
 * instead (`node --import tsx <path>.ts …`), so tests need no build. Other guests are left as they are.
 * @example guestFromSources(config.workers.find((w) => w['id'] === 'devchain')!);
 */
export function guestFromSources(guest: EdgeGuest): void {
  const args = guest.arguments;
  const i = args.findIndex((a) => /^dist\/.+\.js$/.test(a));
  if (i < 0) return;
  args.splice(i, 1, '--import', 'tsx', args[i]!.slice('dist/'.length).replace(/\.js$/, '.ts'));
}

/**
 * Moves the shipped `ipfs` guest of `config` to a free port and a repo under `cbdir`, running from `root` (where
 * its script and the demo files are: default the project) — from the sources through tsx unless `from: 'dist'` —
 * and points the xbrmm workers' `options.extra.ipfs.url` at it.
 * Returns its RPC API URL, or undefined when the config has no `ipfs` guest.
 * @example const ipfsUrl = await placeIpfsGuest(config, cbdir);
 */
export async function placeIpfsGuest(config: EdgeConfig, cbdir: string, options: { root?: string; from?: 'sources' | 'dist' } = {}): Promise<string | undefined> {
  const ipfs = guestOf(config, 'ipfs');
  if (ipfs === undefined) return undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/api/v0`;
  if (options.from !== 'dist') guestFromSources(ipfs);
  ipfs['options'].workdir = options.root ?? ROOT;
  ipfs['options'].ready.port = port;
  const args = ipfs['arguments'] as string[];
  args[args.indexOf('--port') + 1] = String(port);
  args[args.indexOf('--repo') + 1] = join(cbdir, '.xbr-edge/ipfs-repo');
  for (const w of config.workers) if (w['type'] === 'xbrmm' && w['options']?.extra?.ipfs !== undefined) w['options'].extra.ipfs.url = url;
  return url;
}

/**
 * Starts the controller on the shipped config and waits until the maker serves `xbr.marketmaker.status`. When a
 * listener could not bind its port — `freePort` hands out ports of the ephemeral range, and a client connection
 * elsewhere on the machine may take one before the edge binds it — the edge is started again on new ports (a
 * directory the caller gave is reused as it is).
 */
export async function startMarketEdge(options: StartMarketEdgeOptions = {}): Promise<MarketEdge> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMarketEdgeOnce(options);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('EADDRINUSE')) throw err;
    }
  }
}

async function startMarketEdgeOnce(options: StartMarketEdgeOptions): Promise<MarketEdge> {
  const cbdir = options.cbdir ?? mkdtempSync(join(tmpdir(), 'xbr-edge-market-'));
  const config = JSON.parse(readFileSync(join(ROOT, 'router-config.json'), 'utf8')) as EdgeConfig;
  const [wsPort, rawPort, chainPort] = [await freePort(), await freePort(), await freePort()];
  const devchain = guestOf(config, 'devchain');
  const router = config.workers.find((w) => w['type'] === 'router');
  const xbrmm = config.workers.find((w) => w['type'] === 'xbrmm');
  if (devchain === undefined || router === undefined || xbrmm === undefined) throw new Error('router-config.json: expected a devchain guest, a router and an xbrmm worker');
  for (const t of router['transports'] as { endpoint: { type: string; port?: number } }[]) {
    if (t.endpoint.type !== 'tcp') continue;
    t.endpoint.port = t.endpoint.port === 8081 ? rawPort : wsPort;
  }
  // `npm start` builds dist/ before it starts the controller: its guests run compiled too, as shipped.
  const fromDist = options.entry === 'dist' || options.launch === 'npm';
  const root = options.root ?? ROOT;
  if (!fromDist) guestFromSources(devchain);
  devchain['options'].workdir = root;
  devchain['options'].ready.port = chainPort;
  const args = devchain['arguments'] as string[];
  args[args.indexOf('--port') + 1] = String(chainPort);
  args[args.indexOf('--out') + 1] = join(cbdir, '.xbr-edge/devchain.json');
  args[args.indexOf('--maker-key') + 1] = join(cbdir, '.xbr-edge/maker1.key');
  // the chain's journal: in the node directory (a restart on the same cbdir replays it), never in the project
  if (args.includes('--state')) args[args.indexOf('--state') + 1] = join(cbdir, '.xbr-edge/devchain-state');
  xbrmm['options'].extra.blockchain.gateway.http = `http://127.0.0.1:${chainPort}`;
  (config['controller'] as { options: { http: { endpoint: { port: number } } } }).options.http.endpoint.port = await freePort();
  const placedIpfsUrl = await placeIpfsGuest(config, cbdir, { root, from: fromDist ? 'dist' : 'sources' });
  options.configure?.(config);
  const httpEndpoint = (config['controller'] as { options?: { http?: { endpoint?: { type: string; port?: number } } } } | undefined)?.options?.http?.endpoint;
  const httpUrl = httpEndpoint?.type === 'tcp' ? `http://127.0.0.1:${httpEndpoint.port}` : undefined;
  const ipfsUrl = config.workers.some((w) => w['type'] === 'guest' && w['id'] === 'ipfs') ? placedIpfsUrl : undefined;
  writeFileSync(join(cbdir, 'router-config.json'), JSON.stringify(config, null, 2));

  const flags = ['--cbdir', cbdir, ...(options.controllerArgs ?? [])];
  const [command, commandArgs] =
    options.launch === 'npm'
      ? ['npm', ['start', '--silent', '--', ...flags]]
      : fromDist
        ? [process.execPath, [join(root, 'dist/router/controller/cli.js'), ...flags]]
        : [process.execPath, ['--import', 'tsx', join(ROOT, 'router/controller/cli.ts'), ...flags]];
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (fromDist) delete env['NODE_OPTIONS'];
  const child = spawn(command, commandArgs, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    detached: options.detached === true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const clients: Wampy[] = [];
  let providerInstance: JsonRpcProvider | undefined;
  const wsUrl = `ws://127.0.0.1:${wsPort}/`;
  const chainUrl = `http://127.0.0.1:${chainPort}`;

  const welcomes = new WeakMap<Wampy, Welcome>();
  const open = async (url: string, ws: typeof WebSocket, o: ConnectOptions): Promise<Wampy> => {
    const serializer = o.serializer === 'cbor' ? new CborSerializer() : new MsgpackSerializer();
    const w = new Wampy(url, { ws: ws as never, realm: 'realm1', autoReconnect: false, serializer, ...o.wampy });
    welcomes.set(w, (await w.connect()) as unknown as Welcome);
    clients.push(w);
    return w;
  };
  const connect = (o: ConnectOptions = {}): Promise<Wampy> => open(wsUrl, WebSocket, o);
  const welcome = (client: Wampy): Welcome => {
    const w = welcomes.get(client);
    if (w === undefined) throw new Error('not a client of this edge');
    return w;
  };
  const connectUnixSocket = (path: string, o: ConnectOptions = {}): Promise<Wampy> => {
    const socket = join(cbdir, path);
    class UnixWebSocket extends WebSocket {
      constructor(_url: string, protocols?: string | string[]) {
        super(`ws+unix://${socket}:/`, protocols);
      }
    }
    return open('ws://localhost/', UnixWebSocket as unknown as typeof WebSocket, o);
  };
  const connectOperator = (o: ConnectOptions = {}): Promise<Wampy> => connectUnixSocket('.xbr-edge/operator.sock', o);
  const callWhenRegistered = async (client: Wampy, uri: string, callArgs: unknown[] = [], timeoutMs = 60_000): Promise<unknown> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return (await client.call(uri, callArgs)).argsList?.[0];
      } catch (err) {
        const e = err as { errorUri?: string };
        if (e.errorUri !== 'wamp.error.no_such_procedure' || Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
  };
  const stop = async (): Promise<number | null> => {
    for (const c of clients) {
      try {
        await c.disconnect();
      } catch {
        // already gone with the router; nothing to release
      }
    }
    providerInstance?.destroy();
    let code: number | null = null;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      try {
        code = (await waitExit(child, 45_000)).code;
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      }
    } else {
      code = child.exitCode;
    }
    if (options.keepCbdir !== true) rmSync(cbdir, { recursive: true, force: true });
    return code;
  };

  options.whileStarting?.(wsUrl);
  // A controller that gives up (exit 2) takes the router with it; a call in flight then never settles.
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`controller exited with ${code ?? signal}`)));
  });
  exited.catch(() => undefined);
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    let probe: Wampy | undefined;
    while (probe === undefined) {
      if (child.exitCode !== null) throw new Error(`controller exited with ${child.exitCode}:\n${output.slice(-4000)}`);
      try {
        probe = await connect();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
    // Procedures register one by one and the maker reports RUNNING once all are: wait for that.
    for (;;) {
      const st = (await Promise.race([callWhenRegistered(probe, 'xbr.marketmaker.status', [], Math.max(1000, deadline - Date.now())), exited])) as { status?: string };
      if (st.status === 'RUNNING') break;
      if (Date.now() > deadline) throw new Error(`maker status ${String(st.status)}, not RUNNING`);
      await sleep(100);
    }
  } catch (err) {
    await stop().catch(() => undefined);
    // A directory we made and the caller cannot know of yet: kept only when the caller gave it.
    if (options.cbdir === undefined) rmSync(cbdir, { recursive: true, force: true });
    throw new Error(`market edge did not start: ${err instanceof Error ? err.message : String(err)}\n${output.slice(-4000)}`, { cause: err });
  }

  const devchainFile = JSON.parse(readFileSync(join(cbdir, '.xbr-edge/devchain.json'), 'utf8')) as DevchainFile;
  const makerAddress = new Wallet('0x' + readFileSync(join(cbdir, '.xbr-edge/maker1.key')).toString('hex')).address;
  const provider = (): JsonRpcProvider => {
    providerInstance ??= new JsonRpcProvider(chainUrl, devchainFile.chainId, { staticNetwork: true, cacheTimeout: -1 });
    return providerInstance;
  };
  return {
    cbdir,
    spawned: child,
    wsUrl,
    httpUrl,
    chainUrl,
    ipfsUrl,
    devchain: devchainFile,
    makerAddress,
    output: () => output,
    connect,
    welcome,
    connectOperator,
    connectUnixSocket,
    callWhenRegistered,
    provider,
    account: (index) => new Wallet('0x' + Buffer.from(devchainAccountKey(index)).toString('hex'), provider()),
    stop,
  };
}

/** One structured (JSON) log line of the node: the controller's or a worker's (`schema/log.ts`). */
export type LogLine = Record<string, unknown> & { msg?: string };

/** The JSON log lines of the node so far, in order; other output (and a half-written last line) is skipped. */
export function logLines(edge: Pick<MarketEdge, 'output'>): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of edge.output().split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      const v = JSON.parse(text) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) lines.push(v as LogLine);
    } catch {
      // not a complete JSON line (yet)
    }
  }
  return lines;
}

/**
 * The pid of worker `id` as the controller last reported it ready (`worker ready {worker, pid}`);
 * undefined before the first ready. After a restart it is the new process's pid.
 */
export function workerPid(edge: Pick<MarketEdge, 'output'>, id: string): number | undefined {
  let pid: number | undefined;
  for (const l of logLines(edge)) {
    if (l['component'] === 'controller' && l.msg === 'worker ready' && l['worker'] === id && typeof l['pid'] === 'number') pid = l['pid'];
  }
  return pid;
}

/**
 * Waits until a log line satisfies `match` and returns it with its index in `logLines(edge)`; lines before
 * index `after` are not considered (e.g. `after: logLines(edge).length` = only lines written from now on).
 * Throws with the output's tail after `timeoutMs`.
 */
export async function waitForLog(
  edge: Pick<MarketEdge, 'output'>,
  match: (line: LogLine) => boolean,
  options: { timeoutMs: number; after?: number; what?: string },
): Promise<{ line: LogLine; index: number }> {
  const deadline = Date.now() + options.timeoutMs;
  const after = options.after ?? 0;
  for (;;) {
    const lines = logLines(edge);
    for (let i = after; i < lines.length; i++) if (match(lines[i]!)) return { line: lines[i]!, index: i };
    if (Date.now() > deadline) throw new Error(`no ${options.what ?? 'matching log line'} within ${options.timeoutMs} ms:\n${edge.output().slice(-3000)}`);
    await sleep(100);
  }
}
