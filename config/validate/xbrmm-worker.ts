/**
 * An XBR market maker worker (docs/protocol.md#maker-config, docs/architecture.md#processes): options (`extra.{database, blockchain, ipfs}`,
 * title, env) and its makers `{id, key, database, connection{realm, transport}}`. The original's
 * inconsistencies are fixed: one `database` shape for worker and makers (Crossbar's `type: "cfxdb"`
 * accepted but optional), one maker per realm, key and database files not shared between makers.
 */
import type { DatabaseConfig, MakerConfig, MakerConnectionConfig, MakerSerializerName, MakerTransportConfig, XbrmmExtra, XbrmmWorkerConfig } from '../types.js';
import { idString, integer, nonEmptyString, oneOf, string, URI_LOOSE } from './checks.js';
import { isRec, REQUIRED, type Ctx, type Rec } from './context.js';
import { checkBlockchain } from './blockchain.js';
import { checkCommonOptions, COMMON_OPTION_KEYS } from './env.js';
import { checkIpfs } from './ipfs.js';
import { identityOf, MakerClaims } from './maker-claims.js';

/** Map size bounds of `openDbEnv` (schema/db/env.ts). */
const MIN_MAXSIZE = 128 * 2 ** 10;
const MAX_MAXSIZE = 128 * 2 ** 30;
const MAX_UNIX_PATH = process.platform === 'linux' ? 107 : 103;
const SERIALIZERS: readonly MakerSerializerName[] = ['cbor', 'msgpack'];
const realmName = string({ pattern: URI_LOOSE, what: 'a realm name (a WAMP URI)' });

export function checkXbrmmWorker(c: Ctx, w: Rec, path: string, id: string | undefined): XbrmmWorkerConfig | undefined {
  c.object(w, path, ['type', 'id', 'options', 'makers']);
  const optPath = `${path}.options`;
  const optRaw = c.required(w, 'options', path, 'an object with "extra"');
  const opt = optRaw === undefined ? undefined : c.object(optRaw, optPath, ['extra', ...COMMON_OPTION_KEYS]);
  let options: XbrmmWorkerConfig['options'] | undefined;
  if (opt !== undefined) {
    const extraRaw = c.required(opt, 'extra', optPath, 'an object {database, blockchain, ipfs?}');
    const extra = extraRaw === undefined ? undefined : checkExtra(c, extraRaw, `${optPath}.extra`);
    const common = checkCommonOptions(c, opt, optPath);
    if (extra !== undefined && common !== undefined) options = { ...common, extra };
  }
  const makersRaw = c.required(w, 'makers', path, 'an array of maker objects');
  const makers = makersRaw === undefined ? undefined : checkMakers(c, makersRaw, `${path}.makers`, options?.extra.database.path);
  if (id === undefined || options === undefined || makers === undefined) return undefined;
  return { type: 'xbrmm', id, options, makers };
}

function checkExtra(c: Ctx, v: unknown, path: string): XbrmmExtra | undefined {
  const e = c.object(v, path, ['database', 'blockchain', 'ipfs']);
  if (e === undefined) return undefined;
  const dbRaw = c.required(e, 'database', path, 'an object {path, maxsize?}');
  const database = dbRaw === undefined ? undefined : checkDatabase(c, dbRaw, `${path}.database`);
  const bcRaw = c.required(e, 'blockchain', path, 'an object {type: "ethereum", gateway, contracts | deployment, ...}');
  const blockchain = bcRaw === undefined ? undefined : checkBlockchain(c, bcRaw, `${path}.blockchain`);
  const ipfs = e['ipfs'] === undefined ? undefined : checkIpfs(c, e['ipfs'], `${path}.ipfs`);
  if (database === undefined || blockchain === undefined || (e['ipfs'] !== undefined && ipfs === undefined)) return undefined;
  return { database, blockchain, ...(ipfs === undefined ? {} : { ipfs }) };
}

export function checkDatabase(c: Ctx, v: unknown, path: string): DatabaseConfig | undefined {
  const d = c.object(v, path, ['type', 'path', 'maxsize']);
  if (d === undefined) return undefined;
  const type = c.field(d, 'type', path, oneOf(['cfxdb'] as const), 'cfxdb');
  const p = c.field(d, 'path', path, nonEmptyString, REQUIRED);
  const maxsize = c.field(d, 'maxsize', path, integer(MIN_MAXSIZE, MAX_MAXSIZE), undefined);
  if (type === undefined || p === undefined || (d['maxsize'] !== undefined && maxsize === undefined)) return undefined;
  return { path: c.resolvePath(p), ...(maxsize === undefined ? {} : { maxsize }) };
}

function checkMakers(c: Ctx, v: unknown, path: string, workerDb: string | undefined): MakerConfig[] | undefined {
  const arr = c.array(v, path, 'an array of maker objects');
  if (arr === undefined) return undefined;
  const out: MakerConfig[] = [];
  let ok = true;
  const claims = new MakerClaims(c, workerDb);
  arr.forEach((m, i) => {
    const mPath = `${path}[${i}]`;
    if (!isRec(m)) {
      c.mismatch(mPath, 'a maker object', m);
      ok = false;
      return;
    }
    const maker = checkMaker(c, m, mPath, i);
    if (maker === undefined) {
      ok = false;
      return;
    }
    if (!claims.claim(identityOf(maker), { id: `${mPath}.id`, realm: `${mPath}.connection.realm`, key: `${mPath}.key`, db: `${mPath}.database.path` })) ok = false;
    out.push(maker);
  });
  return ok ? out : undefined;
}

