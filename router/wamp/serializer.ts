import type { SerializerName } from '../../config/index.js';

/**
 * Turns WAMP messages into transport payloads and back. Implementations must keep integers exact
 * (safe integers as `number`, larger ones as `bigint`) and bytes as `Uint8Array`, whatever the peer
 * serializer, so a message can be re-encoded for a peer with another serializer without loss.
 */
export interface Serializer {
  readonly name: SerializerName;
  /** True if payloads go in binary WebSocket frames (msgpack, cbor); JSON goes in text frames. */
  readonly binary: boolean;
  encode(message: readonly unknown[]): Buffer;
  /** Text serializers (JSON) only: the payload as a string, which a transport can encode straight into its frame. */
  encodeText?(message: readonly unknown[]): string;
  /** Throws a WampError(`wamp.error.protocol_violation`) if the payload cannot be decoded. */
  decode(payload: Buffer): unknown;
}
