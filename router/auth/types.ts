import type { Dict } from '../wamp/messages.js';
import type { TransportDetails } from '../core/connection.js';

/** What a client asked for in HELLO, as authenticators see it. */
export interface AuthRequest {
  realm: string;
  /** The authid the client claims, if any. */
  authid: string | undefined;
  authextra: Dict;
  sessionId: number;
  transport: TransportDetails;
}

/** The identity a session gets once authenticated. */
export interface Principal {
  authid: string;
  authrole: string;
  /** The realm to join: the requested one, unless a principal or a dynamic authenticator pins another. */
  realm: string;
  authmethod: string;
  authprovider: 'static' | 'dynamic';
  /** Goes to the client in WELCOME.details.authextra. */
  authextra: Dict;
}

export type AuthStep =
  | { kind: 'welcome'; principal: Principal }
  | {
      kind: 'challenge';
      extra: Dict;
      /** Checks AUTHENTICATE; throws a WampError (the ABORT reason) when the client failed. */
      verify(signature: string, extra: Dict): Promise<Principal>;
    };

/** One authentication method configured on a transport. */
export interface AuthMethod {
  readonly name: 'anonymous' | 'ticket' | 'wampcra' | 'cryptosign';
  /** Starts authentication for a HELLO; throws a WampError (the ABORT reason) to refuse. */
  start(request: AuthRequest): Promise<AuthStep>;
}

/** Calls a dynamic authenticator procedure in a realm: `(realm, authid, details)`. */
export type AuthenticatorCall = (authenticatorRealm: string, procedure: string, args: unknown[]) => Promise<unknown>;
