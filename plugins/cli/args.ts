/**
 * Command lines of `xbr-edge seller`, `xbr-edge buyer` and the demo: strict flags (an unknown flag or a
 * bad value is a {@link UsageError}, exit 2), defaults that make each command work against `npm start`
 * with the demo accounts of the devchain file.
 */
import { parseArgs } from 'node:util';
import { parseXbr } from './amounts.js';
import { UsageError } from './errors.js';

const DEFAULT_URL = 'ws://127.0.0.1:8080/';
const DEFAULT_REALM = 'realm1';
const DEFAULT_DEVCHAIN = '.xbr-edge/devchain.json';
const DEFAULT_TOPIC = 'xbr.demo.data';

export type LogLevelFlag = 'debug' | 'info' | 'warn' | 'error';

/** Flags every command shares: where the edge is and who logs in. */
export interface ConnectionArgs {
  url: string;
  realm: string;
  devchain: string;
  /** Member (actor) key: hex or a file; default the demo account from the devchain file. */
  memberKey: string | undefined;
  /** Delegate key: hex or a file; default the demo delegate. */
  delegateKey: string | undefined;
  /** Ed25519 login seed: hex or a file; default a fresh key per run. */
  loginKey: string | undefined;
  /** API id (`0x` + 32 hex); default the demo API. */
  api: string | undefined;
  topic: string;
  logLevel: LogLevelFlag;
}

export interface SellerArgs extends ConnectionArgs {
  price: bigint;
  /** Key rotation interval (s). */
  interval: number;
  /** Rotate after this many events too. */
  perKey: number | undefined;
  /** Events to publish, then stop; undefined: until Ctrl-C. */
  count: number | undefined;
  /** Events per second. */
  rate: number;
  /** Deposit of the paying channel when one must be opened. */
  payingAmount: bigint;
  /** Key archive + paying-channel state directory; default in memory. */
  dataDir: string | undefined;
  /** Close the paying channel cooperatively when stopping (the member is paid its earnings). */
  close: boolean;
  /** Only show the delegate's paying channels and earnings, then exit (`--status`). */
  status: boolean;
  /** Only ask the market maker to close the active paying channel (the running seller co-signs), then exit. */
  requestClose: boolean;
  /** `--status` as JSON. */
  json: boolean;
}

export interface BuyerArgs extends ConnectionArgs {
  amount: bigint;
  maxPrice: bigint | undefined;
  /** Stop after this many decrypted events; undefined: until Ctrl-C. */
  count: number | undefined;
  close: boolean;
}

export interface DemoArgs {
  url: string;
  realm: string;
  devchain: string;
  topic: string;
  count: number;
  rate: number;
  price: bigint;
  amount: bigint;
  /** Keep the buyer's payment channel open at the end (default: close it cooperatively). */
  keepOpen: boolean;
  logLevel: LogLevelFlag;
}

type Spec = Record<string, { type: 'string' | 'boolean' }>;

const CONNECTION: Spec = {
  url: { type: 'string' },
  realm: { type: 'string' },
  devchain: { type: 'string' },
  'member-key': { type: 'string' },
  'delegate-key': { type: 'string' },
  'login-key': { type: 'string' },
  api: { type: 'string' },
  topic: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean' },
};

/** `{help: true}` when `--help` was given. */
export type Parsed<T> = { help: true } | ({ help: false } & T);

function parse(argv: readonly string[], spec: Spec): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    // node's messages name the flag ("Unknown option '--x'", "Option '--url <value>' argument missing").
    throw new UsageError((err as Error).message);
  }
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new UsageError(`--${flag}: expected a whole number ≥ 1, got ${JSON.stringify(v)}`);
  return Number(v);
}

function positiveNumber(flag: string, v: string): number {
  const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!(n > 0)) throw new UsageError(`--${flag}: expected a number > 0, got ${JSON.stringify(v)}`);
  return n;
}

/** `2`, `2/s`, `30/min`, `0.5/s` → events per second. */
export function parseRate(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|sec|m|min))?$/.exec(v);
  const n = m === null ? NaN : Number(m[1]) / (m[2] === 'm' || m[2] === 'min' ? 60 : 1);
  if (!(n > 0) || n > 1000) throw new UsageError(`--rate: expected events per second or minute like 1/s, 5/s or 30/min (at most 1000/s), got ${JSON.stringify(v)}`);
  return n;
}

function url(v: string | undefined): string {
  const u = v ?? DEFAULT_URL;
  if (!/^wss?:\/\/[^\s]+$/.test(u)) throw new UsageError(`--url: expected a WebSocket URL like ${DEFAULT_URL}, got ${JSON.stringify(u)}`);
  return u;
}

function topic(v: string | undefined): string {
  const t = v ?? DEFAULT_TOPIC;
  if (!/^([\da-z_]+\.)*[\da-z_]+$/.test(t)) throw new UsageError(`--topic: expected a WAMP URI (lower case, digits, _, dots), got ${JSON.stringify(t)}`);
  return t;
}

