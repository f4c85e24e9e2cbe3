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
 *   schedules one file (or every pending one) now;
 * - `channels [--member 0x… | --delegate 0x… | --state S | --type T | --limit N | --cursor ID]`: the market's
 *   channels with their ledger balances (`xbr.marketmaker.admin.list_channels`);
 * - `transactions [--channel ID] [--limit N] [--cursor ID]`: purchases, newest first (`admin.list_transactions`);
 * - `rescan --from-block N`: the chain monitor reads the chain again from block N (`admin.rescan`);
 * - `audit [--limit N] [--no-chain]`: every purchase replayed and every channel compared with the chain
 *   (`admin.audit`).
 *
 * Tables show amounts in XBR; `--json` gives them exactly, in base units as decimal strings, ids as UUIDs and
 * addresses checksummed. A list prints its page; `next_cursor` (JSON) or the closing `more:` line gives the next.
 *
 * Exit codes: 0 done; 1 the node refused or failed; 2 bad command line; 3 no node there (no operator socket,
 * nothing listening, no maker in any realm); 4 the audit found mismatches.
 */
import { getAddress } from 'ethers';
import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import WebSocket from 'ws';
import { loadConfigFile, resolveNodePaths, validateNodeConfig, type NodeConfig, type RouterWorkerConfig } from '../../config/index.js';
import { MarketMakerAdminProcedure, MarketMakerCatalogProcedure, MarketMakerProcedure } from '../../schema/index.js';
import type { AdminChannelResult, AdminTransactionResult, AuditResult, MakerProcedureUri } from '../../schema/api/index.js';
import { formatUuid, nsToIso, toHex, unpackUint256 } from '../../schema/codec/index.js';
import { formatXbr } from './amounts.js';
import { callMaker, type CallFn } from '../common/index.js';
import { wampySession } from '../buyer/index.js';
import { CliError, ExitCode, UsageError, describeError, unreachable } from './errors.js';
import type { Output } from './output.js';
import { ADMIN_USAGE } from './usage.js';

const SUBCOMMANDS = ['status', 'markets', 'ipfs', 'channels', 'transactions', 'rescan', 'audit'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

interface AdminArgs {
  command: Subcommand;
  paths: string[];
  json: boolean;
  retry?: string | true;
  member?: Uint8Array;
  delegate?: Uint8Array;
  state?: number;
  type?: 1 | 2;
  limit?: number;
  cursor?: Uint8Array;
  channel?: Uint8Array;
  fromBlock?: number;
  chain: boolean;
}

const STATES: Record<string, number> = { open: 1, closing: 2, closed: 3 };
const STATE_NAMES = ['NONE', 'OPEN', 'CLOSING', 'CLOSED', 'FAILED'];
const TYPES: Record<string, 1 | 2> = { payment: 1, paying: 2 };
const TX_STATES = ['NONE', 'INFLIGHT', 'FAILED', 'SUCCESS'];

function addressFlag(flag: string, v: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{40}$/.test(v)) throw new UsageError(`${flag}: expected an address 0x + 40 hex digits, got ${JSON.stringify(v)}`);
  return new Uint8Array(Buffer.from(v.slice(2), 'hex'));
}

function idFlag(flag: string, v: string): Uint8Array {
  const h = v.replace(/^0x/, '').replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new UsageError(`${flag}: expected a UUID (or 0x + 32 hex digits), got ${JSON.stringify(v)}`);
  return new Uint8Array(Buffer.from(h, 'hex'));
}

