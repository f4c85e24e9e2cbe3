import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Broker } from '../../../router/core/broker.js';
import { RoleAuthorizer } from '../../../config/permissions/authorizer.js';
import { IdSequence } from '../../../router/core/ids.js';
import { Session, parseFeatures } from '../../../router/core/session.js';
import type { Connection } from '../../../router/core/connection.js';
import type { Serializer } from '../../../router/wamp/serializer.js';
import { getSerializer } from '../../../router/wamp/serializers.js';
import { MessageType } from '../../../router/wamp/messages.js';
import { createLogger } from '../../../schema/log.js';

/** A serializer that counts how often it encodes, around a real one. */
function counting(name: 'json' | 'msgpack'): Serializer & { encodes: number } {
  const real = getSerializer(name);
  const s = {
    name: real.name,
    binary: real.binary,
    encodes: 0,
    decode: real.decode,
    encode: (m: readonly unknown[]) => {
      s.encodes++;
      return real.encode(m);
    },
  };
  return s;
}

function fakeConnection(serializer: Serializer): Connection & { received: unknown[] } {
  const received: unknown[] = [];
  return {
    serializer,
    details: { type: 'websocket', transport_id: 't', peer: 'unix', protocol: `wamp.2.${serializer.name}` },
    received,
    send: (m) => received.push(serializer.decode(serializer.encode(m))),
    sendEncoded: (payload) => received.push(serializer.decode(payload)),
    close: () => {},
  };
}

let nextId = 1;
function session(connection: Connection, authid = `user${nextId}`, authrole = 'user'): Session {
  return new Session(nextId++, 'realm1', { authid, authrole, authmethod: 'anonymous', authprovider: 'static', authextra: {} }, parseFeatures({ subscriber: {}, publisher: {} }), connection);
}

const everything = [{ uri: '', match: 'prefix' as const, allow: { call: true, register: true, publish: true, subscribe: true }, disclose: { caller: false, publisher: true }, cache: true }];
const allowAll = new RoleAuthorizer([
  { name: 'user', permissions: everything },
  { name: 'admin', permissions: everything },
]);

test('one publication is encoded once per serializer, and every subscriber decodes the same event', () => {
  const broker = new Broker(allowAll, new IdSequence(), createLogger({}, 'error'));
  const json = counting('json');
  const msgpack = counting('msgpack');
  const conns = [fakeConnection(json), fakeConnection(json), fakeConnection(msgpack), fakeConnection(json)];
  const sessions = conns.map((c) => session(c));
  for (const [i, s] of sessions.entries()) broker.subscribe(s, { type: MessageType.SUBSCRIBE, request: i + 1, options: {}, topic: 'com.data' });
  const publisher = session(fakeConnection(counting('json')), 'pub');
  json.encodes = 0;
  msgpack.encodes = 0;
  broker.publish(publisher, { type: MessageType.PUBLISH, request: 9, options: {}, topic: 'com.data', args: [Buffer.from([1, 2, 3]), 2 ** 40], kwargs: { k: 'v' } });
  assert.equal(json.encodes, 1, 'three JSON subscribers share one encoding');
  assert.equal(msgpack.encodes, 1);
  const events = conns.map((c) => c.received.at(-1) as unknown[]);
  for (const e of events) {
    assert.equal(e[0], MessageType.EVENT);
    assert.deepEqual([...(e[4] as unknown[])[0] as Buffer], [1, 2, 3]);
    assert.equal((e[4] as unknown[])[1], 2 ** 40);
    assert.deepEqual(e[5], { k: 'v' });
    assert.deepEqual(e[3], { publisher: publisher.id, publisher_authid: 'pub', publisher_authrole: 'user' });
  }
  assert.equal(new Set(events.map((e) => e[2])).size, 1, 'same publication id for all');
});

test('eligible/exclude filters and exclude_me pick exactly the intended receivers', () => {
  const broker = new Broker(allowAll, new IdSequence(), createLogger({}, 'error'));
  const conns = [0, 1, 2, 3].map(() => fakeConnection(getSerializer('json')));
  const [a, b, c, d] = [session(conns[0]!, 'alice'), session(conns[1]!, 'bob'), session(conns[2]!, 'carol', 'admin'), session(conns[3]!, 'dave')];
  for (const s of [a!, b!, c!, d!]) broker.subscribe(s, { type: MessageType.SUBSCRIBE, request: 1, options: {}, topic: 'com.t' });
  const got = (): string[] => conns.map((x, i) => (x.received.some((m) => (m as unknown[])[0] === MessageType.EVENT) ? 'abcd'[i]! : '')).filter(Boolean);
  const clear = (): void => {
    for (const x of conns) x.received.length = 0;
  };
  const publish = (from: Session, options: Record<string, unknown>): void => broker.publish(from, { type: MessageType.PUBLISH, request: 2, options, topic: 'com.t' });

  clear(); publish(a!, {});
  assert.deepEqual(got(), ['b', 'c', 'd'], 'exclude_me by default');
  clear(); publish(a!, { exclude_me: false });
  assert.deepEqual(got(), ['a', 'b', 'c', 'd']);
  clear(); publish(a!, { eligible: [b!.id, c!.id] });
  assert.deepEqual(got(), ['b', 'c']);
  clear(); publish(a!, { exclude: [b!.id] });
  assert.deepEqual(got(), ['c', 'd']);
  clear(); publish(a!, { eligible_authrole: ['admin'] });
  assert.deepEqual(got(), ['c']);
  clear(); publish(a!, { exclude_authid: ['dave', 'carol'] });
  assert.deepEqual(got(), ['b']);
  clear(); publish(a!, { eligible_authid: ['bob', 'dave'], exclude: [d!.id] });
  assert.deepEqual(got(), ['b']);
  clear(); publish(a!, { eligible: 'bob', acknowledge: true });
  assert.deepEqual(got(), [], 'a malformed list delivers nothing');
  const reply = conns[0]!.received.at(-1) as unknown[];
  assert.deepEqual([reply[0], reply[4]], [MessageType.ERROR, 'wamp.error.invalid_argument']);
});
