import { WampError, WampErrorUri } from '../../schema/index.js';
import { showValue } from '../../schema/codec/index.js';
import { MAX_URI_LENGTH } from './limits.js';
import { MessageType, type ClientMessage, type Dict, type WampId } from './messages.js';

/**
 * Structural validation of what a client sends, right after decoding. It checks shapes only (counts,
 * types, id ranges, URI lengths); URI syntax, options and permissions are the router's business
 * since they are answered with ERROR rather than by killing the session. Payloads (args/kwargs) are
 * not walked.
 */

const MAX_ID = 2 ** 53;
const MAX_ID_BIG = 2n ** 53n;

const TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(MessageType).map(([name, code]) => [code, name]),
);

function fail(message: string): never {
  throw new WampError(WampErrorUri.protocolViolation, message);
}

function checkCount(raw: readonly unknown[], min: number, max: number, name: string): void {
  if (raw.length < min || raw.length > max) {
    fail(`${name}: expected ${min === max ? min : `${min} to ${max}`} elements, got ${raw.length}`);
  }
}

function wampId(value: unknown, min: 0 | 1, what: string, name: string): WampId {
  if (typeof value === 'number') {
    // `+ 0` turns -0 into 0.
    if (Number.isInteger(value) && value >= min && value <= MAX_ID) return value + 0;
  } else if (typeof value === 'bigint') {
    // msgpack/cbor peers may send small ids as 64-bit integers.
    if (value >= (min === 1 ? 1n : 0n) && value <= MAX_ID_BIG) return Number(value);
  }
  return fail(`${name}: ${what} must be an integer in [${min}, 2^53], got ${showValue(value, 'message')}`);
}

function requestId(value: unknown, name: string): WampId {
  return wampId(value, 1, 'request id', name);
}

function dict(value: unknown, what: string, name: string): Dict {
  if (typeof value === 'object' && value !== null) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return value as Dict;
  }
  return fail(`${name}: ${what} must be a dictionary, got ${showValue(value, 'message')}`);
}

function uri(value: unknown, what: string, name: string): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= MAX_URI_LENGTH) return value;
  return fail(`${name}: ${what} must be a non-empty string of at most ${MAX_URI_LENGTH} characters, got ${showValue(value, 'message')}`);
}

function args(raw: readonly unknown[], index: number, name: string): unknown[] {
  const value = raw[index];
  if (Array.isArray(value)) return value;
  if (raw.length === index + 1 && typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    return fail(`${name}: args must be an array (kwargs need an args list before them, [] if empty), got ${showValue(value, 'message')}`);
  }
  return fail(`${name}: args must be an array, got ${showValue(value, 'message')}`);
}

function kwargs(raw: readonly unknown[], index: number, name: string): Dict {
  return dict(raw[index], 'kwargs', name);
}

/**
 * Validates a decoded message from a client. Throws WampError(`wamp.error.protocol_violation`)
 * naming the problem. Ids that arrive as bigint (≤ 2^53) are returned as numbers.
 */