function intFlag(flag: string, v: string, min: number, max: number): number {
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** Flags with a value, and the commands that take each. */
const VALUE_FLAGS: Record<string, { commands: readonly Subcommand[]; set(out: AdminArgs, v: string): void }> = {
  '--retry': { commands: ['ipfs'], set: (o, v) => (o.retry = v) },
  '--member': { commands: ['channels'], set: (o, v) => (o.member = addressFlag('--member', v)) },
  '--delegate': { commands: ['channels'], set: (o, v) => (o.delegate = addressFlag('--delegate', v)) },
  '--state': {
    commands: ['channels'],
    set: (o, v) => {
      const s = STATES[v.toLowerCase()];
      if (s === undefined) throw new UsageError(`--state: expected open, closing or closed, got ${JSON.stringify(v)}`);
      o.state = s;
    },
  },
  '--type': {
    commands: ['channels'],
    set: (o, v) => {
      const t = TYPES[v.toLowerCase()];
      if (t === undefined) throw new UsageError(`--type: expected payment or paying, got ${JSON.stringify(v)}`);
      o.type = t;
    },
  },
  '--limit': { commands: ['channels', 'transactions', 'audit'], set: (o, v) => (o.limit = intFlag('--limit', v, 1, 1000)) },
  '--cursor': { commands: ['channels', 'transactions'], set: (o, v) => (o.cursor = idFlag('--cursor', v)) },
  '--channel': { commands: ['transactions'], set: (o, v) => (o.channel = idFlag('--channel', v)) },
  '--from-block': { commands: ['rescan'], set: (o, v) => (o.fromBlock = intFlag('--from-block', v, 0, Number.MAX_SAFE_INTEGER)) },
};

function parseAdminArgs(argv: readonly string[]): AdminArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('missing admin command');
  if (!(SUBCOMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown admin command ${JSON.stringify(command)}`);
  const cmd = command as Subcommand;
  const out: AdminArgs = { command: cmd, paths: [], json: false, chain: true };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const flag = VALUE_FLAGS[name];
    if (a === '--json') out.json = true;
    else if (a === '--retry-all' && cmd === 'ipfs') out.retry = true;
    else if (a === '--no-chain' && cmd === 'audit') out.chain = false;
    else if (flag?.commands.includes(cmd)) {
      const v = eq > 0 ? a.slice(eq + 1) : rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
      flag.set(out, v);
    } else if (a === '--cbdir' || a === '--config') {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      out.paths.push(a, v);
    } else if (/^--(cbdir|config)=/.test(a)) out.paths.push(a);
    else throw new UsageError(`unknown argument ${JSON.stringify(a)} of admin ${cmd}`);
  }
  if (cmd === 'rescan' && out.fromBlock === undefined) throw new UsageError('admin rescan needs --from-block N');
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

// ---------------------------------------------------------------- the ledger commands (operator procedures)

const uuidOrNull = (b: Uint8Array | null): string | null => (b === null ? null : formatUuid(b));
const adr = (b: Uint8Array): string => getAddress(`0x${toHex(b)}`);
const units = (b: Uint8Array): string => unpackUint256(b).toString();
const unitsOrNull = (b: Uint8Array | null): string | null => (b === null ? null : units(b));
const blockOrNull = (b: Uint8Array | null): number | null => (b === null ? null : Number(unpackUint256(b)));
const xbr = (b: Uint8Array): string => formatXbr(unpackUint256(b)).replace(/ XBR$/, '');
const hexOrNull = (b: Uint8Array | null): string | null => (b === null ? null : `0x${toHex(b)}`);

/** A channel as `--json` gives it: exact amounts (base units, decimal strings), names for type and state. */
function channelJson(c: AdminChannelResult): Row {
  return {
    channel_oid: formatUuid(c.channel_oid),
    channel_type: c.channel_type === 1 ? 'payment' : 'paying',
    state: STATE_NAMES[c.state] ?? String(c.state),
    actor: adr(c.actor),
    delegate: adr(c.delegate),
    recipient: adr(c.recipient),
    amount: units(c.amount),
    remaining: units(c.remaining),
    inflight: units(c.inflight),
    spent: units(c.spent),
    seq: c.seq,
    timestamp: c.timestamp.toString(),
    open_at: Number(unpackUint256(c.open_at)),
    open_tx: hexOrNull(c.open_tx),
    timeout: c.timeout,
    closing_at: blockOrNull(c.closing_at),
    close_channel_seq: c.close_channel_seq,
    close_balance: unitsOrNull(c.close_balance),
    close_is_final: c.close_is_final,
    close_tx: hexOrNull(c.close_tx),
    closed_at: blockOrNull(c.closed_at),
    closed_tx: hexOrNull(c.closed_tx),
  };
}

function channelRow(c: AdminChannelResult): Row {
  return {
    channel: formatUuid(c.channel_oid),
    type: c.channel_type === 1 ? 'payment' : 'paying',
    state: STATE_NAMES[c.state] ?? c.state,
    actor: adr(c.actor),
    delegate: adr(c.delegate),
    amount: xbr(c.amount),
    remaining: xbr(c.remaining),
    inflight: xbr(c.inflight),
    spent: xbr(c.spent),
    seq: c.seq,
    opened: Number(unpackUint256(c.open_at)),
    closing: blockOrNull(c.closing_at),
    closed: blockOrNull(c.closed_at),
  };
}

function transactionJson(t: AdminTransactionResult): Row {
  return {
    tid: formatUuid(t.tid),
    created: t.created.toString(),
    completed: t.completed === null ? null : t.completed.toString(),
    state: TX_STATES[t.state] ?? String(t.state),
    error: t.error,
    offer: formatUuid(t.offer),
    key: formatUuid(t.key),
    amount: units(t.amount),
    amount_offered: units(t.amount_offered),
    payment_channel: formatUuid(t.payment_channel),
    payment_seq: t.payment_seq,
    payment_remaining: units(t.payment_remaining),
    paying_channel: uuidOrNull(t.paying_channel),
    paying_seq: t.paying_seq,
    paying_remaining: unitsOrNull(t.paying_remaining),
    close_at: t.close_at === null ? null : Number(t.close_at),
    buyer_pubkey: `0x${toHex(t.buyer_pubkey)}`,
    payment_del_sig: hexOrNull(t.payment_del_sig),
    paying_del_sig: hexOrNull(t.paying_del_sig),
    payment_mm_sig: hexOrNull(t.payment_mm_sig),
    paying_mm_sig: hexOrNull(t.paying_mm_sig),
  };
}

function transactionRow(t: AdminTransactionResult): Row {
  return {
    tid: formatUuid(t.tid),
    created: nsToIso(t.created),
    state: TX_STATES[t.state] ?? t.state,
    price: xbr(t.amount),
    payment_channel: formatUuid(t.payment_channel),
    seq: t.payment_seq,
    remaining: xbr(t.payment_remaining),
    paying_channel: uuidOrNull(t.paying_channel),
    paying_seq: t.paying_seq,
    error: t.error,
  };
}

function auditJson(r: AuditResult): Row {
  return {
    ...r,
    mismatches: r.mismatches.map((m) => ({ ...m, channel_oid: uuidOrNull(m.channel_oid), tid: uuidOrNull(m.tid) })),
  };
}

/** What one realm's maker answered: the JSON of it, its text, and whether it found something wrong. */
interface RealmAnswer {
  json: Row;
  text: string;
  mismatch?: boolean;
}

const more = (cursor: Uint8Array | null): string => (cursor === null ? '' : `\nmore: --cursor ${formatUuid(cursor)}`);

async function channelsOf(call: CallFn, realm: string, a: AdminArgs): Promise<RealmAnswer> {
  const page = await callMaker(call, MarketMakerAdminProcedure.listChannels, [], {
    ...(a.type === undefined ? {} : { channel_type: a.type }),
    ...(a.member === undefined ? {} : { member: a.member }),
    ...(a.delegate === undefined ? {} : { delegate: a.delegate }),
    ...(a.state === undefined ? {} : { state: a.state }),
    ...(a.limit === undefined ? {} : { limit: a.limit }),
    ...(a.cursor === undefined ? {} : { cursor: a.cursor }),
  });
  return {
    json: { realm, channels: page.channels.map(channelJson), next_cursor: uuidOrNull(page.next_cursor) },
    text: (page.channels.length === 0 ? `no channel in realm ${realm}` : table(page.channels.map(channelRow))) + more(page.next_cursor),
  };
}

async function transactionsOf(call: CallFn, realm: string, a: AdminArgs): Promise<RealmAnswer> {
  const page = await callMaker(call, MarketMakerAdminProcedure.listTransactions, [], {
    ...(a.channel === undefined ? {} : { channel_oid: a.channel }),
    ...(a.limit === undefined ? {} : { limit: a.limit }),
    ...(a.cursor === undefined ? {} : { cursor: a.cursor }),
  });
  return {
    json: { realm, transactions: page.transactions.map(transactionJson), next_cursor: uuidOrNull(page.next_cursor) },
    text: (page.transactions.length === 0 ? `no purchase in realm ${realm}` : table(page.transactions.map(transactionRow))) + more(page.next_cursor),
  };
}

async function rescanOf(call: CallFn, realm: string, a: AdminArgs): Promise<RealmAnswer> {
  const r = await callMaker(call, MarketMakerAdminProcedure.rescan, [], { from_block: a.fromBlock! });
  const row = { realm, ...r };
  return { json: row, text: table([row]) };
}

async function auditOf(call: CallFn, realm: string, a: AdminArgs): Promise<RealmAnswer> {
  const r = await callMaker(call, MarketMakerAdminProcedure.audit, [], { ...(a.limit === undefined ? {} : { limit: a.limit }), chain: a.chain });
  const summary = table([{
    realm,
    result: r.ok ? 'OK' : 'MISMATCH',
    channels: r.channels,
    transactions: r.transactions,
    signatures: r.signatures_checked,
    chain_checked: r.chain_block === null ? 'no' : `${r.chain_checked} at block ${r.chain_block}`,
    mismatches: r.mismatches_total,
    ms: r.duration_ms,
  }]);
  const lines = r.mismatches.map((m) => `  ${m.kind} ${m.field}: ${m.message}`);
  if (r.truncated) lines.push(`  … and ${r.mismatches_total - r.mismatches.length} more (--limit up to 1000, or --json)`);
  return { json: { realm, ...auditJson(r) }, text: [summary, ...lines].join('\n'), mismatch: !r.ok };
}

/** What each command asks of one realm's maker. */
const PROCEDURE: Record<Subcommand, MakerProcedureUri> = {
  status: MarketMakerProcedure.status,
  markets: MarketMakerProcedure.getConfig,
  ipfs: MarketMakerCatalogProcedure.getIpfsStatus,
  channels: MarketMakerAdminProcedure.listChannels,
  transactions: MarketMakerAdminProcedure.listTransactions,
  rescan: MarketMakerAdminProcedure.rescan,
  audit: MarketMakerAdminProcedure.audit,
};

async function answerOf(call: CallFn, realm: string, args: AdminArgs): Promise<RealmAnswer> {
  switch (args.command) {
    case 'status':
    case 'markets':
    case 'ipfs': {
      const row = args.command === 'status' ? await statusOf(call, realm) : args.command === 'markets' ? await marketOf(call, realm) : await ipfsOf(call, realm, args.retry);
      return { json: row, text: table([row]) };
    }
    case 'channels':
      return channelsOf(call, realm, args);
    case 'transactions':
      return transactionsOf(call, realm, args);
    case 'rescan':
      return rescanOf(call, realm, args);
    case 'audit':
      return auditOf(call, realm, args);
  }
}

/** Rows of the one-row commands are printed as one table over every realm. */
const ONE_ROW: readonly Subcommand[] = ['status', 'markets', 'ipfs', 'rescan'];

export async function adminCommand(argv: readonly string[], output: Output): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    output.out(ADMIN_USAGE);
    return ExitCode.ok;
  }
  const args = parseAdminArgs(argv);
  const { config } = loadNode(args.paths);
  const { socket, realms } = operatorEndpoint(config);
  const answers: RealmAnswer[] = [];
  for (const realm of realms) {
    const client = await connect(socket, realm);
    try {
      const session = wampySession(client);
      const call: CallFn = session.call.bind(session);
      try {
        answers.push(await answerOf(call, realm, args));
      } catch (err) {
        if (noMaker(err)) continue;
        throw new CliError(`${PROCEDURE[args.command]} in realm ${realm}: ${describeError(err)}`, ExitCode.failed, { cause: err });
      }
    } finally {
      // The command's answer is in hand; a session that does not close cleanly changes nothing.
      await client.disconnect().catch(() => undefined);
    }
  }
  if (answers.length === 0) throw unreachable(`no market maker answers in ${realms.length === 1 ? `realm ${realms[0]}` : `realms ${realms.join(', ')}`}`);
  if (args.json) output.out(JSON.stringify(answers.map((a) => a.json), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
  else if (ONE_ROW.includes(args.command)) output.out(table(answers.map((a) => a.json)));
  else output.out(answers.map((a) => (answers.length === 1 ? a.text : `# realm ${String(a.json['realm'])}\n${a.text}`)).join('\n\n'));
  if (answers.some((a) => a.mismatch === true)) {
    output.err(`error: the audit found mismatches (exit ${ExitCode.mismatch})`);
    return ExitCode.mismatch;
  }
  return ExitCode.ok;
}
