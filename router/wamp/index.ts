export { MessageType } from './messages.js';
export type { ClientMessage, Dict, MessageTypeCode, WampId, WireMessage } from './messages.js';
export type { Serializer } from './serializer.js';
export { jsonSerializer } from './json.js';
export { msgpackSerializer } from './msgpack.js';
export { cborSerializer } from './cbor.js';
export {
  getSerializer,
  RAWSOCKET_SERIALIZER_IDS,
  serializerForRawSocketId,
  serializerForSubprotocol,
  serializerNameForRawSocketId,
  serializerNameForSubprotocol,
  SUBPROTOCOLS,
} from './serializers.js';
export { describeValue, parseClientMessage } from './parse.js';
export { MAX_NESTING_DEPTH, MAX_URI_LENGTH } from './limits.js';
export { isValidPermissionUri, isValidUri, wildcardMatches } from '../../schema/wamp/index.js';