function logLevel(v: string | undefined): LogLevelFlag {
  const l = v ?? 'error';
  if (l !== 'debug' && l !== 'info' && l !== 'warn' && l !== 'error') throw new UsageError(`--log-level: expected debug, info, warn or error, got ${JSON.stringify(l)}`);
  return l;
}

function nonEmpty(flag: string, v: string | undefined, dflt: string): string {
  const s = v ?? dflt;
  if (s.trim() === '') throw new UsageError(`--${flag}: must not be empty`);
  return s;
}

function connection(v: Record<string, string | boolean | undefined>): ConnectionArgs {
  const s = (k: string): string | undefined => v[k] as string | undefined;
  const api = s('api');
  if (api !== undefined && !/^0x[0-9a-fA-F]{32}$/.test(api)) throw new UsageError(`--api: expected an API id as 0x + 32 hex digits, got ${JSON.stringify(api)}`);
  return {
    url: url(s('url')),
    realm: nonEmpty('realm', s('realm'), DEFAULT_REALM),
    devchain: nonEmpty('devchain', s('devchain'), DEFAULT_DEVCHAIN),
    memberKey: s('member-key'),
    delegateKey: s('delegate-key'),
    loginKey: s('login-key'),
    api,
    topic: topic(s('topic')),
    logLevel: logLevel(s('log-level')),
  };
}

/** @throws UsageError */
export function parseSellerArgs(argv: readonly string[]): Parsed<SellerArgs> {
  const v = parse(argv, { ...CONNECTION, price: { type: 'string' }, interval: { type: 'string' }, 'per-key': { type: 'string' }, count: { type: 'string' }, rate: { type: 'string' }, 'paying-amount': { type: 'string' }, 'data-dir': { type: 'string' }, close: { type: 'boolean' }, status: { type: 'boolean' }, 'request-close': { type: 'boolean' }, json: { type: 'boolean' } });
  if (v['help'] === true) return { help: true };
  const s = (k: string): string | undefined => v[k] as string | undefined;
  const payingAmount = parseXbr('--paying-amount', s('paying-amount') ?? '100');
  if (payingAmount === 0n) throw new UsageError('--paying-amount: must be more than 0');
  if (v['status'] === true && v['request-close'] === true) throw new UsageError('--status and --request-close: give one of them');
  if (v['json'] === true && v['status'] !== true) throw new UsageError('--json: only with --status');
  return {
    help: false,
    ...connection(v),
    price: parseXbr('--price', s('price') ?? '0.001'),
    interval: positiveNumber('interval', s('interval') ?? '10'),
    perKey: positiveInt('per-key', s('per-key')),
    count: positiveInt('count', s('count')),
    rate: parseRate(s('rate') ?? '1/s'),
    payingAmount,
    dataDir: s('data-dir'),
    close: v['close'] === true,
    status: v['status'] === true,
    requestClose: v['request-close'] === true,
    json: v['json'] === true,
  };
}

/** @throws UsageError */
export function parseBuyerArgs(argv: readonly string[]): Parsed<BuyerArgs> {
  const v = parse(argv, { ...CONNECTION, amount: { type: 'string' }, 'max-price': { type: 'string' }, count: { type: 'string' }, close: { type: 'boolean' } });
  if (v['help'] === true) return { help: true };
  const s = (k: string): string | undefined => v[k] as string | undefined;
  const amount = parseXbr('--amount', s('amount') ?? '10');
  if (amount === 0n) throw new UsageError('--amount: must be more than 0');
  const maxPrice = s('max-price');
  return {
    help: false,
    ...connection(v),
    amount,
    maxPrice: maxPrice === undefined ? undefined : parseXbr('--max-price', maxPrice),
    count: positiveInt('count', s('count')),
    close: v['close'] === true,
  };
}

/** @throws UsageError */
export function parseDemoArgs(argv: readonly string[]): Parsed<DemoArgs> {
  const v = parse(argv, {
    url: { type: 'string' }, realm: { type: 'string' }, devchain: { type: 'string' }, topic: { type: 'string' }, count: { type: 'string' }, rate: { type: 'string' },
    price: { type: 'string' }, amount: { type: 'string' }, 'keep-open': { type: 'boolean' }, 'log-level': { type: 'string' }, help: { type: 'boolean' },
  });
  if (v['help'] === true) return { help: true };
  const s = (k: string): string | undefined => v[k] as string | undefined;
  const amount = parseXbr('--amount', s('amount') ?? '10');
  if (amount === 0n) throw new UsageError('--amount: must be more than 0');
  return {
    help: false,
    url: url(s('url')),
    realm: nonEmpty('realm', s('realm'), DEFAULT_REALM),
    devchain: nonEmpty('devchain', s('devchain'), DEFAULT_DEVCHAIN),
    topic: topic(s('topic')),
    count: positiveInt('count', s('count')) ?? 10,
    rate: parseRate(s('rate') ?? '5/s'),
    price: parseXbr('--price', s('price') ?? '0.001'),
    amount,
    keepOpen: v['keep-open'] === true,
    logLevel: logLevel(s('log-level')),
  };
}
