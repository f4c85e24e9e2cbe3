import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadConfigFile,
  resolveNodePaths,
  validateNodeConfig,
  type ConfigError,
  type NodeConfig,
  type RouterWorkerConfig,
  type GuestWorkerConfig,
  type BlockchainConfig,
} from '../../config/index.js';

const CBDIR = '/srv/node';
const KEY_A = 'a'.repeat(64);
const KEY_B = '0123456789abcdef'.repeat(4);

type Json = Record<string, unknown>;

const MM_CHAIN = { type: 'ethereum', gateway: { type: 'user', http: 'http://127.0.0.1:8545' }, deployment: '.xbr-edge/devchain.json' };
const MAKER = { id: 'maker1', key: 'maker1.key', database: { path: 'maker1.db' }, connection: { realm: 'realm1', transport: { type: 'websocket', endpoint: { type: 'unix', path: 'router.sock' } } } };
const MM_EXTRA = { database: { type: 'cfxdb', path: '.xbrmm' }, blockchain: MM_CHAIN };

function ok(raw: unknown): NodeConfig {
  const r = validateNodeConfig(raw, { cbdir: CBDIR });
  if ('errors' in r) assert.fail(`expected a valid config, got:\n${r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  return r.config;
}

function errors(raw: unknown): ConfigError[] {
  const r = validateNodeConfig(raw, { cbdir: CBDIR });
  if (!('errors' in r)) assert.fail('expected errors, got a valid config');
  return r.errors;
}

function show(errs: ConfigError[]): string {
  return errs.map((e) => `  ${e.path}: ${e.message}`).join('\n');
}

/** Exactly one error, at `path`, whose message contains `fragment`. */
function expectOnly(raw: unknown, path: string, fragment: string): void {
  const errs = errors(raw);
  assert.equal(errs.length, 1, `expected exactly one error at ${path}, got:\n${show(errs)}`);
  assert.equal(errs[0]?.path, path, show(errs));
  assert.ok(errs[0]?.message.includes(fragment), `message ${JSON.stringify(errs[0]?.message)} lacks ${JSON.stringify(fragment)}`);
}

/** An error at `path` containing `fragment` among possibly others. */
function expectSome(errs: ConfigError[], path: string, fragment: string): void {
  assert.ok(
    errs.some((e) => e.path === path && e.message.includes(fragment)),
    `no error at ${path} containing ${JSON.stringify(fragment)} in:\n${show(errs)}`,
  );
}

/** A valid router worker config to mutate. */
function router(over: Json = {}): Json {
  return {
    type: 'router',
    realms: [
      {
        name: 'realm1',
        roles: [
          { name: 'anonymous', permissions: [{ uri: '', match: 'prefix', allow: { call: true, subscribe: true } }] },
          { name: 'xbrmm', permissions: [{ uri: 'xbr.marketmaker.', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true }, disclose: { caller: true, publisher: true } }] },
        ],
      },
    ],
    transports: [{ type: 'websocket', endpoint: { type: 'tcp', port: 8080 } }],
    ...over,
  };
}

function node(...workers: Json[]): Json {
  return { version: 2, workers };
}

/** node(router()) with the first transport replaced/extended. */
function withTransport(t: Json): Json {
  return node(router({ transports: [{ type: 'websocket', endpoint: { type: 'tcp', port: 8080 }, ...t }] }));
}

function withAuth(auth: unknown): Json {
  return withTransport({ auth });
}

function withPermission(p: Json): Json {
  return node(router({ realms: [{ name: 'realm1', roles: [{ name: 'r', permissions: [p] }] }] }));
}

const T0 = '$.workers[0].transports[0]';
const P0 = '$.workers[0].realms[0].roles[0].permissions[0]';

describe('validateNodeConfig: defaults', () => {
  it('fills in the controller defaults for a minimal config', () => {
    const c = ok({ version: 2 });
    assert.deepEqual(c, {
      version: 2,
      controller: { id: 'node1', options: { shutdown_timeout: 30, startup_timeout: 60, restart: { max_restarts: 5, window: 60, initial_delay: 0.5, max_delay: 10 } } },
      workers: [],
    });
  });

  it('fills in every default of a router, xbrmm and guest worker', () => {
    const c = ok({
      version: 2,
      controller: { id: 'edge7', options: { shutdown_timeout: 10 } },
      workers: [
        {
          type: 'router',
          realms: [{ name: 'realm1', roles: [{ name: 'anonymous', permissions: [{ uri: 'com.example.add' }] }] }],
          transports: [
            { type: 'websocket', endpoint: { type: 'tcp', port: 8080 } },
            { type: 'rawsocket', endpoint: { type: 'unix', path: 'run/router.sock' } },
          ],
        },
        { type: 'xbrmm', options: { extra: MM_EXTRA }, makers: [{ ...MAKER, id: undefined }] },
        { type: 'guest', executable: 'true' },
        { type: 'router', id: 'edge' },
      ],
    });
    assert.deepEqual(c.controller, {
      id: 'edge7',
      options: { shutdown_timeout: 10, startup_timeout: 60, restart: { max_restarts: 5, window: 60, initial_delay: 0.5, max_delay: 10 } },
    });
    const r = c.workers[0] as RouterWorkerConfig;
    assert.equal(r.id, 'router1');
    assert.deepEqual(r.options, { env: { inherit: true, vars: {} }, max_sessions: 10000 });
    assert.deepEqual(r.realms, [
      {
        name: 'realm1',
        options: { enable_meta_api: true },
        roles: [
          {
            name: 'anonymous',
            permissions: [
              {
                uri: 'com.example.add',
                match: 'exact',
                allow: { call: false, register: false, publish: false, subscribe: false },
                disclose: { caller: false, publisher: false },
                cache: true,
              },
            ],
          },
        ],
      },
    ]);
    const defaults = {
      serializers: ['json', 'msgpack', 'cbor'],
      auth: { anonymous: { type: 'static', role: 'anonymous' } },
      options: { max_message_size: 1048576, max_connections: 1000, open_handshake_timeout: 10, auto_ping_interval: 0 },
    };
    assert.deepEqual(r.transports, [
      { type: 'websocket', id: 'transport1', endpoint: { type: 'tcp', port: 8080, interface: '127.0.0.1' }, ...defaults },
      { type: 'rawsocket', id: 'transport2', endpoint: { type: 'unix', path: '/srv/node/run/router.sock' }, ...defaults },
    ]);
    assert.deepEqual(c.workers[1], {
      type: 'xbrmm',
      id: 'xbrmm1',
      options: {
        extra: {
          database: { path: '/srv/node/.xbrmm' },
          blockchain: { ...MM_CHAIN, deployment: '/srv/node/.xbr-edge/devchain.json', confirmations: 1, poll_interval: 1 },
        },
        env: { inherit: true, vars: {} },
      },
      makers: [
        {
          id: 'maker1',
          key: '/srv/node/maker1.key',
          database: { path: '/srv/node/maker1.db' },
          connection: { realm: 'realm1', transport: { type: 'websocket', endpoint: { type: 'unix', path: '/srv/node/router.sock' }, url: 'ws://localhost/', serializers: ['cbor'] } },
        },
      ],
    });
    assert.deepEqual(c.workers[2], {
      type: 'guest',
      id: 'guest1',
      executable: 'true',
      arguments: [],
      options: { env: { inherit: true, vars: {} }, workdir: CBDIR, stdout: 'log', stderr: 'log', ready: { type: 'started' }, stop_timeout: 10 },
    });
    assert.equal(c.workers[3]?.id, 'edge');
  });

  it('keeps explicit values and resolves paths against cbdir', () => {
    const c = ok({
      version: 2,
      workers: [
        {
          type: 'guest',
          id: 'chain',
          executable: 'bin/devchain',
          arguments: ['--port', '8545'],
          options: {
            title: 'devchain',
            workdir: 'data',
            env: { inherit: ['PATH', 'HOME'], vars: { A: '1' } },
            stdout: 'drop',
            stderr: 'close',
            ready: { type: 'tcp', port: 8545 },
            stop_timeout: 40,
          },
        },
        { type: 'guest', executable: '/usr/bin/env', options: { workdir: '/tmp', ready: { type: 'tcp', host: 'localhost', port: 1 } } },
      ],
    });
    const g = c.workers[0] as GuestWorkerConfig;
    assert.equal(g.executable, '/srv/node/bin/devchain');
    assert.deepEqual(g.arguments, ['--port', '8545']);
    assert.deepEqual(g.options, {
      title: 'devchain',
      workdir: '/srv/node/data',
      env: { inherit: ['PATH', 'HOME'], vars: { A: '1' } },
      stdout: 'drop',
      stderr: 'close',
      ready: { type: 'tcp', host: '127.0.0.1', port: 8545 },
      stop_timeout: 40,
    });
    const g2 = c.workers[1] as GuestWorkerConfig;
    assert.equal(g2.options.workdir, '/tmp');
    assert.deepEqual(g2.options.ready, { type: 'tcp', host: 'localhost', port: 1 });
  });

  it('accepts a shipped-style config: websocket + rawsocket over tcp and unix, realm1 with roles', () => {
    const c = ok({
      $schema: 'https://raw.githubusercontent.com/crossbario/crossbar/master/crossbar.json',
      version: 2,
      controller: { id: 'xbr-edge', options: { shutdown_timeout: 30, restart: { max_restarts: 5, window: 60, initial_delay: 0.5, max_delay: 10 } } },
      workers: [
        {
          type: 'router',
          id: 'router1',
          options: { title: 'xbr-edge router', max_sessions: 5000 },
          realms: [
            {
              name: 'realm1',
              roles: [
                { name: 'anonymous', permissions: [{ uri: '', match: 'prefix', allow: { call: true, register: false, publish: true, subscribe: true }, disclose: { caller: false, publisher: false }, cache: true }] },
                {
                  name: 'xbrmm',
                  permissions: [
                    { uri: 'xbr.marketmaker.', match: 'prefix', allow: { call: true, register: true, publish: true, subscribe: true }, disclose: { caller: true, publisher: true }, cache: true },
                    { uri: 'xbr.provider.', match: 'prefix', allow: { call: true, register: false, publish: false, subscribe: true }, disclose: { caller: true, publisher: true }, cache: true },
                  ],
                },
                { name: 'delegate', permissions: [{ uri: 'xbr..get_status', match: 'wildcard', allow: { call: true } }] },
              ],
              options: { enable_meta_api: true },
            },
          ],
          transports: [
            {
              type: 'websocket',
              id: 'ws_tcp',
              endpoint: { type: 'tcp', port: 8080, interface: '127.0.0.1', backlog: 1024 },
              serializers: ['cbor', 'msgpack', 'json'],
              auth: {
                anonymous: { type: 'static', role: 'anonymous' },
                cryptosign: { type: 'dynamic', authenticator: 'xbr.marketmaker.authenticator.authenticate', 'authenticator-realm': 'realm1' },
              },
              options: { max_message_size: 1048576, auto_ping_interval: 10 },
            },
            { type: 'websocket', id: 'ws_unix', endpoint: { type: 'unix', path: '.xbrmm-ws.sock' }, auth: { anonymous: { type: 'static', role: 'xbrmm' } } },
            {
              type: 'rawsocket',
              id: 'rs_tcp',
              endpoint: { type: 'tcp', port: 8081 },
              serializers: ['cbor'],
              auth: {
                ticket: { type: 'static', principals: { alice: { ticket: 'secret', role: 'delegate', realm: 'realm1' } } },
                wampcra: { type: 'static', users: { bob: { secret: 's3', role: 'delegate', salt: 'salt', iterations: 1000, keylen: 32 } } },
                cryptosign: { type: 'static', principals: { carol: { authorized_keys: [KEY_A.toUpperCase()], role: 'delegate' } } },
              },
            },
            { type: 'rawsocket', id: 'rs_unix', endpoint: { type: 'unix', path: '/run/xbr/xbrmm.sock' }, serializers: ['cbor'], auth: { anonymous: { type: 'static', role: 'xbrmm' } } },
          ],
        },
        {
          type: 'xbrmm',
          id: 'xbrmm1',
          options: { extra: { database: { type: 'cfxdb', path: '../.xbrmm' }, blockchain: { type: 'ethereum', gateway: { type: 'user', http: 'http://localhost:1545' }, deployment: '.xbr-edge/devchain.json' } } },
          makers: [{ id: 'maker1', key: '../.xbrmm.key', database: { path: '../.xbrmm-maker1' }, connection: { realm: 'realm1', transport: { type: 'websocket', endpoint: { type: 'unix', path: '.xbrmm-ws.sock' }, serializers: ['cbor'] } } }],
        },
        { type: 'guest', id: 'devchain', executable: 'node', arguments: ['contracts/devchain.js'], options: { ready: { type: 'tcp', port: 8545 }, stdout: 'drop' } },
      ],
    });
    const r = c.workers[0] as RouterWorkerConfig;
    assert.deepEqual(r.transports.map((t) => `${t.type}/${t.endpoint.type}`), ['websocket/tcp', 'websocket/unix', 'rawsocket/tcp', 'rawsocket/unix']);
    assert.deepEqual(r.transports[1]?.endpoint, { type: 'unix', path: '/srv/node/.xbrmm-ws.sock' });
    const rs = r.transports[2];
    assert.ok(rs?.type === 'rawsocket' && rs.auth.cryptosign?.type === 'static');
    assert.deepEqual(rs.auth.cryptosign.principals['carol']?.authorized_keys, [KEY_A], 'keys are normalised to lower case');
    assert.equal(r.options.title, 'xbr-edge router');
  });

  it('turns Crossbar\'s "*" shorthand into a prefix permission', () => {
    const c = ok(withPermission({ uri: '*' }));
    const p = (c.workers[0] as RouterWorkerConfig).realms[0]?.roles[0]?.permissions[0];
    assert.equal(p?.uri, '');
    assert.equal(p?.match, 'prefix');
    const c2 = ok(withPermission({ uri: 'com.example.*' }));
    assert.deepEqual(
      ((c2.workers[0] as RouterWorkerConfig).realms[0]?.roles[0]?.permissions[0] ?? {}) as object,
      { uri: 'com.example.', match: 'prefix', allow: { call: false, register: false, publish: false, subscribe: false }, disclose: { caller: false, publisher: false }, cache: true },
    );
  });

  it('allows several ephemeral (port 0) tcp endpoints', () => {
    ok(node(router({ transports: [{ type: 'websocket', endpoint: { type: 'tcp', port: 0 } }, { type: 'rawsocket', endpoint: { type: 'tcp', port: 0 } }] })));
  });
});

describe('validateNodeConfig: node and controller', () => {
  it('rejects a config that is not an object', () => expectOnly([], '$', 'expected an object, got an array'));
  it('requires version 2', () => {
    expectOnly({}, '$.version', 'missing required key "version"');
    expectOnly({ version: 1 }, '$.version', 'got 1');
    expectOnly({ version: '2' }, '$.version', 'expected 2');
  });
  it('names unknown top-level keys', () => expectOnly({ version: 2, workerz: [] }, '$.workerz', 'unknown key "workerz" (allowed: $schema, version, controller, workers)'));
  it('checks the controller id and unknown controller keys', () => {
    expectOnly({ version: 2, controller: 'x' }, '$.controller', 'expected an object, got "x"');
    expectOnly({ version: 2, controller: { id: 5 } }, '$.controller.id', 'got 5');
    expectOnly({ version: 2, controller: { fabric: {} } }, '$.controller.fabric', 'unknown key "fabric"');
    expectOnly({ version: 2, controller: { options: { manhole: 1 } } }, '$.controller.options.manhole', 'unknown key "manhole"');
  });
  it('bounds shutdown_timeout to 1..44 s', () => {
    expectOnly({ version: 2, controller: { options: { shutdown_timeout: 45 } } }, '$.controller.options.shutdown_timeout', 'expected a number in 1..44, got 45');
    expectOnly({ version: 2, controller: { options: { shutdown_timeout: 0 } } }, '$.controller.options.shutdown_timeout', 'got 0');
    expectOnly({ version: 2, controller: { options: { shutdown_timeout: '30' } } }, '$.controller.options.shutdown_timeout', 'got "30"');
  });
  it('requires a positive startup_timeout', () => {
    expectOnly({ version: 2, controller: { options: { startup_timeout: 0 } } }, '$.controller.options.startup_timeout', 'expected a number > 0, got 0');
  });
  it('checks the restart policy', () => {
    const r = (restart: Json): Json => ({ version: 2, controller: { options: { restart } } });
    const p = '$.controller.options.restart';
    expectOnly(r({ max_restarts: -1 }), `${p}.max_restarts`, 'expected an integer >= 0, got -1');
    expectOnly(r({ max_restarts: 1.5 }), `${p}.max_restarts`, 'got 1.5');
    expectOnly(r({ window: 0 }), `${p}.window`, 'expected a number > 0, got 0');
    expectOnly(r({ initial_delay: 0 }), `${p}.initial_delay`, 'expected a number > 0');
    expectOnly(r({ initial_delay: 2, max_delay: 1 }), `${p}.max_delay`, 'expected a number >= initial_delay (2), got 1');
    expectOnly(r({ initial_delay: 20 }), `${p}.max_delay`, 'got 10 (the default)');
    expectOnly(r({ backoff: 2 }), `${p}.backoff`, 'unknown key "backoff"');
  });
  it('checks the HTTP listener: an endpoint of its own, not shared with a router transport', () => {
    const h = (http: unknown, ...workers: Json[]): Json => ({ version: 2, controller: { options: { http } }, workers });
    const p = '$.controller.options.http';
    assert.deepEqual(ok(h({ endpoint: { type: 'tcp', port: 9464 } })).controller.options.http, { endpoint: { type: 'tcp', port: 9464, interface: '127.0.0.1' } });
    expectOnly(h({}), `${p}.endpoint`, 'missing required key "endpoint"');
    expectOnly(h({ endpoint: { type: 'tcp', port: 9464 }, tls: true }), `${p}.tls`, 'unknown key "tls"');
    expectOnly(h({ endpoint: { type: 'tcp', port: 70000 } }), `${p}.endpoint.port`, 'expected an integer in 0..65535, got 70000');
    expectOnly(h({ endpoint: { type: 'tcp', port: 8080 } }, router()), '$.workers[0].transports[0].endpoint.port', 'clashes with 127.0.0.1:8080 of $.controller.options.http');
  });
});

describe('validateNodeConfig: workers', () => {
  it('requires workers to be an array of objects with a known type', () => {
    expectOnly({ version: 2, workers: {} }, '$.workers', 'expected an array of workers, got an object');
    expectOnly(node('router' as unknown as Json), '$.workers[0]', 'expected a worker object, got "router"');
    expectOnly(node({}), '$.workers[0].type', 'missing required key "type": expected one of "router", "xbrmm", "guest"');
    expectOnly(node({ type: 'container' }), '$.workers[0].type', 'expected one of "router", "xbrmm", "guest", got "container"');
  });
  it('requires unique worker ids, including defaults', () => {
    expectOnly(node({ type: 'guest', id: 'a', executable: 'x' }, { type: 'guest', id: 'a', executable: 'y' }), '$.workers[1].id', 'duplicate worker id "a": already used by $.workers[0]');
    expectOnly(node({ type: 'guest', id: 'guest2', executable: 'x' }, { type: 'guest', executable: 'y' }), '$.workers[1].id', 'duplicate worker id "guest2" (the default id)');
    expectOnly(node({ type: 'guest', id: 'has space', executable: 'x' }), '$.workers[0].id', 'expected an id');
  });
  it('names unknown worker keys', () => {
    expectOnly(node(router({ components: [] })), '$.workers[0].components', 'unknown key "components" (allowed: type, id, options, realms, transports)');
    expectOnly(node({ type: 'guest', executable: 'x', watch: {} }), '$.workers[0].watch', 'unknown key "watch"');
    expectOnly(node({ type: 'xbrmm', options: { extra: MM_EXTRA }, makers: [], connections: [] }), '$.workers[0].connections', 'unknown key "connections"');
  });
});

describe('validateNodeConfig: router worker options and env', () => {
  const opt = (options: Json): Json => node(router({ options }));
  const p = '$.workers[0].options';
  it('checks max_sessions, title and unknown options', () => {
    expectOnly(opt({ max_sessions: 0 }), `${p}.max_sessions`, 'expected an integer >= 1, got 0');
    expectOnly(opt({ title: 1 }), `${p}.title`, 'expected a string, got 1');
    expectOnly(opt({ pythonpath: [] }), `${p}.pythonpath`, 'unknown key "pythonpath"');
  });
  it('checks env', () => {
    expectOnly(opt({ env: { inherit: 'yes' } }), `${p}.env.inherit`, 'expected a boolean or an array of environment variable names, got "yes"');
    expectOnly(opt({ env: { inherit: ['PATH', 'A=B'] } }), `${p}.env.inherit[1]`, 'got "A=B"');
    expectOnly(opt({ env: { vars: { PORT: 8080 } } }), `${p}.env.vars.PORT`, 'expected a string, got 8080');
    expectOnly(opt({ env: { vars: [] } }), `${p}.env.vars`, 'expected an object mapping variable names to strings, got an array');
    expectOnly(opt({ env: { clear: true } }), `${p}.env.clear`, 'unknown key "clear"');
  });
});

describe('validateNodeConfig: realms, roles, permissions', () => {
  const realms = (rs: unknown): Json => node(router({ realms: rs, transports: [] }));
  it('checks realm names', () => {
    expectOnly(realms({}), '$.workers[0].realms', 'expected an array of realms, got an object');
    expectOnly(realms([{}]), '$.workers[0].realms[0].name', 'missing required key "name"');
    expectOnly(realms([{ name: 'bad realm' }]), '$.workers[0].realms[0].name', 'expected a WAMP URI');
    expectOnly(realms([{ name: 'a..b' }]), '$.workers[0].realms[0].name', 'got "a..b"');
    expectOnly(realms([{ name: '' }]), '$.workers[0].realms[0].name', 'got ""');
    expectOnly(realms([{ name: 'r1' }, { name: 'r1' }]), '$.workers[0].realms[1].name', 'duplicate realm name "r1": already used by $.workers[0].realms[0]');
  });
  it('checks realm options, marketmaker and unknown realm keys', () => {
    expectOnly(realms([{ name: 'r', options: { enable_meta_api: 'yes' } }]), '$.workers[0].realms[0].options.enable_meta_api', 'expected a boolean, got "yes"');
    expectOnly(realms([{ name: 'r', options: { uri_check: 'strict' } }]), '$.workers[0].realms[0].options.uri_check', 'unknown key "uri_check"');
    expectOnly(realms([{ name: 'r', marketmaker: 'yes' }]), '$.workers[0].realms[0].marketmaker', 'expected an object, got "yes"');
    expectOnly(realms([{ name: 'r', store: {} }]), '$.workers[0].realms[0].store', 'unknown key "store"');
    expectOnly(realms([{ name: 'r', marketmaker: { database: { path: 'x' } } }]), '$.workers[0].realms[0].marketmaker.key', 'missing required key "key"');
  });
  it('checks roles', () => {
    const roles = (rs: unknown): Json => realms([{ name: 'r', roles: rs }]);
    expectOnly(roles('x'), '$.workers[0].realms[0].roles', 'expected an array of roles');
    expectOnly(roles([{ name: 'a' }, { name: 'a' }]), '$.workers[0].realms[0].roles[1].name', 'duplicate role name "a"');
    expectOnly(roles([{ name: '' }]), '$.workers[0].realms[0].roles[0].name', 'expected a non-empty string, got ""');
    expectOnly(roles([{ name: 'a', authorizer: 'x' }]), '$.workers[0].realms[0].roles[0].authorizer', 'unknown key "authorizer"');
    expectOnly(roles([{ name: 'a', permissions: {} }]), '$.workers[0].realms[0].roles[0].permissions', 'expected an array of permissions');
  });
  it('checks permissions', () => {
    expectOnly(withPermission({}), `${P0}.uri`, 'missing required key "uri"');
    expectOnly(withPermission({ uri: 'a..b' }), `${P0}.uri`, 'for match "exact", got "a..b"');
    expectOnly(withPermission({ uri: '', match: 'exact' }), `${P0}.uri`, 'expected a WAMP URI');
    expectOnly(withPermission({ uri: 'a b', match: 'prefix' }), `${P0}.uri`, 'expected a WAMP URI prefix');
    expectOnly(withPermission({ uri: 'a.#', match: 'wildcard' }), `${P0}.uri`, 'expected a WAMP wildcard pattern');
    expectOnly(withPermission({ uri: 'xbr.provider.{authId}.', match: 'prefix' }), `${P0}.uri`, 'braces are only allowed as the whole component "{authid}"');
    expectOnly(withPermission({ uri: 'xbr.provider.x{authid}.sell' }), `${P0}.uri`, 'braces are only allowed as the whole component "{authid}"');
    expectOnly(withPermission({ uri: 'a', match: 'regex' }), `${P0}.match`, 'expected one of "exact", "prefix", "wildcard", got "regex"');
    expectOnly(withPermission({ uri: 'a', allow: { call: 'yes' } }), `${P0}.allow.call`, 'expected a boolean, got "yes"');
    expectOnly(withPermission({ uri: 'a', allow: { admin: true } }), `${P0}.allow.admin`, 'unknown key "admin" (allowed: call, register, publish, subscribe)');
    expectOnly(withPermission({ uri: 'a', disclose: { callee: true } }), `${P0}.disclose.callee`, 'unknown key "callee"');
    expectOnly(withPermission({ uri: 'a', cache: 1 }), `${P0}.cache`, 'expected a boolean, got 1');
    expectOnly(withPermission({ uri: 'a', validate: {} }), `${P0}.validate`, 'unknown key "validate"');
  });
});

describe('validateNodeConfig: transports and endpoints', () => {
  it('checks the transport type, id and unknown keys', () => {
    expectOnly(withTransport({ type: 'longpoll' }), `${T0}.type`, 'expected one of "websocket", "rawsocket", "web", got "longpoll"');
    expectOnly(withTransport({ paths: {} }), `${T0}.paths`, 'unknown key "paths"');
    expectOnly(withTransport({ max_message_size: 1000 }), `${T0}.max_message_size`, 'did you mean options.max_message_size?');
    expectOnly(
      node(router({ transports: [{ type: 'websocket', id: 't', endpoint: { type: 'tcp', port: 1 } }, { type: 'websocket', id: 't', endpoint: { type: 'tcp', port: 2 } }] })),
      '$.workers[0].transports[1].id',
      'duplicate transport id "t" in this worker: already used by $.workers[0].transports[0]',
    );
    expectOnly(node(router({ transports: [{ type: 'websocket', endpoint: { type: 'tcp', port: 1 } }, { type: 'websocket', id: 'transport1', endpoint: { type: 'tcp', port: 2 } }] })), '$.workers[0].transports[1].id', 'duplicate transport id "transport1"');
    expectOnly(node(router({ transports: ['ws'] })), T0, 'expected a transport object, got "ws"');
  });
  it('checks tcp endpoints', () => {
    const ep = (endpoint: unknown): Json => withTransport({ endpoint });
    expectOnly(node(router({ transports: [{ type: 'websocket' }] })), `${T0}.endpoint`, 'missing required key "endpoint"');
    expectOnly(ep({ type: 'tls', port: 1 }), `${T0}.endpoint.type`, 'expected one of "tcp", "unix", got "tls"');
    expectOnly(ep({ type: 'tcp', port: '80a' }), `${T0}.endpoint.port`, 'expected an integer in 0..65535, got "80a"');
    expectOnly(ep({ type: 'tcp', port: 70000 }), `${T0}.endpoint.port`, 'expected an integer in 0..65535, got 70000');
    expectOnly(ep({ type: 'tcp', port: 80.5 }), `${T0}.endpoint.port`, 'got 80.5');
    expectOnly(ep({ type: 'tcp' }), `${T0}.endpoint.port`, 'missing required key "port"');
    expectOnly(ep({ type: 'tcp', port: 1, interface: '' }), `${T0}.endpoint.interface`, 'expected a non-empty string, got ""');
    expectOnly(ep({ type: 'tcp', port: 1, backlog: 0 }), `${T0}.endpoint.backlog`, 'expected an integer >= 1, got 0');
    expectOnly(ep({ type: 'tcp', port: 1, tls: {} }), `${T0}.endpoint.tls`, 'unknown key "tls"');
  });
  it('checks unix endpoints', () => {
    const ep = (endpoint: unknown): Json => withTransport({ endpoint });
    expectOnly(ep({ type: 'unix' }), `${T0}.endpoint.path`, 'missing required key "path"');
    expectOnly(ep({ type: 'unix', path: '' }), `${T0}.endpoint.path`, 'expected a non-empty string, got ""');
    expectOnly(ep({ type: 'unix', path: 'x'.repeat(120) }), `${T0}.endpoint.path`, 'expected a unix socket path of at most');
    expectOnly(ep({ type: 'unix', path: 'a.sock', port: 1 }), `${T0}.endpoint.port`, 'unknown key "port" (allowed: type, path)');
  });
  it('rejects two transports on the same tcp interface+port or unix path', () => {
    const t = (endpoint: Json): Json => ({ type: 'websocket', endpoint });
    expectOnly(
      node(router({ transports: [t({ type: 'tcp', port: 8080 }), t({ type: 'tcp', port: 8080, interface: '127.0.0.1' })] })),
      '$.workers[0].transports[1].endpoint.port',
      'tcp endpoint 127.0.0.1:8080 clashes with 127.0.0.1:8080 of $.workers[0].transports[0]',
    );
    expectOnly(
      node(router({ transports: [t({ type: 'tcp', port: 8080, interface: '0.0.0.0' })] }), router({ transports: [t({ type: 'tcp', port: 8080 })] })),
      '$.workers[1].transports[0].endpoint.port',
      'clashes with 0.0.0.0:8080 of $.workers[0].transports[0]',
    );
    ok(node(router({ transports: [t({ type: 'tcp', port: 8080, interface: '127.0.0.1' }), t({ type: 'tcp', port: 8080, interface: '127.0.0.2' })] })));
    expectOnly(
      node(router({ transports: [t({ type: 'unix', path: 'a.sock' }), t({ type: 'unix', path: '/srv/node/x/../a.sock' })] })),
      '$.workers[0].transports[1].endpoint.path',
      'unix socket "/srv/node/a.sock" is already used by $.workers[0].transports[0]',
    );
  });
  it('checks serializers', () => {
    expectOnly(withTransport({ serializers: [] }), `${T0}.serializers`, 'expected a non-empty array of "json", "msgpack", "cbor", got an empty array');
    expectOnly(withTransport({ serializers: ['json', 'json'] }), `${T0}.serializers[1]`, 'duplicate serializer "json"');
    expectOnly(withTransport({ serializers: ['json', 'ubjson'] }), `${T0}.serializers[1]`, 'expected one of "json", "msgpack", "cbor", got "ubjson"');
    expectOnly(withTransport({ serializers: 'json' }), `${T0}.serializers`, 'got "json"');
  });
  it('checks transport options', () => {
    const o = (options: Json): Json => withTransport({ options });
    const p = `${T0}.options`;
    expectOnly(o({ max_message_size: 100 }), `${p}.max_message_size`, 'expected an integer in 512..16777216, got 100');
    expectOnly(o({ max_message_size: 16 * 1024 * 1024 + 1 }), `${p}.max_message_size`, 'got 16777217');
    expectOnly(o({ max_connections: 0 }), `${p}.max_connections`, 'expected an integer >= 1, got 0');
    expectOnly(o({ open_handshake_timeout: -1 }), `${p}.open_handshake_timeout`, 'expected a number > 0, got -1');
    expectOnly(o({ auto_ping_interval: -1 }), `${p}.auto_ping_interval`, 'expected a number >= 0, got -1');
    expectOnly(o({ auto_ping_timeout: 1 }), `${p}.auto_ping_timeout`, 'unknown key "auto_ping_timeout"');
    const c = ok(o({ max_message_size: 512, max_connections: 5, open_handshake_timeout: 0.5, auto_ping_interval: 3 }));
    assert.deepEqual((c.workers[0] as RouterWorkerConfig).transports[0]?.options, { max_message_size: 512, max_connections: 5, open_handshake_timeout: 0.5, auto_ping_interval: 3 });
  });
});

describe('validateNodeConfig: web transports', () => {
  const PS = `${T0}.paths`;
  /** node(router()) with one web transport on tcp 8080; `paths` defaults to one websocket path "ws". */
  function withWeb(over: Json = {}): Json {
    return node(router({ transports: [{ type: 'web', endpoint: { type: 'tcp', port: 8080 }, paths: { ws: { type: 'websocket' } }, ...over }] }));
  }
  const web = (c: NodeConfig) => {
    const t = (c.workers[0] as RouterWorkerConfig).transports[0];
    assert.ok(t?.type === 'web', `expected a web transport, got ${t?.type}`);
    return t;
  };
  const pathDefaults = {
    serializers: ['json', 'msgpack', 'cbor'],
    auth: { anonymous: { type: 'static', role: 'anonymous' } },
    options: { max_message_size: 1048576, open_handshake_timeout: 10, auto_ping_interval: 0 },
  };

  it('fills in the defaults of a web transport and its websocket paths, keyed by URL path', () => {
    assert.deepEqual(web(ok(withWeb())), {
      type: 'web',
      id: 'transport1',
      endpoint: { type: 'tcp', port: 8080, interface: '127.0.0.1' },
      options: { max_connections: 1000 },
      paths: { '/ws': pathDefaults },
    });
    const c = ok(
      withWeb({
        id: 'web1',
        options: { max_connections: 5 },
        paths: {
          '/': { type: 'websocket', serializers: ['cbor'] },
          ws: { type: 'websocket', serializers: ['json', 'msgpack'], auth: { ticket: { type: 'static', principals: { joe: { ticket: 's', role: 'xbrmm', realm: 'realm1' } } } }, options: { max_message_size: 4096 } },
          'v1.0/a_b/c-d~': { type: 'websocket', options: { open_handshake_timeout: 2, auto_ping_interval: 5 } },
        },
      }),
    );
    assert.deepEqual(web(c), {
      type: 'web',
      id: 'web1',
      endpoint: { type: 'tcp', port: 8080, interface: '127.0.0.1' },
      options: { max_connections: 5 },
      paths: {
        '/': { ...pathDefaults, serializers: ['cbor'] },
        '/ws': {
          serializers: ['json', 'msgpack'],
          auth: { ticket: { type: 'static', principals: { joe: { ticket: 's', role: 'xbrmm', realm: 'realm1' } } } },
          options: { ...pathDefaults.options, max_message_size: 4096 },
        },
        '/v1.0/a_b/c-d~': { ...pathDefaults, options: { max_message_size: 1048576, open_handshake_timeout: 2, auto_ping_interval: 5 } },
      },
    });
  });

  it('rejects every path type but websocket, at that path, naming the type', () => {
    for (const [type, key, at] of [['static', '/', `${PS}["/"]`], ['nodeinfo', 'info', `${PS}.info`], ['wsgi', 'app', `${PS}.app`], ['reverseproxy', 'a/b', `${PS}["a/b"]`]] as const) {
      expectOnly(
        withWeb({ paths: { ws: { type: 'websocket' }, [key]: { type, directory: '../web' } } }),
        at,
        `path type "${type}" is not supported by xbr-edge: only "websocket" paths are`,
      );
    }
    // the Crossbar example: both unsupported paths are reported, the websocket path is fine
    const errs = errors(
      withWeb({
        paths: {
          '/': { type: 'static', directory: '../web' },
          ws: { type: 'websocket', serializers: ['json', 'msgpack'], options: { max_message_size: 1048576 } },
          info: { type: 'nodeinfo' },
        },
      }),
    );
    assert.equal(errs.length, 2, show(errs));
    expectSome(errs, `${PS}["/"]`, 'path type "static" is not supported by xbr-edge');
    expectSome(errs, `${PS}.info`, 'path type "nodeinfo" is not supported by xbr-edge');
    expectOnly(withWeb({ paths: { ws: {} } }), `${PS}.ws.type`, 'missing required key "type": expected "websocket" (the only path type xbr-edge supports)');
    expectOnly(withWeb({ paths: { ws: { type: 5 } } }), `${PS}.ws.type`, 'expected "websocket" (the only path type xbr-edge supports), got 5');
    expectOnly(withWeb({ paths: { ws: 'websocket' } }), `${PS}.ws`, 'expected a path service object with "type": "websocket", got "websocket"');
  });

  it('requires paths with at least one websocket path', () => {
    expectOnly(withWeb({ paths: undefined }), PS, 'missing required key "paths"');
    expectOnly(withWeb({ paths: {} }), PS, 'expected at least one path service of type "websocket" (the only path type xbr-edge supports), got an empty object');
    expectOnly(withWeb({ paths: [] }), PS, 'expected an object of path services keyed by URL path');
    const errs = errors(withWeb({ paths: { '/': { type: 'static', directory: '.' } } }));
    assert.equal(errs.length, 2, show(errs));
    expectSome(errs, `${PS}["/"]`, 'path type "static" is not supported');
    expectSome(errs, PS, 'expected at least one path service of type "websocket" (the only path type xbr-edge supports), got only paths of other types');
  });

  it('checks path keys: "/" or segments without leading or trailing slash', () => {
    const ws = { type: 'websocket' };
    expectOnly(withWeb({ paths: { '/ws': ws } }), `${PS}["/ws"]`, 'path keys have no leading "/": write "ws" for the URL path "/ws" ("/" alone is the root), got "/ws"');
    expectOnly(withWeb({ paths: { 'a/b/': ws } }), `${PS}["a/b/"]`, 'path keys have no trailing "/": write "a/b"');
    for (const key of ['', 'a//b', 'a b', '..', 'a/./b', 'ws?x=1', '//']) {
      expectOnly(withWeb({ paths: { [key]: ws } }), `${PS}[${JSON.stringify(key)}]`, `expected a path key: "/" (the root) or URL path segments separated by "/"`);
    }
  });

  it('checks the web transport keys and options, pointing misplaced settings to the right place', () => {
    expectOnly(withWeb({ serializers: ['json'] }), `${T0}.serializers`, 'a web transport sets serializers per websocket path: paths.<path>.serializers');
    expectOnly(withWeb({ auth: {} }), `${T0}.auth`, 'unknown key "auth" (allowed: type, id, endpoint, paths, options)');
    expectOnly(withWeb({ options: { max_message_size: 4096 } }), `${T0}.options.max_message_size`, "a per-path option of a web transport: set it in the websocket path's options");
    expectOnly(withWeb({ options: { max_connections: 0 } }), `${T0}.options.max_connections`, 'expected an integer >= 1, got 0');
    expectOnly(withWeb({ paths: { ws: { type: 'websocket', options: { max_connections: 5 } } } }), `${PS}.ws.options.max_connections`, 'max_connections is shared by all paths');
    expectOnly(withWeb({ paths: { ws: { type: 'websocket', options: { max_message_size: 100 } } } }), `${PS}.ws.options.max_message_size`, 'expected an integer in 512..16777216, got 100');
    expectOnly(withWeb({ paths: { ws: { type: 'websocket', serializers: ['json', 'json'] } } }), `${PS}.ws.serializers[1]`, 'duplicate serializer "json"');
    expectOnly(withWeb({ paths: { ws: { type: 'websocket', auth: {} } } }), `${PS}.ws.auth`, 'expected at least one of "anonymous"');
    expectOnly(withWeb({ paths: { ws: { type: 'websocket', cookie: {} } } }), `${PS}.ws.cookie`, 'unknown key "cookie" (allowed: type, serializers, auth, options)');
    expectOnly(withWeb({ endpoint: undefined }), `${T0}.endpoint`, 'missing required key "endpoint"');
    expectOnly(withWeb({ id: '-x' }), `${T0}.id`, 'expected an id');
  });

  it('rejects a web transport on the endpoint of another transport, either way round', () => {
    const webT = { type: 'web', endpoint: { type: 'tcp', port: 8080 }, paths: { ws: { type: 'websocket' } } };
    const wsT = { type: 'websocket', endpoint: { type: 'tcp', port: 8080, interface: '0.0.0.0' } };
    expectOnly(node(router({ transports: [wsT, webT] })), '$.workers[0].transports[1].endpoint.port', 'tcp endpoint 127.0.0.1:8080 clashes with 0.0.0.0:8080 of $.workers[0].transports[0]');
    expectOnly(node(router({ transports: [webT, wsT] })), '$.workers[0].transports[1].endpoint.port', 'tcp endpoint 0.0.0.0:8080 clashes with 127.0.0.1:8080 of $.workers[0].transports[0]');
    expectOnly(
      node(router({ transports: [{ ...webT, endpoint: { type: 'unix', path: 'a.sock' } }] }), router({ transports: [{ type: 'rawsocket', endpoint: { type: 'unix', path: 'a.sock' } }] })),
      '$.workers[1].transports[0].endpoint.path',
      'unix socket "/srv/node/a.sock" is already used by $.workers[0].transports[0]',
    );
    expectOnly(node(router({ transports: [{ ...webT, id: 'x' }, { ...wsT, id: 'x', endpoint: { type: 'tcp', port: 1 } }] })), '$.workers[0].transports[1].id', 'duplicate transport id "x"');
  });

  it("checks the realms and roles a path's auth refers to", () => {
    const ticket = (principal: Json): Json => withWeb({ paths: { ws: { type: 'websocket' }, auth: { type: 'websocket', auth: { ticket: { type: 'static', principals: { joe: { ticket: 's', ...principal } } } } } } });
    const P = `${PS}.auth.auth.ticket.principals.joe`;
    expectOnly(ticket({ role: 'ghost' }), `${P}.role`, 'role "ghost" is not defined in any realm of this worker (realms: "realm1")');
    expectOnly(ticket({ role: 'anonymous', realm: 'nowhere' }), `${P}.realm`, 'realm "nowhere" is not defined in this worker (realms: "realm1")');
    expectOnly(ticket({ role: 'ghost', realm: 'realm1' }), `${P}.role`, 'role "ghost" is not defined in realm "realm1"');
    expectOnly(withWeb({ paths: { ws: { type: 'websocket', auth: { anonymous: { type: 'static', role: 'ghost' } } } } }), `${PS}.ws.auth.anonymous.role`, 'role "ghost" is not defined');
    expectOnly(
      withWeb({ paths: { ws: { type: 'websocket', auth: { cryptosign: { type: 'dynamic', authenticator: 'com.example.auth', 'authenticator-realm': 'nowhere' } } } } }),
      `${PS}.ws.auth.cryptosign.authenticator-realm`,
      'realm "nowhere" is not defined in this worker',
    );
  });
});

describe('validateNodeConfig: authentication', () => {
  const A = `${T0}.auth`;
  it('rejects an empty auth object and unknown methods', () => {
    expectOnly(withAuth({}), A, 'expected at least one of "anonymous", "ticket", "wampcra", "cryptosign", got an empty object');
    expectOnly(withAuth({ cookie: { type: 'static' } }), `${A}.cookie`, 'unknown key "cookie"');
    expectOnly(withAuth('anonymous'), A, 'expected an object, got "anonymous"');
  });
  it('checks anonymous', () => {
    expectOnly(withAuth({ anonymous: { type: 'open' } }), `${A}.anonymous.type`, 'expected one of "static", "dynamic", got "open"');
    expectOnly(withAuth({ anonymous: {} }), `${A}.anonymous.type`, 'missing required key "type"');
    expectOnly(withAuth({ anonymous: { type: 'static', role: 'ghost' } }), `${A}.anonymous.role`, 'role "ghost" is not defined in any realm of this worker (realms: "realm1")');
    expectOnly(withAuth({ anonymous: { type: 'static', authid: 'x' } }), `${A}.anonymous.authid`, 'unknown key "authid"');
    const c = ok(withAuth({ anonymous: { type: 'static' } }));
    const t0 = (c.workers[0] as RouterWorkerConfig).transports[0];
    assert.ok(t0?.type === 'websocket');
    assert.deepEqual(t0.auth, { anonymous: { type: 'static', role: 'anonymous' } });
  });
  it('checks ticket principals', () => {
    const t = (principals: unknown): Json => withAuth({ ticket: { type: 'static', principals } });
    const p = `${A}.ticket.principals`;
    expectOnly(withAuth({ ticket: { type: 'static' } }), `${p}`, 'missing required key "principals"');
    expectOnly(t([]), p, 'expected an object keyed by authid, got an array');
    expectOnly(t({ alice: { role: 'anonymous' } }), `${p}.alice.ticket`, 'missing required key "ticket"');
    expectOnly(t({ alice: { ticket: 's', role: 'anonymous', realm: 'realm9' } }), `${p}.alice.realm`, 'realm "realm9" is not defined in this worker (realms: "realm1")');
    expectOnly(t({ alice: { ticket: 's', role: 'admin', realm: 'realm1' } }), `${p}.alice.role`, 'role "admin" is not defined in realm "realm1"');
    expectOnly(t({ 'bob@example': { ticket: 's' } }), `${p}["bob@example"].role`, 'missing required key "role"');
    expectOnly(t({ alice: { ticket: 's', role: 'xbrmm', password: 'x' } }), `${p}.alice.password`, 'unknown key "password"');
  });
  it('checks wampcra users', () => {
    const w = (users: unknown): Json => withAuth({ wampcra: { type: 'static', users } });
    const p = `${A}.wampcra.users`;
    expectOnly(w({ bob: { secret: 's', role: 'xbrmm', salt: 'x' } }), `${p}.bob`, 'expected salt, iterations and keylen together or none of them, got salt without iterations, keylen');
    expectOnly(w({ bob: { secret: 's', role: 'xbrmm', salt: 'x', iterations: 0, keylen: 32 } }), `${p}.bob.iterations`, 'expected an integer >= 1, got 0');
    expectOnly(w({ bob: { role: 'xbrmm' } }), `${p}.bob.secret`, 'missing required key "secret"');
    expectOnly(withAuth({ wampcra: { type: 'static', users: {}, principals: {} } }), `${A}.wampcra.principals`, 'unknown key "principals" (allowed: type, users)');
  });
  it('checks cryptosign principals', () => {
    const cs = (principals: unknown): Json => withAuth({ cryptosign: { type: 'static', principals } });
    const p = `${A}.cryptosign.principals`;
    expectOnly(cs({ carol: { authorized_keys: ['abc'], role: 'xbrmm' } }), `${p}.carol.authorized_keys[0]`, 'expected an Ed25519 public key (64 hex characters), got "abc"');
    expectOnly(cs({ carol: { authorized_keys: [], role: 'xbrmm' } }), `${p}.carol.authorized_keys`, 'expected a non-empty array of Ed25519 public keys (64 hex characters), got an empty array');
    expectOnly(cs({ carol: { role: 'xbrmm' } }), `${p}.carol.authorized_keys`, 'missing required key "authorized_keys"');
    expectOnly(cs({ carol: { authorized_keys: [KEY_A], role: 'xbrmm' }, dave: { authorized_keys: [KEY_B, KEY_A.toUpperCase()], role: 'xbrmm' } }), `${p}.dave.authorized_keys[1]`, 'key is already authorized for principal "carol"');
  });
  it('checks dynamic authenticators', () => {
    expectOnly(withAuth({ cryptosign: { type: 'dynamic' } }), `${A}.cryptosign.authenticator`, 'missing required key "authenticator"');
    expectOnly(withAuth({ ticket: { type: 'dynamic', authenticator: 'not a uri' } }), `${A}.ticket.authenticator`, 'expected a WAMP URI');
    expectOnly(withAuth({ cryptosign: { type: 'dynamic', authenticator: 'a.b', 'authenticator-realm': 'nope' } }), `${A}.cryptosign.authenticator-realm`, 'realm "nope" is not defined in this worker');
    expectOnly(withAuth({ wampcra: { type: 'dynamic', authenticator: 'a.b', principals: {} } }), `${A}.wampcra.principals`, 'unknown key "principals"');
  });
});

describe('validateNodeConfig: xbrmm and guest workers', () => {
  it('checks the xbrmm worker shape', () => {
    expectOnly(node({ type: 'xbrmm', makers: [] }), '$.workers[0].options', 'missing required key "options"');
    expectOnly(node({ type: 'xbrmm', options: {}, makers: [] }), '$.workers[0].options.extra', 'missing required key "extra"');
    expectOnly(node({ type: 'xbrmm', options: { extra: [] }, makers: [] }), '$.workers[0].options.extra', 'expected an object, got an array');
    expectOnly(node({ type: 'xbrmm', options: { extra: MM_EXTRA, cpu_affinity: [1] }, makers: [] }), '$.workers[0].options.cpu_affinity', 'unknown key "cpu_affinity"');
    expectOnly(node({ type: 'xbrmm', options: { extra: MM_EXTRA } }), '$.workers[0].makers', 'missing required key "makers"');
    expectOnly(node({ type: 'xbrmm', options: { extra: MM_EXTRA }, makers: ['maker1'] }), '$.workers[0].makers[0]', 'expected a maker object, got "maker1"');
  });
  it('checks the guest worker shape', () => {
    const g = (over: Json): Json => node({ type: 'guest', executable: 'node', ...over });
    expectOnly(node({ type: 'guest' }), '$.workers[0].executable', 'missing required key "executable": expected a non-empty string');
    expectOnly(g({ executable: '' }), '$.workers[0].executable', 'expected a non-empty string, got ""');
    expectOnly(g({ arguments: ['a', 1] }), '$.workers[0].arguments[1]', 'expected a string, got 1');
    expectOnly(g({ arguments: 'a b' }), '$.workers[0].arguments', 'expected an array of strings, got "a b"');
    const o = (options: Json): Json => g({ options });
    const p = '$.workers[0].options';
    expectOnly(o({ stdout: 'file' }), `${p}.stdout`, 'expected one of "log", "drop", "close", got "file"');
    expectOnly(o({ stderr: true }), `${p}.stderr`, 'got true');
    expectOnly(o({ workdir: '' }), `${p}.workdir`, 'expected a non-empty string, got ""');
    expectOnly(o({ stop_timeout: 41 }), `${p}.stop_timeout`, 'expected a number > 0 and <= 40, got 41');
    expectOnly(o({ stop_timeout: 0 }), `${p}.stop_timeout`, 'got 0');
    expectOnly(o({ ready: { type: 'tcp' } }), `${p}.ready.port`, 'missing required key "port": expected an integer in 1..65535');
    expectOnly(o({ ready: { type: 'tcp', port: 0 } }), `${p}.ready.port`, 'expected an integer in 1..65535, got 0');
    expectOnly(o({ ready: { type: 'log', pattern: 'x' } }), `${p}.ready.type`, 'expected one of "started", "tcp", got "log"');
    expectOnly(o({ ready: { type: 'started', port: 1 } }), `${p}.ready.port`, 'unknown key "port" (allowed: type)');
    expectOnly(o({ ready: 'tcp' }), `${p}.ready`, 'got "tcp"');
    expectOnly(o({ env: { vars: { '': 'x' } } }), `${p}.env.vars[""]`, 'expected an environment variable name');
    expectOnly(o({ stdin: 'close' }), `${p}.stdin`, 'unknown key "stdin"');
  });
});

describe('validateNodeConfig: collects every problem', () => {
  it('reports all errors of a config at once, one per problem', () => {
    const errs = errors({
      version: 3,
      extra: true,
      controller: { options: { shutdown_timeout: 60 } },
      workers: [
        router({
          transports: [
            { type: 'websocket', endpoint: { type: 'tcp', port: '80a' }, serializers: ['json', 'json'] },
            { type: 'rawsocket', endpoint: { type: 'unix' }, auth: {} },
          ],
        }),
        { type: 'guest' },
        { type: 'xbrmm', options: { extra: MM_EXTRA }, makers: {} },
      ],
    });
    expectSome(errs, '$.version', 'got 3');
    expectSome(errs, '$.extra', 'unknown key "extra"');
    expectSome(errs, '$.controller.options.shutdown_timeout', 'got 60');
    expectSome(errs, '$.workers[0].transports[0].endpoint.port', 'expected an integer in 0..65535, got "80a"');
    expectSome(errs, '$.workers[0].transports[0].serializers[1]', 'duplicate serializer');
    expectSome(errs, '$.workers[0].transports[1].endpoint.path', 'missing required key "path"');
    expectSome(errs, '$.workers[0].transports[1].auth', 'got an empty object');
    expectSome(errs, '$.workers[1].executable', 'missing required key "executable"');
    expectSome(errs, '$.workers[2].makers', 'expected an array of maker objects, got an object');
    assert.equal(errs.length, 9, show(errs));
  });
});

describe('loadConfigFile and resolveNodePaths', () => {
  it('reads JSON, reporting a missing file and syntax errors with line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xbr-load-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, '{"version": 2}');
      assert.deepEqual(loadConfigFile(good), { raw: { version: 2 } });
      const missing = loadConfigFile(join(dir, 'nope.json'));
      assert.ok('errors' in missing);
      assert.match(missing.errors[0]?.message ?? '', /cannot read config file .*nope\.json: file not found/);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{\n  "version": 2,\n  "workers": [}\n');
      const r = loadConfigFile(bad);
      assert.ok('errors' in r);
      assert.equal(r.errors[0]?.path, '$');
      assert.match(r.errors[0]?.message ?? '', /invalid JSON in .*bad\.json at line 3, column 15/);
      const dup = join(dir, 'dup.json');
      writeFileSync(dup, '{"version": 2,\n "version": 3}');
      const d = loadConfigFile(dup);
      assert.ok('errors' in d);
      assert.match(d.errors[0]?.message ?? '', /line 2, column \d+: Duplicate key 'version'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resolves --cbdir and --config like Crossbar', () => {
    assert.deepEqual(resolveNodePaths([], '/home/u'), { kind: 'run', cbdir: '/home/u', config: '/home/u/router-config.json' });
    assert.deepEqual(resolveNodePaths(['--cbdir', 'node', '--config', 'c.json'], '/home/u'), { kind: 'run', cbdir: '/home/u/node', config: '/home/u/node/c.json' });
    assert.deepEqual(resolveNodePaths(['--config=/etc/x.json', '--cbdir=/srv'], '/home/u'), { kind: 'run', cbdir: '/srv', config: '/etc/x.json' });
    assert.equal(resolveNodePaths(['--help']).kind, 'help');
    const e = resolveNodePaths(['--cbdir']);
    assert.ok(e.kind === 'error' && e.message.includes('--cbdir needs a value'));
    const u = resolveNodePaths(['--verbose']);
    assert.ok(u.kind === 'error' && u.message.includes('unknown argument "--verbose"'));
  });
});

describe('validateNodeConfig: xbrmm blockchain', () => {
  const B = '$.workers[0].options.extra.blockchain';
  const CONTRACTS = {
    token: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    network: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    catalog: '0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb',
    market: '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
    channel: '0x52908400098527886E0F7030069857D2E4169EE7',
  };
  const GATEWAY = { type: 'user', http: 'https://rpc.example.org/v1' };

  function xbrmm(blockchain: unknown): Json {
    return node({ type: 'xbrmm', options: { extra: { database: { type: 'cfxdb', path: '.xbrmm' }, blockchain } }, makers: [MAKER] });
  }
  function blockchainOf(c: NodeConfig): BlockchainConfig | undefined {
    const w = c.workers[0];
    assert.ok(w?.type === 'xbrmm');
    return w.options.extra.blockchain;
  }

  it('accepts inline contract addresses, normalised to EIP-55', () => {
    const b = blockchainOf(ok(xbrmm({ type: 'ethereum', gateway: GATEWAY, chain_id: 100, from_block: 0, contracts: CONTRACTS })));
    assert.deepEqual(b, {
      type: 'ethereum',
      gateway: GATEWAY,
      chain_id: 100,
      from_block: 0,
      confirmations: 1,
      poll_interval: 1,
      contracts: { ...CONTRACTS, catalog: '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB' },
    });
    const ws = blockchainOf(ok(xbrmm({ type: 'ethereum', gateway: { type: 'user', http: 'ws://127.0.0.1:8545' }, confirmations: 12, contracts: CONTRACTS })));
    assert.equal(ws?.confirmations, 12);
    assert.equal(ws?.gateway.http, 'ws://127.0.0.1:8545');
  });

  it('accepts a devchain.json deployment, resolved against cbdir', () => {
    const b = blockchainOf(ok(xbrmm({ type: 'ethereum', gateway: { type: 'user', http: 'http://localhost:8545' }, deployment: '.xbr-edge/devchain.json' })));
    assert.deepEqual(b, { type: 'ethereum', gateway: { type: 'user', http: 'http://localhost:8545' }, confirmations: 1, poll_interval: 1, deployment: '/srv/node/.xbr-edge/devchain.json' });
    const abs = blockchainOf(ok(xbrmm({ type: 'ethereum', gateway: GATEWAY, deployment: '/var/lib/xbr/devchain.json' })));
    assert.ok(abs !== undefined && 'deployment' in abs && abs.deployment === '/var/lib/xbr/devchain.json');
  });

  it('rejects a gateway URL that is not http(s) or ws(s)', () => {
    expectOnly(xbrmm({ type: 'ethereum', gateway: { type: 'user', http: 'localhost:8545' }, contracts: CONTRACTS }), `${B}.gateway.http`, 'expected an http(s) or ws(s) JSON-RPC URL, got "localhost:8545"');
    expectOnly(xbrmm({ type: 'ethereum', gateway: { type: 'user', http: 'ftp://example.org' }, contracts: CONTRACTS }), `${B}.gateway.http`, 'JSON-RPC URL');
    expectOnly(xbrmm({ type: 'ethereum', gateway: { type: 'user' }, contracts: CONTRACTS }), `${B}.gateway.http`, 'missing required key "http"');
    expectOnly(xbrmm({ type: 'ethereum', contracts: CONTRACTS }), `${B}.gateway`, 'missing required key "gateway"');
  });

  it('rejects the original infura and auto gateways', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} placeholder in a config value, not a template
    for (const gateway of [{ type: 'infura', network: 'mainnet', key: '${INFURA_KEY}', secret: 'x' }, { type: 'auto' }]) {
      expectOnly(
        xbrmm({ type: 'ethereum', gateway, contracts: CONTRACTS }),
        `${B}.gateway.type`,
        `unsupported gateway type ${JSON.stringify(gateway.type)}: only "user" gateways (a JSON-RPC URL in "http") are supported`,
      );
    }
  });

  it('rejects a bad address checksum or a malformed address', () => {
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, contracts: { ...CONTRACTS, market: '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDB' } }), `${B}.contracts.market`, 'valid EIP-55 checksum, got "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDB"');
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, contracts: { ...CONTRACTS, token: '5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' } }), `${B}.contracts.token`, 'a 0x-prefixed 40-digit hex address');
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, contracts: { ...CONTRACTS, channel: undefined } }), `${B}.contracts.channel`, 'missing required key "channel"');
  });

  it('requires exactly one of contracts or deployment', () => {
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY }), B, 'exactly one of "contracts" (the XBR contract addresses) or "deployment" (a devchain.json path) is required, got neither');
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, contracts: CONTRACTS, deployment: 'devchain.json' }), B, 'exactly one of "contracts"');
    expectSome(errors(xbrmm({ type: 'ethereum', gateway: GATEWAY, contracts: CONTRACTS, deployment: 'devchain.json' })), B, 'got both');
  });

  it('rejects a bad chain_id, from_block, confirmations, type or unknown key', () => {
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, chain_id: 0, contracts: CONTRACTS }), `${B}.chain_id`, 'expected an integer >= 1, got 0');
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, chain_id: '1337', contracts: CONTRACTS }), `${B}.chain_id`, 'expected an integer >= 1, got "1337"');
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, from_block: -1, contracts: CONTRACTS }), `${B}.from_block`, 'expected an integer >= 0, got -1');
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, confirmations: 0, contracts: CONTRACTS }), `${B}.confirmations`, 'expected an integer >= 1, got 0');
    expectOnly(xbrmm({ type: 'bitcoin', gateway: GATEWAY, contracts: CONTRACTS }), `${B}.type`, 'expected one of "ethereum", got "bitcoin"');
    expectOnly(xbrmm({ type: 'ethereum', gateway: GATEWAY, key: 'k', contracts: CONTRACTS }), `${B}.key`, 'unknown key "key"');
    expectOnly(xbrmm('ethereum'), B, 'expected an object, got "ethereum"');
  });
});

describe('validateNodeConfig: xbrmm ipfs', () => {
  const I = '$.workers[0].options.extra.ipfs';
  function xbrmm(ipfs: unknown): Json {
    return node({ type: 'xbrmm', options: { extra: { ...MM_EXTRA, ipfs } }, makers: [MAKER] });
  }
  function ipfsOf(c: NodeConfig): unknown {
    const w = c.workers[0];
    assert.ok(w?.type === 'xbrmm');
    return w.options.extra.ipfs;
  }

  it('fills in the defaults and resolves the directory against cbdir; absent means no fetcher', () => {
    assert.deepEqual(ipfsOf(ok(xbrmm({ url: 'http://127.0.0.1:5001/api/v0', directory: '.xbr-edge/ipfs-files' }))), {
      url: 'http://127.0.0.1:5001/api/v0',
      directory: join(CBDIR, '.xbr-edge/ipfs-files'),
      timeout: 10_000,
      max_size: 1_048_576,
      concurrency: 4,
      retry_initial: 5_000,
      retry_max: 3_600_000,
    });
    const all = { url: 'https://ipfs.example.org/api/v0', directory: '/var/xbr/files', timeout: 2_000, max_size: 4096, concurrency: 1, retry_initial: 10, retry_max: 10 };
    assert.deepEqual(ipfsOf(ok(xbrmm(all))), all);
    const w = ok(node({ type: 'xbrmm', options: { extra: MM_EXTRA }, makers: [MAKER] })).workers[0];
    assert.ok(w?.type === 'xbrmm' && w.options.extra.ipfs === undefined);
  });

  it('one clear error per bad key, at its path', () => {
    const base = { url: 'http://127.0.0.1:5001/api/v0', directory: 'files' };
    expectOnly(xbrmm({ directory: 'files' }), `${I}.url`, 'missing required key "url"');
    expectOnly(xbrmm({ ...base, url: 'ftp://127.0.0.1/api/v0' }), `${I}.url`, 'an http(s) URL of a Kubo RPC API');
    expectOnly(xbrmm({ ...base, url: '127.0.0.1:5001' }), `${I}.url`, 'an http(s) URL');
    expectOnly(xbrmm({ url: base.url }), `${I}.directory`, 'missing required key "directory"');
    expectOnly(xbrmm({ ...base, directory: '' }), `${I}.directory`, 'expected');
    expectOnly(xbrmm({ ...base, timeout: 0 }), `${I}.timeout`, 'expected');
    expectOnly(xbrmm({ ...base, max_size: 2 ** 31 }), `${I}.max_size`, 'expected');
    expectOnly(xbrmm({ ...base, concurrency: 65 }), `${I}.concurrency`, 'expected');
    expectOnly(xbrmm({ ...base, retry_initial: 60_000, retry_max: 1_000 }), `${I}.retry_max`, 'must be at least retry_initial');
    expectOnly(xbrmm({ ...base, gateway: 'x' }), `${I}.gateway`, 'unknown key "gateway"');
    expectOnly(xbrmm('http://127.0.0.1:5001/api/v0'), I, 'expected an object');
  });
});
