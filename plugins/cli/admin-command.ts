/**
 * `xbr-edge admin <command> [--cbdir DIR] [--config FILE] [--json]`: an operator's look at a running node,
 * over WAMP with the `operator` role. Like the node commands, it finds the node from its directory and its
 * config — the first WebSocket transport on a Unix socket whose anonymous role is `operator` (the shipped
 * `.xbr-edge/operator.sock`) — so there is no URL to type, and only a local user who can open the socket
 * gets in.
 *
 * Commands (each realm of the config in which a market maker answers):
 * - `status`: the maker's status, the chain block it sees, the sessions in the realm;
 * - `markets`: the market each maker serves: market id, maker and owner addresses, coin, contracts;
 * - `ipfs [--retry HASH | --retry-all]`: the catalog and API downloads by state and the next retries; `--retry`
 *   schedules one file (or every pending one) now.
 *
 * Exit codes: 0 done; 1 the node refused or failed; 2 bad command line; 3 no node there (no operator socket,
 * nothing listening, no maker in any realm).
 */
import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import WebSocket from 'ws';
import { loadConfigFile, resolveNodePaths, validateNodeConfig, type NodeConfig, type RouterWorkerConfig } from '../../config/index.js';
import { MarketMakerCatalogProcedure, MarketMakerProcedure } from '../../schema/index.js';
import type { MakerProcedureUri } from '../../schema/api/index.js';
import { callMaker, type CallFn } from '../common/index.js';
import { wampySession } from '../buyer/index.js';
import { CliError, ExitCode, UsageError, describeError, unreachable } from './errors.js';
import type { Output } from './output.js';

