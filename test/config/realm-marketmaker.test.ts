import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  validateNodeConfig,
  type ConfigError,
  type NodeConfig,
  type RouterWorkerConfig,
  type XbrmmWorkerConfig,
} from '../../config/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CBDIR = '/n';

type Json = Record<string, unknown>;
/** The parts of router-config.json's workers that the first test moves between the two forms. */
type ShippedWorker = Json & {
  type: string;
  options: { extra: { ipfs?: unknown; blockchain: unknown } };
  makers: { id: string; key: string; database: Json }[];
  realms: (Json & { marketmaker?: Json })[];
};

const CHAIN = { type: 'ethereum', gateway: { type: 'user', http: 'http://127.0.0.1:8545' }, deployment: 'devchain.json' };
const OTHER_CHAIN = { ...CHAIN, gateway: { type: 'user', http: 'http://127.0.0.1:9545' } };
const ALL = { call: true, register: true, publish: true, subscribe: true };
const MAKER_ROLE = {
  name: 'marketmaker',
  permissions: [
    { uri: 'xbr.marketmaker.', match: 'prefix', allow: ALL },
    { uri: 'xbr.provider.', match: 'prefix', allow: { call: true } },
  ],
};
const CLIENT_ROLE = { name: 'anonymous', permissions: [{ uri: 'xbr.marketmaker.', match: 'prefix', allow: { call: true, subscribe: true } }] };
const UNIX_WS = { id: 'local', type: 'websocket', endpoint: { type: 'unix', path: 'router.sock' }, serializers: ['msgpack', 'cbor'], auth: { anonymous: { type: 'static', role: 'marketmaker' } } };
const TCP_WS = { id: 'ws', type: 'websocket', endpoint: { type: 'tcp', port: 8080 } };

const block = (i: number, over: Json = {}): Json => ({ key: `m${i}.key`, database: { path: `m${i}.db` }, blockchain: CHAIN, ...over });

function router(realms: Json[], transports: Json[] = [TCP_WS, UNIX_WS]): Json {
  return { type: 'router', realms, transports };
}
const realm = (name: string, marketmaker?: Json, roles: Json[] = [CLIENT_ROLE, MAKER_ROLE]): Json => ({
  name,
  roles,
  ...(marketmaker === undefined ? {} : { marketmaker }),
});
const xbrmm = (makers: Json[] = [], over: Json = {}): Json => ({
  type: 'xbrmm',
  options: { extra: { database: { path: 'w.db' }, blockchain: CHAIN } },
  makers,
  ...over,
});
const listed = (i: number, over: Json = {}): Json => ({
  id: `m${i}`,
  key: `m${i}.key`,
  database: { path: `m${i}.db` },
  connection: { realm: `realm${i}`, transport: { type: 'websocket', endpoint: { type: 'unix', path: 'router.sock' } } },
  ...over,
});

function validate(workers: Json[]): { config: NodeConfig } | { errors: ConfigError[] } {
  return validateNodeConfig({ version: 2, workers }, { cbdir: CBDIR });
}
function ok(workers: Json[]): NodeConfig {
  const r = validate(workers);
  if ('errors' in r) assert.fail(`expected a valid config, got:\n${r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  return r.config;
}
function only(workers: Json[], path: string, fragment: string): ConfigError {
  const r = validate(workers);
  assert.ok('errors' in r, 'expected errors, got a valid config');
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors, null, 1));
  const e = r.errors[0]!;
  assert.equal(e.path, path, e.message);
  assert.ok(e.message.includes(fragment), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(fragment)}`);
  return e;
}
function xbrmmWorkers(c: NodeConfig): XbrmmWorkerConfig[] {
  return c.workers.filter((w): w is XbrmmWorkerConfig => w.type === 'xbrmm');
}

const MM = '$.workers[0].realms[0].marketmaker';

