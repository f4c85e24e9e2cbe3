/**
 * Who may call which procedure of a market maker (docs/protocol.md#trust-model), decided from the caller identity the router
 * reports in the invocation details — never from arguments. Every procedure a maker registers must have a
 * row in {@link PROCEDURE_ACCESS}: the host's `registerProcedures` (worker/host/register-procedures.ts) refuses
 * one without, and every invocation passes {@link authorizeCaller} before its handler runs. Handlers of member
 * procedures then check ownership (its own offers, channels, consents) against {@link callerMember}.
 *
 * - `public`: read-only market views anyone may see, anonymous sessions included;
 * - `member`: an authenticated market member: role `user` and authid `member-0x<address>` (given by the
 *   maker's authenticator after a cryptosign + EIP712MarketMemberLogin login, or by a principal the router
 *   admin configured);
 * - `operator`: role `operator` (a principal in the router config, e.g. the operator Unix socket);
 * - `router`: the router itself (its dynamic authenticator calls). Our router discloses the caller of every
 *   call into `xbr.marketmaker.`, so an invocation without a caller can only be the router's own.
 */
import type { Address } from '../../../schema/codec/index.js';
import { WampError, WampErrorUri } from '../../../schema/index.js';
import { MarketMakerAdminProcedure, MarketMakerCatalogProcedure, MarketMakerChannelProcedure, MarketMakerProcedure } from '../../../schema/index.js';
import type { CallerDetails } from './procedure.js';

export type ProcedureAccess = 'public' | 'member' | 'operator' | 'router';

/** The role of authenticated market members. */
export const MEMBER_ROLE = 'user';
/** The role the maker's authenticator gives everyone else (unknown keys, members that are not actors). */
export const ANONYMOUS_ROLE = 'anonymous';
/** The role of node operators. */
const OPERATOR_ROLE = 'operator';

const P = MarketMakerProcedure;
const C = MarketMakerCatalogProcedure;
const X = MarketMakerChannelProcedure;
const A = MarketMakerAdminProcedure;

export const PROCEDURE_ACCESS: Readonly<Record<string, ProcedureAccess>> = {
  [P.status]: 'public',
  [P.getStatus]: 'public',
  [P.getConfig]: 'public',
  [P.getTransactionReceipt]: 'public',
  [P.getGasPrice]: 'public',
  [P.getOffer]: 'public',
  [P.queryOffers]: 'public',
  [P.getQuote]: 'public',
  [C.findCatalogs]: 'public',
  [C.getCatalog]: 'public',
  [C.getApi]: 'public',

  [P.placeOffer]: 'member',
  [P.revokeOffer]: 'member',
  [P.buyKey]: 'member',
  [P.openChannel]: 'member',
  [P.closeChannel]: 'member',
  [P.getPaymentChannel]: 'member',
  [P.getPaymentChannelBalance]: 'member',
  [P.getPayingChannel]: 'member',
  [P.getPayingChannelBalance]: 'member',
  [P.getActivePaymentChannel]: 'member',
  [P.getActivePayingChannel]: 'member',
  [P.getChannelsByDelegate]: 'member',
  [P.getChannelsByActor]: 'member',
  [P.setConsent]: 'member',
  [P.getConsent]: 'member',
  [P.findConsents]: 'member',
  [P.getCatalogsByOwner]: 'member',
  [P.logout]: 'member',

  [X.closePayingChannel]: 'member',
  [C.getIpfsStatus]: 'operator',
  [C.retryIpfsDownload]: 'operator',
  [A.listChannels]: 'operator',
  [A.listTransactions]: 'operator',
  [A.rescan]: 'operator',
  [A.audit]: 'operator',

  [P.authenticate]: 'router',
};

const MEMBER_AUTHID_RE = /^member-(?:0x)?([0-9a-f]{40})$/;

/** The member address of an authenticated caller (role `user`, authid `member-…`), or undefined. */
export function callerMember(details: CallerDetails): Address | undefined {
  if (details.caller_authrole !== MEMBER_ROLE || details.caller_authid === undefined) return undefined;
  const m = MEMBER_AUTHID_RE.exec(details.caller_authid);
  return m === null ? undefined : (new Uint8Array(Buffer.from(m[1] as string, 'hex')) as Address);
}

/** Whether the invocation came from the router itself (no caller disclosed at all). */
function isRouterCall(details: CallerDetails): boolean {
  return details.caller === undefined && details.caller_authid === undefined && details.caller_authrole === undefined;
}

function who(details: CallerDetails): string {
  if (isRouterCall(details)) return 'the caller is not disclosed (the router must disclose callers of xbr.marketmaker.*)';
  return `this session is ${details.caller_authid ?? 'without authid'} (role ${details.caller_authrole ?? 'none'})`;
}

/**
 * Throws `wamp.error.not_authorized` unless the caller of `uri` may call it; an unknown `uri` is refused.
 * @example authorizeCaller('xbr.marketmaker.buy_key', inv.details);
 */
export function authorizeCaller(uri: string, details: CallerDetails): void {
  const access = PROCEDURE_ACCESS[uri];
  switch (access) {
    case 'public':
      return;
    case 'member':
      if (callerMember(details) !== undefined) return;
      throw new WampError(
        WampErrorUri.notAuthorized,
        `${uri} is for market members: log in with WAMP-cryptosign and an EIP712MarketMemberLogin (role "${MEMBER_ROLE}", authid "member-0x<your address>"); ${who(details)}`,
      );
    case 'operator':
      if (details.caller_authrole === OPERATOR_ROLE) return;
      throw new WampError(WampErrorUri.notAuthorized, `${uri} is for operators (role "${OPERATOR_ROLE}"); ${who(details)}`);
    case 'router':
      if (isRouterCall(details)) return;
      throw new WampError(WampErrorUri.notAuthorized, `${uri} is called by the router only (it is the realm's dynamic authenticator); ${who(details)}`);
    default:
      throw new WampError(WampErrorUri.notAuthorized, `${uri} has no access rule`);
  }
}