const SUBCOMMANDS = ['status', 'markets', 'ipfs'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

interface AdminArgs {
  command: Subcommand;
  paths: string[];
  json: boolean;
  retry?: string | true;
}

function parseAdminArgs(argv: readonly string[]): AdminArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('missing admin command');
  if (!(SUBCOMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown admin command ${JSON.stringify(command)}`);
  const out: AdminArgs = { command: command as Subcommand, paths: [], json: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--json') out.json = true;
    else if (a === '--retry-all' && command === 'ipfs') out.retry = true;
    else if (a === '--retry' && command === 'ipfs') {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError('--retry needs an IPFS hash');
      out.retry = v;
    } else if (a === '--cbdir' || a === '--config') {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      out.paths.push(a, v);
    } else if (/^--(cbdir|config)=/.test(a)) out.paths.push(a);
    else throw new UsageError(`unknown argument ${JSON.stringify(a)} of admin ${command}`);
  }
  return out;
}

function loadNode(paths: readonly string[]): { cbdir: string; config: NodeConfig } {
  const p = resolveNodePaths(paths);
  if (p.kind !== 'run') throw new UsageError(p.kind === 'error' ? p.message : 'use --cbdir DIR and --config FILE');
  const loaded = loadConfigFile(p.config);
  if ('errors' in loaded) throw unreachable(loaded.errors.map((e) => e.message).join('; '));
  const v = validateNodeConfig(loaded.raw, { cbdir: p.cbdir });
  if ('errors' in v) throw new CliError(`${p.config} is not a valid config: ${v.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return { cbdir: p.cbdir, config: v.config };
}

/** The operator socket of the node and the realms its router serves. */
function operatorEndpoint(config: NodeConfig): { socket: string; realms: string[] } {
  for (const w of config.workers) {
    if (w.type !== 'router') continue;
    const router = w as RouterWorkerConfig;
    for (const t of router.transports) {
      if (t.type !== 'websocket' || t.endpoint.type !== 'unix') continue;
      const anonymous = t.auth.anonymous;
      if (anonymous?.type === 'static' && anonymous.role === 'operator') {
        return { socket: t.endpoint.path, realms: router.realms.map((r) => r.name) };
      }
    }
  }
  throw unreachable('the config has no operator transport: a websocket transport on a unix socket whose anonymous role is "operator"');
}

async function connect(socket: string, realm: string): Promise<Wampy> {
  class UnixWebSocket extends WebSocket {
    constructor(_url: string, protocols?: string | string[]) {
      super(`ws+unix://${socket}:/`, protocols);
    }
  }
  const w = new Wampy('ws://localhost/', { ws: UnixWebSocket as never, realm, autoReconnect: false, serializer: new CborSerializer() });
  try {
    await w.connect();
  } catch (err) {
    throw unreachable(`no node answers on ${socket} (realm ${realm}): ${describeError(err)}`, err);
  }
  return w;
}

/** Whether `err` says no maker serves the realm (its procedures are not registered). */
const noMaker = (err: unknown): boolean => describeError(err).startsWith('wamp.error.no_such_procedure');

type Row = Record<string, unknown>;

async function statusOf(call: CallFn, realm: string): Promise<Row> {
  const s = await callMaker(call, MarketMakerProcedure.status, []);
  const sessions = await call('wamp.session.count');
  return { realm, maker: s.status, block: s.current_block_no, sessions, accounts: Object.keys(s.accounts).join(' ') };
}

async function marketOf(call: CallFn, realm: string): Promise<Row> {
  const c = await callMaker(call, MarketMakerProcedure.getConfig, []);
  return { realm, market: c.market, marketmaker: c.marketmaker, owner: c.owner, coin: c.coin, chain: c.verifying_chain_id, network: c.contracts.xbrnetwork };
}

async function ipfsOf(call: CallFn, realm: string, retry: string | true | undefined): Promise<Row> {
  const scheduled = retry === undefined ? undefined : await callMaker(call, MarketMakerCatalogProcedure.retryIpfsDownload, retry === true ? [] : [retry]);
  const s = await callMaker(call, MarketMakerCatalogProcedure.getIpfsStatus, []);
  return {
    realm,
    ...s.counts,
    active: s.active,
    waiting: s.waiting,
    ...(scheduled === undefined ? {} : { scheduled_now: scheduled }),
    next_retries: s.next_retries.map((r) => `${r.file_hash} (retries ${r.retries}${r.last_error === null ? '' : `, ${r.last_error}`})`).join('; ') || '-',
  };
}

function table(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = (v: unknown): string => (v === undefined || v === null ? '-' : typeof v === 'bigint' ? v.toString() : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => text(r[c]))))].join('\n');
}

/** What each command asks of one realm's maker. */
const PROCEDURE: Record<Subcommand, MakerProcedureUri> = { status: MarketMakerProcedure.status, markets: MarketMakerProcedure.getConfig, ipfs: MarketMakerCatalogProcedure.getIpfsStatus };

export async function adminCommand(argv: readonly string[], output: Output): Promise<number> {
  const args = parseAdminArgs(argv);
  const { config } = loadNode(args.paths);
  const { socket, realms } = operatorEndpoint(config);
  const rows: Row[] = [];
  for (const realm of realms) {
    const client = await connect(socket, realm);
    try {
      const session = wampySession(client);
      const call: CallFn = session.call.bind(session);
      try {
        rows.push(args.command === 'status' ? await statusOf(call, realm) : args.command === 'markets' ? await marketOf(call, realm) : await ipfsOf(call, realm, args.retry));
      } catch (err) {
        if (noMaker(err)) continue;
        throw new CliError(`${PROCEDURE[args.command]} in realm ${realm}: ${describeError(err)}`, ExitCode.failed, { cause: err });
      }
    } finally {
      // The command's answer is in hand; a session that does not close cleanly changes nothing.
      await client.disconnect().catch(() => undefined);
    }
  }
  if (rows.length === 0) throw unreachable(`no market maker answers in ${realms.length === 1 ? `realm ${realms[0]}` : `realms ${realms.join(', ')}`}`);
  output.out(args.json ? JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) : table(rows));
  return ExitCode.ok;
}