describe('realm marketmaker: both forms, one model', () => {
  it('the shipped config and its realm form validate to equal models', () => {
    const shipped = JSON.parse(readFileSync(join(ROOT, 'router-config.json'), 'utf8')) as { workers: ShippedWorker[] };
    // the realm block has no `ipfs` (options.extra.ipfs exists only in the explicit form)
    delete shipped.workers.find((w) => w.type === 'xbrmm')!.options.extra.ipfs;
    const explicit = ok(shipped.workers);
    const realmForm = structuredClone(shipped);
    const i = realmForm.workers.findIndex((w) => w.type === 'xbrmm');
    const [w] = realmForm.workers.splice(i, 1);
    const maker = w!.makers[0]!;
    const r1 = realmForm.workers.find((x) => x.type === 'router')!.realms[0]!;
    r1.marketmaker = { id: maker.id, key: maker.key, database: maker.database, blockchain: w!.options.extra.blockchain };
    assert.deepEqual(ok(realmForm.workers), explicit);
    // The id may be left out: the default is maker1 as among makers[].
    delete r1.marketmaker['id'];
    assert.deepEqual(ok(realmForm.workers), explicit);
    // The model of the router has no trace of the block.
    const routerModel = ok(realmForm['workers']).workers.find((x): x is RouterWorkerConfig => x.type === 'router');
    assert.deepEqual(Object.keys(routerModel!.realms[0]!).sort(), ['name', 'options', 'roles']);
  });

  it('declares the xbrmm worker implicitly, after all other workers', () => {
    const guest = { type: 'guest', id: 'ipfs', executable: 'node' };
    const c = ok([router([realm('realm1', block(1)), realm('realm2', block(2, { blockchain: undefined }))]), guest]);
    assert.deepEqual(c.workers.map((w) => `${w.type}:${w.id}`), ['router:router1', 'guest:ipfs', 'xbrmm:xbrmm1']);
    const [w] = xbrmmWorkers(c);
    assert.deepEqual(w, {
      type: 'xbrmm',
      id: 'xbrmm1',
      options: {
        extra: {
          database: { path: '/n/.xbr-edge/xbrmm1-worker.db' },
          blockchain: { type: 'ethereum', gateway: CHAIN.gateway, deployment: '/n/devchain.json', confirmations: 1, poll_interval: 1 },
        },
        env: { inherit: true, vars: {} },
      },
      makers: [1, 2].map((i) => ({
        id: `maker${i}`,
        key: `/n/m${i}.key`,
        database: { path: `/n/m${i}.db` },
        connection: { realm: `realm${i}`, transport: { type: 'websocket', endpoint: { type: 'unix', path: '/n/router.sock' }, url: 'ws://localhost/', serializers: ['cbor'] } },
      })),
    });
  });

  it('gives the implicit worker an id no other worker has', () => {
    const c = ok([router([realm('realm1', block(1))]), { type: 'guest', id: 'xbrmm1', executable: 'node' }]);
    const [w] = xbrmmWorkers(c);
    assert.equal(w?.id, 'xbrmm2');
    assert.equal(w?.options.extra.database.path, '/n/.xbr-edge/xbrmm2-worker.db');
  });

  it('appends the maker to the one xbrmm worker, whose chain it follows', () => {
    const c = ok([router([realm('realm1', block(1, { blockchain: undefined })), realm('realm2')]), xbrmm([listed(2)])]);
    assert.equal(c.workers.length, 2);
    const [w] = xbrmmWorkers(c);
    assert.deepEqual(w?.makers.map((m) => [m.id, m.connection.realm]), [['m2', 'realm2'], ['maker2', 'realm1']]);
    // Giving the same chain again is fine; another is not.
    ok([router([realm('realm1', block(1))]), xbrmm()]);
    const e = only([router([realm('realm1', block(1, { blockchain: OTHER_CHAIN }))]), xbrmm()], `${MM}.blockchain`, 'differs from the blockchain of xbrmm worker "xbrmm1"');
    assert.ok(e.message.includes('$.workers[1].options.extra.blockchain'), e.message);
  });

  it('runs the maker in the worker named by "worker"; several workers need the name', () => {
    const w2 = xbrmm([], { id: 'mm2', options: { extra: { database: { path: 'w2.db' }, blockchain: CHAIN } } });
    const c = ok([router([realm('realm1', block(1, { worker: 'mm2' }))]), xbrmm(), w2]);
    assert.deepEqual(xbrmmWorkers(c).map((w) => [w.id, w.makers.length]), [['xbrmm1', 0], ['mm2', 1]]);
    only([router([realm('realm1', block(1))]), xbrmm(), w2], MM, 'the node has 2 xbrmm workers ("xbrmm1", "mm2"): name the one to run this maker in with "worker"');
    only([router([realm('realm1', block(1, { worker: 'mm3' }))]), xbrmm(), w2], `${MM}.worker`, 'no xbrmm worker has the id "mm3" (xbrmm workers: "xbrmm1", "mm2")');
    only([router([realm('realm1', block(1, { worker: 'mm3' }))])], `${MM}.worker`, 'leave out "worker"');
  });
});

