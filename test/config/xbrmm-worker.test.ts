import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateNodeConfig, type ConfigError } from '../../config/index.js';

const CHAIN = { type: 'ethereum', gateway: { type: 'user', http: 'http://127.0.0.1:8545' }, deployment: 'devchain.json' };
const maker = (i: number, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: `m${i}`,
  key: `m${i}.key`,
  database: { path: `m${i}.db` },
  connection: { realm: `realm${i}`, transport: { type: 'websocket', endpoint: { type: 'tcp', port: 8080 } } },
  ...over,
});
function errs(makers: unknown[], extra: Record<string, unknown> = { database: { path: 'w.db' }, blockchain: CHAIN }): ConfigError[] {
  const r = validateNodeConfig({ version: 2, workers: [{ type: 'xbrmm', options: { extra }, makers }] }, { cbdir: '/n' });
  return 'errors' in r ? r.errors : [];
}
function only(e: ConfigError[], path: string, fragment: string): void {
  assert.equal(e.length, 1, JSON.stringify(e));
  assert.equal(e[0]?.path, path);
  assert.ok(e[0]?.message.includes(fragment), e[0]?.message);
}
const M = '$.workers[0].makers';

describe('xbrmm worker config: database, makers, connections', () => {
  it('accepts makers with defaults filled in and paths resolved', () => {
    const r = validateNodeConfig({ version: 2, workers: [{ type: 'xbrmm', options: { extra: { database: { path: 'w.db', maxsize: 1 << 20 }, blockchain: CHAIN } }, makers: [maker(1, { id: undefined })] }] }, { cbdir: '/n' });
    assert.ok('config' in r, JSON.stringify(r));
    const w = r.config.workers[0];
    assert.ok(w?.type === 'xbrmm');
    assert.deepEqual(w.options.extra.database, { path: '/n/w.db', maxsize: 1 << 20 });
    assert.deepEqual(w.makers[0], {
      id: 'maker1',
      key: '/n/m1.key',
      database: { path: '/n/m1.db' },
      connection: { realm: 'realm1', transport: { type: 'websocket', endpoint: { type: 'tcp', host: '127.0.0.1', port: 8080 }, url: 'ws://127.0.0.1:8080/', serializers: ['cbor'] } },
    });
  });
  it('requires database and blockchain in extra', () => {
    only(errs([], { blockchain: CHAIN }), '$.workers[0].options.extra.database', 'missing required key "database"');
    only(errs([], { database: { path: 'w' } }), '$.workers[0].options.extra.blockchain', 'missing required key "blockchain"');
    only(errs([], { database: { path: 'w', maxsize: 10 }, blockchain: CHAIN }), '$.workers[0].options.extra.database.maxsize', 'expected an integer in');
    only(errs([], { database: { path: 'w', dbpath: 'x' }, blockchain: CHAIN }), '$.workers[0].options.extra.database.dbpath', 'unknown key "dbpath"');
    only(errs([], { database: { path: 'w' }, blockchain: { ...CHAIN, poll_interval: 0 } }), '$.workers[0].options.extra.blockchain.poll_interval', 'expected a number');
  });
  it('checks each maker with its JSON path', () => {
    only(errs([maker(1, { key: undefined })]), `${M}[0].key`, 'missing required key "key"');
    only(errs([maker(1, { database: undefined })]), `${M}[0].database`, 'missing required key "database"');
    only(errs([maker(1, { blockchain: {} })]), `${M}[0].blockchain`, 'unknown key "blockchain"');
    only(errs([maker(1, { connection: { transport: { type: 'websocket', endpoint: { type: 'tcp', port: 1 } } } })]), `${M}[0].connection.realm`, 'missing required key "realm"');
    only(errs([maker(1, { connection: { realm: 'r', transport: { type: 'rawsocket', endpoint: { type: 'unix', path: 'x' } } } })]), `${M}[0].connection.transport.type`, 'WebSocket');
    only(errs([maker(1, { connection: { realm: 'r', transport: { type: 'websocket', endpoint: { type: 'tcp' } } } })]), `${M}[0].connection.transport.endpoint.port`, 'missing required key "port"');
    only(errs([maker(1, { connection: { realm: 'r', transport: { type: 'websocket', endpoint: { type: 'tcp', port: 1 }, serializers: ['json'] } } })]), `${M}[0].connection.transport.serializers[0]`, 'binary serializer');
    only(errs([maker(1, { connection: { realm: 'r', transport: { type: 'websocket', endpoint: { type: 'tcp', port: 1 }, url: 'http://x/' } } })]), `${M}[0].connection.transport.url`, 'ws://');
  });
  it('refuses two makers with the same id, realm, key or database', () => {
    only(errs([maker(1), maker(2, { id: 'm1' })]), `${M}[1].id`, 'maker id "m1" is already used by $.workers[0].makers[0].id');
    only(errs([maker(1), maker(2, { connection: maker(1)['connection'] })]), `${M}[1].connection.realm`, 'realm "realm1" is already used');
    only(errs([maker(1), maker(2, { key: 'm1.key' })]), `${M}[1].key`, '"/n/m1.key" is already used by $.workers[0].makers[0].key');
    only(errs([maker(1), maker(2, { database: { path: 'm1.db' } })]), `${M}[1].database.path`, 'database "/n/m1.db" is already used');
    only(errs([maker(1, { database: { path: 'w.db' } })]), `${M}[0].database.path`, "is the worker's database");
  });
});