function checkMaker(c: Ctx, m: Rec, path: string, index: number): MakerConfig | undefined {
  c.object(m, path, ['id', 'key', 'database', 'connection']);
  const id = c.field(m, 'id', path, idString, `maker${index + 1}`);
  const key = c.field(m, 'key', path, nonEmptyString, REQUIRED);
  const dbRaw = c.required(m, 'database', path, 'an object {path, maxsize?}');
  const database = dbRaw === undefined ? undefined : checkDatabase(c, dbRaw, `${path}.database`);
  const connRaw = c.required(m, 'connection', path, 'an object {realm, transport}');
  const connection = connRaw === undefined ? undefined : checkConnection(c, connRaw, `${path}.connection`);
  if (id === undefined || key === undefined || database === undefined || connection === undefined) return undefined;
  return { id, key: c.resolvePath(key), database, connection };
}

function checkConnection(c: Ctx, v: unknown, path: string): MakerConnectionConfig | undefined {
  const o = c.object(v, path, ['realm', 'transport']);
  if (o === undefined) return undefined;
  const realm = c.field(o, 'realm', path, realmName, REQUIRED);
  const tRaw = c.required(o, 'transport', path, 'an object {type: "websocket", endpoint, url?, serializers?}');
  const transport = tRaw === undefined ? undefined : checkTransport(c, tRaw, `${path}.transport`);
  if (realm === undefined || transport === undefined) return undefined;
  return { realm, transport };
}

function checkTransport(c: Ctx, v: unknown, path: string): MakerTransportConfig | undefined {
  if (isRec(v) && typeof v['type'] === 'string' && v['type'] !== 'websocket') {
    c.fail(`${path}.type`, `unsupported transport type ${JSON.stringify(v['type'])}: a maker connects with WAMP over WebSocket ("websocket") only`);
    return undefined;
  }
  const t = c.object(v, path, ['type', 'endpoint', 'url', 'serializers']);
  if (t === undefined) return undefined;
  const type = c.field(t, 'type', path, oneOf(['websocket'] as const), REQUIRED);
  const epRaw = c.required(t, 'endpoint', path, 'an endpoint object {type: "tcp", host?, port} or {type: "unix", path}');
  const endpoint = epRaw === undefined ? undefined : checkEndpoint(c, epRaw, `${path}.endpoint`);
  const wsUrl = { expected: 'a ws:// or wss:// URL', test: (x: unknown) => (typeof x === 'string' && /^wss?:\/\/[^\s/]+(\/\S*)?$/.test(x) ? x : undefined) };
  const url = c.field(t, 'url', path, wsUrl, undefined);
  const serializers = checkSerializers(c, t['serializers'], `${path}.serializers`);
  if (type === undefined || endpoint === undefined || serializers === undefined || (t['url'] !== undefined && url === undefined)) return undefined;
  const dflt = endpoint.type === 'tcp' ? `ws://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}/` : 'ws://localhost/';
  return { type, endpoint, url: url ?? dflt, serializers };
}

function checkEndpoint(c: Ctx, v: unknown, path: string): MakerTransportConfig['endpoint'] | undefined {
  if (!isRec(v)) {
    c.mismatch(path, 'an endpoint object {type: "tcp", host?, port} or {type: "unix", path}', v);
    return undefined;
  }
  const type = c.field(v, 'type', path, oneOf(['tcp', 'unix'] as const), REQUIRED);
  if (type === 'tcp') {
    c.object(v, path, ['type', 'host', 'port']);
    const host = c.field(v, 'host', path, nonEmptyString, '127.0.0.1');
    const port = c.field(v, 'port', path, integer(1, 65535), REQUIRED);
    return host === undefined || port === undefined ? undefined : { type, host, port };
  }
  if (type === 'unix') {
    c.object(v, path, ['type', 'path']);
    const raw = c.field(v, 'path', path, nonEmptyString, REQUIRED);
    if (raw === undefined) return undefined;
    const abs = c.resolvePath(raw);
    if (Buffer.byteLength(abs) > MAX_UNIX_PATH) {
      c.fail(`${path}.path`, `expected a unix socket path of at most ${MAX_UNIX_PATH} bytes once resolved against cbdir, got ${JSON.stringify(abs)}`);
      return undefined;
    }
    return { type, path: abs };
  }
  return undefined;
}

function checkSerializers(c: Ctx, v: unknown, path: string): MakerSerializerName[] | undefined {
  if (v === undefined) return ['cbor'];
  const arr = c.array(v, path, `a non-empty array of serializer names (${SERIALIZERS.join(', ')})`);
  if (arr === undefined) return undefined;
  if (arr.length === 0) {
    c.fail(path, `expected a non-empty array of serializer names (${SERIALIZERS.join(', ')}), got an empty array`);
    return undefined;
  }
  const out: MakerSerializerName[] = [];
  let ok = true;
  arr.forEach((s, i) => {
    const name = oneOf(SERIALIZERS).test(s);
    if (s === 'json') {
      c.fail(`${path}[${i}]`, 'a maker needs a binary serializer ("cbor" or "msgpack"): XBR ids, keys and amounts are raw bytes');
      ok = false;
    } else if (name === undefined) {
      c.mismatch(`${path}[${i}]`, `one of ${SERIALIZERS.map((x) => JSON.stringify(x)).join(', ')}`, s);
      ok = false;
    } else if (out.includes(name)) {
      c.fail(`${path}[${i}]`, `duplicate serializer ${JSON.stringify(name)}`);
      ok = false;
    } else out.push(name);
  });
  return ok ? out : undefined;
}
