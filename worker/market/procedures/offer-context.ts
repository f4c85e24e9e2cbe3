/**
 * What the offer book (worker/market/offers) is told about a call of an offer procedure: the clock, the caller
 * and the market's EIP712 binding. The seller is the caller's authenticated authid (never `provider_id`), so
 * the router must disclose the caller to the maker.
 */
import { parseAddress } from '../../../schema/codec/index.js';
import { nowNs } from '../../../schema/codec/index.js';
import type { CallerDetails, MakerContext, ProcedureCall } from '../api/index.js';
import type { CallerIdentity, OfferContext } from '../offers/index.js';

/** The caller as the offer book sees it (session ids beyond 2^53 do not occur: WAMP ids are < 2^53). */
function callerIdentity(d: CallerDetails): CallerIdentity {
  return {
    ...(d.caller === undefined ? {} : { sessionId: Number(d.caller) }),
    ...(d.caller_authid === undefined ? {} : { authid: d.caller_authid }),
    ...(d.caller_authrole === undefined ? {} : { authrole: d.caller_authrole }),
  };
}

/** The {@link OfferContext} of each call to this maker (its binding is read once, here). */
export function offerContextOf(ctx: MakerContext): (call: ProcedureCall) => OfferContext {
  const verifyingContract = parseAddress(ctx.verifyingContract, 'verifying_contract_adr');
  const offersLog = ctx.log.child({ component: 'offers' });
  return (call) => ({
    now: nowNs(),
    caller: callerIdentity(call.details),
    chainId: ctx.verifyingChainId,
    verifyingContract,
    marketId: ctx.marketId,
    log: offersLog,
  });
}
