import type { SerializerName } from '../../config/index.js';
import { cborSerializer } from './cbor.js';
import { jsonSerializer } from './json.js';
import { msgpackSerializer } from './msgpack.js';
import type { Serializer } from './serializer.js';

const BY_NAME: Readonly<Record<SerializerName, Serializer>> = Object.freeze({
  json: jsonSerializer,
  msgpack: msgpackSerializer,
  cbor: cborSerializer,
});

export function getSerializer(name: SerializerName): Serializer {
  return BY_NAME[name];
}

/** WebSocket subprotocol of each serializer. */
export const SUBPROTOCOLS: Readonly<Record<SerializerName, string>> = Object.freeze({
  json: 'wamp.2.json',
  msgpack: 'wamp.2.msgpack',
  cbor: 'wamp.2.cbor',
});

const BY_SUBPROTOCOL: ReadonlyMap<string, SerializerName> = new Map(
  (Object.keys(SUBPROTOCOLS) as SerializerName[]).map((name) => [SUBPROTOCOLS[name], name]),
);

export function serializerNameForSubprotocol(protocol: string): SerializerName | undefined {
  return BY_SUBPROTOCOL.get(protocol);
}

export function serializerForSubprotocol(protocol: string): Serializer | undefined {
  const name = BY_SUBPROTOCOL.get(protocol);
  return name === undefined ? undefined : BY_NAME[name];
}

/** Serializer ids of the RawSocket handshake (as assigned by Crossbar/Autobahn). */
export const RAWSOCKET_SERIALIZER_IDS: Readonly<Record<SerializerName, number>> = Object.freeze({
  json: 1,
  msgpack: 2,
  cbor: 3,
});

const BY_RAWSOCKET_ID: readonly (SerializerName | undefined)[] = [undefined, 'json', 'msgpack', 'cbor'];

export function serializerNameForRawSocketId(id: number): SerializerName | undefined {
  return BY_RAWSOCKET_ID[id];
}

export function serializerForRawSocketId(id: number): Serializer | undefined {
  const name = BY_RAWSOCKET_ID[id];
  return name === undefined ? undefined : BY_NAME[name];
}