describe('realm marketmaker: refused configs', () => {
  it('checks the block like a maker, with paths under the realm', () => {
    only([router([realm('realm1', block(1, { key: undefined }))])], `${MM}.key`, 'missing required key "key"');
    only([router([realm('realm1', block(1, { database: { path: 'm.db', maxsize: 1 } }))])], `${MM}.database.maxsize`, 'expected an integer in');
    only([router([realm('realm1', block(1, { connection: {} }))])], `${MM}.connection`, 'chosen by the validator');
    only([router([realm('realm1', block(1, { id: '-x' }))])], `${MM}.id`, 'expected an id');
    only([router([realm('realm1', block(1, { blockchain: { ...CHAIN, gateway: { type: 'infura' } } }))])], `${MM}.blockchain.gateway.type`, 'unsupported gateway type');
  });

  it('refuses duplicates across both forms', () => {
    const W = '$.workers[1].makers[0]';
    only([router([realm('realm2', block(2))]), xbrmm([listed(2, { key: 'other.key', database: { path: 'other.db' }, id: 'mx' })])], MM, `realm "realm2" is already used by ${W}.connection.realm`);
    only([router([realm('realm1', block(2, { database: { path: 'x.db' } }))]), xbrmm([listed(2)])], `${MM}.key`, `"/n/m2.key" is already used by ${W}.key`);
    only([router([realm('realm1', block(1, { database: { path: 'm2.db' } }))]), xbrmm([listed(2)])], `${MM}.database.path`, `database "/n/m2.db" is already used by ${W}.database.path`);
    only([router([realm('realm1', block(1, { id: 'm2' }))]), xbrmm([listed(2)])], `${MM}.id`, `maker id "m2" is already used by ${W}.id`);
    only([router([realm('realm1', block(1))]), xbrmm([listed(2, { id: 'maker2' })])], `${MM}.id`, 'maker id "maker2" (the default id) is already used');
    only([router([realm('realm1', block(1, { database: { path: 'w.db' } }))]), xbrmm()], `${MM}.database.path`, "is the worker's database");
    only([router([realm('realm1', block(1, { database: { path: '.xbr-edge/xbrmm1-worker.db' } }))])], `${MM}.database.path`, 'is the database of the implicitly declared xbrmm worker "xbrmm1"');
    // Two realms' blocks among themselves.
    only([router([realm('realm1', block(1)), realm('realm2', block(2, { key: 'm1.key' }))])], '$.workers[0].realms[1].marketmaker.key', `is already used by ${MM}.key`);
  });

  it('needs a blockchain when no xbrmm worker is declared, and one chain for the implicit worker', () => {
    only([router([realm('realm1', block(1, { blockchain: undefined })), realm('realm2', block(2, { blockchain: undefined }))])], `${MM}.blockchain`, 'missing required key "blockchain": no xbrmm worker is declared');
    const e = only([router([realm('realm1', block(1)), realm('realm2', block(2, { blockchain: OTHER_CHAIN }))])], '$.workers[0].realms[1].marketmaker.blockchain', `differs from the blockchain given at ${MM}.blockchain`);
    assert.ok(e.message.includes('name it with "worker"'), e.message);
  });

  it('needs a WebSocket transport with a binary serializer and a static anonymous role', () => {
    const raw = { type: 'rawsocket', endpoint: { type: 'tcp', port: 8081 } };
    only([router([realm('realm1', block(1))], [raw])], MM, 'has no WebSocket transport the maker can connect to');
    only([router([realm('realm1', block(1))], [{ ...TCP_WS, endpoint: { type: 'tcp', port: 0 } }])], MM, 'has no WebSocket transport the maker can connect to');
    only([router([realm('realm1', block(1))], [{ ...UNIX_WS, serializers: ['json'] }])], MM, 'offers "cbor" or "msgpack"');
    const ticket = { ticket: { type: 'static', principals: { a: { ticket: 't', role: 'marketmaker' } } } };
    only([router([realm('realm1', block(1))], [{ ...UNIX_WS, auth: ticket }])], MM, 'accepts anonymous authentication with a static role');
    const dynamic = { anonymous: { type: 'dynamic', authenticator: 'com.example.auth' } };
    only([router([realm('realm1', block(1))], [{ ...UNIX_WS, auth: dynamic }])], MM, 'accepts anonymous authentication with a static role');
  });

  it('refuses a role that is missing or lacks the maker permissions', () => {
    // The public transport's default role "anonymous" is not defined in the realm.
    only([router([realm('realm1', block(1), [MAKER_ROLE])], [TCP_WS])], MM, 'as its anonymous role "anonymous", which is not defined in that realm');
    const e = only([router([realm('realm1', block(1))], [TCP_WS])], MM, 'through $.workers[0].transports[0] as its anonymous role "anonymous", which does not allow register on "xbr.marketmaker.status"');
    assert.ok(e.message.includes('publish on "xbr.marketmaker.on_status"'), e.message);
    assert.ok(e.message.includes('give role "anonymous" the maker permissions'), e.message);
    const noProvider = { name: 'marketmaker', permissions: [MAKER_ROLE.permissions[0]] };
    const p = only([router([realm('realm1', block(1), [noProvider])], [UNIX_WS])], MM, 'does not allow call on "xbr.provider.member-0x');
    assert.ok(!p.message.includes('allow register'), p.message);
  });
});

