import type { WampError } from '../../schema/index.js';
import type { Dict, WireMessage } from '../wamp/messages.js';
import { MessageType } from '../wamp/messages.js';

/** ERROR reply to a request: the message text goes in args[0], as Crossbar and autobahn do. */
export function errorReply(requestType: number, request: number, err: WampError): WireMessage {
  const args = [err.message, ...err.args];
  const kwargs = err.kwargs;
  return Object.keys(kwargs).length > 0
    ? [MessageType.ERROR, requestType, request, {}, err.uri, args, kwargs]
    : [MessageType.ERROR, requestType, request, {}, err.uri, args];
}

/** Appends args/kwargs to a message the way WAMP wants: omitted when empty, kwargs only after args. */
export function withPayload(message: WireMessage, args: unknown[] | undefined, kwargs: Dict | undefined): WireMessage {
  const hasKwargs = kwargs !== undefined && Object.keys(kwargs).length > 0;
  if (hasKwargs) message.push(args ?? [], kwargs);
  else if (args !== undefined && args.length > 0) message.push(args);
  return message;
}

export function abortMessage(reason: string, message: string): WireMessage {
  return [MessageType.ABORT, { message }, reason];
}
