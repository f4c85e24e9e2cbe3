/**
 * The one error type of xbr-edge. Every failure that can reach a WAMP peer carries the URI it is
 * reported under, so the WAMP boundary never has to guess (`xbr.error.*`, `wamp.error.*`, ...).
 */
export class WampError extends Error {
  override readonly name = 'WampError';
  readonly uri: string;
  /** Extra positional arguments for the WAMP ERROR message (after the message itself). */
  readonly args: readonly unknown[];
  /** Keyword arguments for the WAMP ERROR message. */
  readonly kwargs: Readonly<Record<string, unknown>>;

  constructor(
    uri: string,
    message: string,
    options: { args?: readonly unknown[]; kwargs?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.uri = uri;
    this.args = options.args ?? [];
    this.kwargs = options.kwargs ?? {};
  }
}

/** WAMP error URIs defined by the WAMP specification that the router and its peers use. */
export const WampErrorUri = {
  invalidArgument: 'wamp.error.invalid_argument',
  invalidUri: 'wamp.error.invalid_uri',
  noSuchProcedure: 'wamp.error.no_such_procedure',
  procedureAlreadyExists: 'wamp.error.procedure_already_exists',
  noSuchRegistration: 'wamp.error.no_such_registration',
  noSuchSubscription: 'wamp.error.no_such_subscription',
  noSuchSession: 'wamp.error.no_such_session',
  noSuchRealm: 'wamp.error.no_such_realm',
  noSuchRole: 'wamp.error.no_such_role',
  notAuthorized: 'wamp.error.not_authorized',
  authorizationFailed: 'wamp.error.authorization_failed',
  authenticationFailed: 'wamp.error.authentication_failed',
  noAuthMethod: 'wamp.error.no_auth_method',
  canceled: 'wamp.error.canceled',
  timeout: 'wamp.error.timeout',
  protocolViolation: 'wamp.error.protocol_violation',
  optionNotAllowed: 'wamp.error.option_not_allowed',
  invalidPayload: 'wamp.error.invalid_payload',
  runtimeError: 'wamp.error.runtime_error',
  systemShutdown: 'wamp.close.system_shutdown',
  closeRealm: 'wamp.close.close_realm',
  goodbyeAndOut: 'wamp.close.goodbye_and_out',
  killed: 'wamp.close.killed',
} as const;

/** Wraps anything thrown into a WampError, keeping the original as `cause`. */
export function toWampError(err: unknown, fallbackUri: string = WampErrorUri.runtimeError): WampError {
  if (err instanceof WampError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new WampError(fallbackUri, message, { cause: err });
}
