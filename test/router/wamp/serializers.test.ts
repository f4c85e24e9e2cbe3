import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as wamp from '../../../router/wamp/index.js';
import {
  getSerializer,
  RAWSOCKET_SERIALIZER_IDS,
  serializerForRawSocketId,
  serializerForSubprotocol,
  serializerNameForRawSocketId,
  serializerNameForSubprotocol,
  SUBPROTOCOLS,
} from '../../../router/wamp/serializers.js';
import type { Serializer } from '../../../router/wamp/serializer.js';
import { sampleMessage, toHex } from './helpers.js';

const all: Serializer[] = [getSerializer('json'), getSerializer('msgpack'), getSerializer('cbor')];

describe('serializer registry', () => {
  it('returns stateless singletons by name', () => {
    assert.equal(getSerializer('json'), wamp.jsonSerializer);
    assert.equal(getSerializer('msgpack'), wamp.msgpackSerializer);
    assert.equal(getSerializer('cbor'), wamp.cborSerializer);
    assert.equal(getSerializer('cbor'), getSerializer('cbor'));
    for (const s of all) assert.ok(Object.isFrozen(s));
    assert.deepEqual(all.map((s) => [s.name, s.binary]), [['json', false], ['msgpack', true], ['cbor', true]]);
  });

  it('maps WebSocket subprotocols both ways', () => {
    assert.deepEqual(SUBPROTOCOLS, { json: 'wamp.2.json', msgpack: 'wamp.2.msgpack', cbor: 'wamp.2.cbor' });
    assert.equal(serializerForSubprotocol('wamp.2.json'), wamp.jsonSerializer);
    assert.equal(serializerForSubprotocol('wamp.2.msgpack'), wamp.msgpackSerializer);
    assert.equal(serializerForSubprotocol('wamp.2.cbor'), wamp.cborSerializer);
    assert.equal(serializerNameForSubprotocol('wamp.2.cbor'), 'cbor');
    for (const unknown of ['wamp.2.ubjson', 'wamp.2.msgpack.batched', 'WAMP.2.JSON', '', 'toString', '__proto__']) {
      assert.equal(serializerForSubprotocol(unknown), undefined, unknown);
      assert.equal(serializerNameForSubprotocol(unknown), undefined, unknown);
    }
  });

  it('maps RawSocket serializer ids both ways', () => {
    assert.deepEqual(RAWSOCKET_SERIALIZER_IDS, { json: 1, msgpack: 2, cbor: 3 });
    assert.equal(serializerForRawSocketId(1), wamp.jsonSerializer);
    assert.equal(serializerForRawSocketId(2), wamp.msgpackSerializer);
    assert.equal(serializerForRawSocketId(3), wamp.cborSerializer);
    assert.equal(serializerNameForRawSocketId(2), 'msgpack');
    for (const id of [0, 4, 5, 15, -1, 1.5, NaN]) {
      assert.equal(serializerForRawSocketId(id), undefined, String(id));
      assert.equal(serializerNameForRawSocketId(id), undefined, String(id));
    }
  });
});

describe('cross-serializer round trips', () => {
  for (const from of all) {
    for (const to of all) {
      it(`${from.name} -> ${to.name}`, () => {
        const message = sampleMessage();
        const received = from.decode(from.encode(message)) as unknown[];
        const forwarded = to.decode(to.encode(received));
        assert.deepEqual(forwarded, message);
      });
    }
  }

  it('forwards a JSON peer integer 2^40 to msgpack and CBOR peers as an integer', () => {
    const received = wamp.jsonSerializer.decode(Buffer.from('[36,1099511627776,2,{},["\\u0000AQI="]]')) as unknown[];
    assert.equal(toHex(wamp.msgpackSerializer.encode(received)), '95' + '24' + 'cf0000010000000000' + '02' + '80' + '91c4020102');
    assert.equal(toHex(wamp.cborSerializer.encode(received)), '85' + '1824' + '1b0000010000000000' + '02' + 'a0' + '81420102');
  });

  it('forwards a msgpack peer uint64 beyond 2^53 to a JSON peer as a plain integer', () => {
    const received = wamp.msgpackSerializer.decode(Buffer.from('92cfffffffffffffffffc40101', 'hex')) as unknown[];
    assert.equal(wamp.jsonSerializer.encode(received).toString(), '[18446744073709551615,"\\u0000AQ=="]');
  });
});