describe('realm marketmaker: the connection picked', () => {
  const transportOf = (transports: Json[], roles: Json[] = [{ ...MAKER_ROLE, name: 'anonymous' }]): unknown =>
    xbrmmWorkers(ok([router([realm('realm1', block(1), roles)], transports)]))[0]?.makers[0]?.connection.transport;

  it('prefers a unix socket, whatever the order', () => {
    assert.deepEqual(transportOf([TCP_WS, UNIX_WS], [CLIENT_ROLE, MAKER_ROLE]), {
      type: 'websocket', endpoint: { type: 'unix', path: '/n/router.sock' }, url: 'ws://localhost/', serializers: ['cbor'],
    });
  });
  it('else a tcp WebSocket, dialled on its interface (loopback for a wildcard), with msgpack when cbor is not offered', () => {
    assert.deepEqual(transportOf([{ ...TCP_WS, serializers: ['json', 'msgpack'] }]), {
      type: 'websocket', endpoint: { type: 'tcp', host: '127.0.0.1', port: 8080 }, url: 'ws://127.0.0.1:8080/', serializers: ['msgpack'],
    });
    assert.deepEqual(transportOf([{ ...TCP_WS, endpoint: { type: 'tcp', port: 8080, interface: '0.0.0.0' } }]), {
      type: 'websocket', endpoint: { type: 'tcp', host: '127.0.0.1', port: 8080 }, url: 'ws://127.0.0.1:8080/', serializers: ['cbor'],
    });
    assert.deepEqual(transportOf([{ ...TCP_WS, endpoint: { type: 'tcp', port: 8080, interface: '::' } }]), {
      type: 'websocket', endpoint: { type: 'tcp', host: '::1', port: 8080 }, url: 'ws://[::1]:8080/', serializers: ['cbor'],
    });
  });
  it('skips transports the maker cannot use (json only, no static anonymous role)', () => {
    const jsonOnly = { ...UNIX_WS, serializers: ['json'] };
    assert.deepEqual(transportOf([jsonOnly, TCP_WS], [{ ...MAKER_ROLE, name: 'anonymous' }, MAKER_ROLE]), {
      type: 'websocket', endpoint: { type: 'tcp', host: '127.0.0.1', port: 8080 }, url: 'ws://127.0.0.1:8080/', serializers: ['cbor'],
    });
  });
  it('skips transports without a static anonymous role', () => {
    const ticketOnly = { ...UNIX_WS, auth: { ticket: { type: 'static', principals: { a: { ticket: 't', role: 'marketmaker' } } } } };
    assert.deepEqual(transportOf([ticketOnly, TCP_WS], [{ ...MAKER_ROLE, name: 'anonymous' }, MAKER_ROLE]), {
      type: 'websocket', endpoint: { type: 'tcp', host: '127.0.0.1', port: 8080 }, url: 'ws://127.0.0.1:8080/', serializers: ['cbor'],
    });
  });
  it('uses the websocket path of a web transport', () => {
    const web = { type: 'web', endpoint: { type: 'unix', path: 'web.sock' }, paths: { 'a/ws': { type: 'websocket', serializers: ['cbor'] } } };
    assert.deepEqual(transportOf([web]), {
      type: 'websocket', endpoint: { type: 'unix', path: '/n/web.sock' }, url: 'ws://localhost/a/ws', serializers: ['cbor'],
    });
    only([router([realm('realm1', block(1), [CLIENT_ROLE])], [web])], MM, 'through $.workers[0].transports[0].paths["a/ws"] as its anonymous role "anonymous"');
  });
});

function join(a: string, b: string): string {
  return `${a.replace(/\/$/, '')}/${b}`;
}