export function parseClientMessage(raw: unknown): ClientMessage {
  if (!Array.isArray(raw)) fail(`message must be an array, got ${showValue(raw, 'message')}`);
  if (raw.length === 0) fail('message must not be an empty array');
  const code: unknown = raw[0];
  if (typeof code !== 'number' || !Number.isInteger(code)) fail(`message type must be an integer, got ${showValue(code, 'message')}`);

  switch (code) {
    case MessageType.HELLO: {
      checkCount(raw, 3, 3, 'HELLO');
      const realm = uri(raw[1], 'realm', 'HELLO');
      return { type: MessageType.HELLO, realm, details: dict(raw[2], 'details', 'HELLO') };
    }
    case MessageType.ABORT: {
      checkCount(raw, 3, 3, 'ABORT');
      const details = dict(raw[1], 'details', 'ABORT');
      return { type: MessageType.ABORT, details, reason: uri(raw[2], 'reason', 'ABORT') };
    }
    case MessageType.AUTHENTICATE: {
      checkCount(raw, 3, 3, 'AUTHENTICATE');
      const signature = raw[1];
      if (typeof signature !== 'string') fail(`AUTHENTICATE: signature must be a string, got ${showValue(signature, 'message')}`);
      return { type: MessageType.AUTHENTICATE, signature, extra: dict(raw[2], 'extra', 'AUTHENTICATE') };
    }
    case MessageType.GOODBYE: {
      checkCount(raw, 3, 3, 'GOODBYE');
      const details = dict(raw[1], 'details', 'GOODBYE');
      return { type: MessageType.GOODBYE, details, reason: uri(raw[2], 'reason', 'GOODBYE') };
    }
    case MessageType.ERROR: {
      checkCount(raw, 5, 7, 'ERROR');
      // A client only ever answers an INVOCATION with ERROR.
      const requestType = raw[1];
      if (requestType !== MessageType.INVOCATION) {
        fail(`ERROR: request type must be ${MessageType.INVOCATION} (INVOCATION), got ${showValue(requestType, 'message')}`);
      }
      const request = requestId(raw[2], 'ERROR');
      const details = dict(raw[3], 'details', 'ERROR');
      const error = uri(raw[4], 'error', 'ERROR');
      if (raw.length === 5) return { type: MessageType.ERROR, requestType, request, details, error };
      const a = args(raw, 5, 'ERROR');
      if (raw.length === 6) return { type: MessageType.ERROR, requestType, request, details, error, args: a };
      return { type: MessageType.ERROR, requestType, request, details, error, args: a, kwargs: kwargs(raw, 6, 'ERROR') };
    }
    case MessageType.PUBLISH: {
      checkCount(raw, 4, 6, 'PUBLISH');
      const request = requestId(raw[1], 'PUBLISH');
      const options = dict(raw[2], 'options', 'PUBLISH');
      const topic = uri(raw[3], 'topic', 'PUBLISH');
      if (raw.length === 4) return { type: MessageType.PUBLISH, request, options, topic };
      const a = args(raw, 4, 'PUBLISH');
      if (raw.length === 5) return { type: MessageType.PUBLISH, request, options, topic, args: a };
      return { type: MessageType.PUBLISH, request, options, topic, args: a, kwargs: kwargs(raw, 5, 'PUBLISH') };
    }
    case MessageType.SUBSCRIBE: {
      checkCount(raw, 4, 4, 'SUBSCRIBE');
      const request = requestId(raw[1], 'SUBSCRIBE');
      const options = dict(raw[2], 'options', 'SUBSCRIBE');
      return { type: MessageType.SUBSCRIBE, request, options, topic: uri(raw[3], 'topic', 'SUBSCRIBE') };
    }
    case MessageType.UNSUBSCRIBE: {
      checkCount(raw, 3, 3, 'UNSUBSCRIBE');
      const request = requestId(raw[1], 'UNSUBSCRIBE');
      return { type: MessageType.UNSUBSCRIBE, request, subscription: wampId(raw[2], 0, 'subscription id', 'UNSUBSCRIBE') };
    }
    case MessageType.CALL: {
      checkCount(raw, 4, 6, 'CALL');
      const request = requestId(raw[1], 'CALL');
      const options = dict(raw[2], 'options', 'CALL');
      const procedure = uri(raw[3], 'procedure', 'CALL');
      if (raw.length === 4) return { type: MessageType.CALL, request, options, procedure };
      const a = args(raw, 4, 'CALL');
      if (raw.length === 5) return { type: MessageType.CALL, request, options, procedure, args: a };
      return { type: MessageType.CALL, request, options, procedure, args: a, kwargs: kwargs(raw, 5, 'CALL') };
    }
    case MessageType.CANCEL: {
      checkCount(raw, 3, 3, 'CANCEL');
      const request = requestId(raw[1], 'CANCEL');
      return { type: MessageType.CANCEL, request, options: dict(raw[2], 'options', 'CANCEL') };
    }
    case MessageType.REGISTER: {
      checkCount(raw, 4, 4, 'REGISTER');
      const request = requestId(raw[1], 'REGISTER');
      const options = dict(raw[2], 'options', 'REGISTER');
      return { type: MessageType.REGISTER, request, options, procedure: uri(raw[3], 'procedure', 'REGISTER') };
    }
    case MessageType.UNREGISTER: {
      checkCount(raw, 3, 3, 'UNREGISTER');
      const request = requestId(raw[1], 'UNREGISTER');
      return { type: MessageType.UNREGISTER, request, registration: wampId(raw[2], 0, 'registration id', 'UNREGISTER') };
    }
    case MessageType.YIELD: {
      checkCount(raw, 3, 5, 'YIELD');
      const request = requestId(raw[1], 'YIELD');
      const options = dict(raw[2], 'options', 'YIELD');
      if (raw.length === 3) return { type: MessageType.YIELD, request, options };
      const a = args(raw, 3, 'YIELD');
      if (raw.length === 4) return { type: MessageType.YIELD, request, options, args: a };
      return { type: MessageType.YIELD, request, options, args: a, kwargs: kwargs(raw, 4, 'YIELD') };
    }
    default: {
      const name = TYPE_NAMES[code];
      if (name !== undefined) fail(`message type ${code} (${name}) is sent by routers only`);
      return fail(`unknown message type ${code}`);
    }
  }
}
