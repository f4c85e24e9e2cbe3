/**
 * WAMP v2 message type codes and the typed shape of every message the router receives or sends.
 * Inside the router, bytes are `Uint8Array` (Buffer), integers are `number` when safe and `bigint`
 * otherwise; dictionaries are plain objects.
 */

export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
} as const;

export type Dict = Record<string, unknown>;
/** WAMP ids (session, request, registration, subscription, publication) are integers in [0, 2^53]. */
export type WampId = number;

/** Messages a client may send to the router, after validation by `parseClientMessage`. */
export type ClientMessage =
  | { type: typeof MessageType.HELLO; realm: string; details: Dict }
  | { type: typeof MessageType.ABORT; details: Dict; reason: string }
  | { type: typeof MessageType.AUTHENTICATE; signature: string; extra: Dict }
  | { type: typeof MessageType.GOODBYE; details: Dict; reason: string }
  | {
      type: typeof MessageType.ERROR;
      requestType: number;
      request: WampId;
      details: Dict;
      error: string;
      args?: unknown[];
      kwargs?: Dict;
    }
  | { type: typeof MessageType.PUBLISH; request: WampId; options: Dict; topic: string; args?: unknown[]; kwargs?: Dict }
  | { type: typeof MessageType.SUBSCRIBE; request: WampId; options: Dict; topic: string }
  | { type: typeof MessageType.UNSUBSCRIBE; request: WampId; subscription: WampId }
  | { type: typeof MessageType.CALL; request: WampId; options: Dict; procedure: string; args?: unknown[]; kwargs?: Dict }
  | { type: typeof MessageType.CANCEL; request: WampId; options: Dict }
  | { type: typeof MessageType.REGISTER; request: WampId; options: Dict; procedure: string }
  | { type: typeof MessageType.UNREGISTER; request: WampId; registration: WampId }
  | { type: typeof MessageType.YIELD; request: WampId; options: Dict; args?: unknown[]; kwargs?: Dict };

/** A message as it goes on the wire: a plain array, e.g. `[50, request, details, args, kwargs]`. */
export type WireMessage = unknown[];
