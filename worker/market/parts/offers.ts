/**
 * The offers part of a maker (spec §3.6–§3.10): `place_offer`, `get_offer`, `query_offers`,
 * `revoke_offer`, `get_quote` over the offer book (`worker/market/offers`), with the events
 * `on_offer_placed` / `on_offer_revoked` (§4.1) published after the write is durable.
 *
 * The seller is the caller's authenticated authid (never `provider_id`), so the router must disclose the
 * caller to the maker. A dynamically priced offer is quoted by asking its seller (`get_quote`, with a deadline).
 */
import { uuidArg } from '../../../schema/codec/guards.js';
import { parseAddress } from '../../../schema/codec/address.js';
import { nowNs } from '../../../schema/codec/time.js';
import { formatUuid } from '../../../schema/codec/uuid.js';
import { MarketMakerProcedure } from '../../../schema/uris.js';
import type { MakerContext } from '../../host/context.js';
import type { MakerPartFactory } from '../../host/market-procedures.js';
import type { CallerDetails, ProcedureCall } from '../../host/procedures.js';
import {
  getOffer,
  marshalOffer,
  offerPlacedEvent,
  offerRevokedEvent,
  parsePlaceOfferArgs,
  parseQueryOffersArgs,
  placeOffer,
  queryOffers,
  quoteFor,
  revokeOffer,
  type CallerIdentity,
  type OfferContext,
} from '../offers/index.js';
import { publishLogged } from './offers-publish.js';
import { askSellerPrice, dynamicQuote } from './offers-quote.js';
import { DEFAULT_SELLER_TIMEOUT_MS, envMs } from './offers-seller-call.js';
import { namedArgs } from './channels-args.js';

export interface OffersPartOptions {
  /** Deadline of a seller's `get_quote` (ms); default `XBR_MM_SELLER_TIMEOUT_MS` or 10 s. */
  readonly quoteTimeoutMs?: number;
}

/** The caller as the offer book sees it (session ids beyond 2^53 do not occur: WAMP ids are < 2^53). */
export function callerIdentity(d: CallerDetails): CallerIdentity {
  return {
    ...(d.caller === undefined ? {} : { sessionId: Number(d.caller) }),
    ...(d.caller_authid === undefined ? {} : { authid: d.caller_authid }),
    ...(d.caller_authrole === undefined ? {} : { authrole: d.caller_authrole }),
  };
}

/** One argument, positional or keyword `name`; more arguments are refused. */
function onlyArg(uri: string, call: ProcedureCall, name: string): unknown {
  return namedArgs(uri, call, [name])[name];
}

export function offersPart(options: OffersPartOptions = {}): MakerPartFactory {
  return (ctx: MakerContext) => {
    const quoteTimeoutMs = options.quoteTimeoutMs ?? envMs('XBR_MM_SELLER_TIMEOUT_MS', DEFAULT_SELLER_TIMEOUT_MS);
    const verifyingContract = parseAddress(ctx.verifyingContract, 'verifying_contract_adr');
    const offersLog = ctx.log.child({ component: 'offers' });
    const offerCtx = (call: ProcedureCall): OfferContext => ({
      now: nowNs(),
      caller: callerIdentity(call.details),
      chainId: ctx.verifyingChainId,
      verifyingContract,
      marketId: ctx.marketId,
      log: offersLog,
    });
    return {
      procedures: {
        [MarketMakerProcedure.placeOffer]: async (call) => {
          const offer = placeOffer(ctx.makerDb, parsePlaceOfferArgs(call.args, call.kwargs), offerCtx(call));
          const ev = offerPlacedEvent(offer);
          publishLogged(ctx, ev.topic, ev.args, { offer: formatUuid(offer.offer) });
          return ev.args[0];
        },

        [MarketMakerProcedure.getOffer]: async (call) => marshalOffer(getOffer(ctx.makerDb, uuidArg('offer_id', onlyArg('get_offer', call, 'offer_id')))),

        [MarketMakerProcedure.queryOffers]: async (call) => {
          const filter = parseQueryOffersArgs(call.args, call.kwargs);
          return queryOffers(ctx.makerDb, filter, { now: nowNs() }).map(marshalOffer);
        },

        [MarketMakerProcedure.revokeOffer]: async (call) => {
          const offer = revokeOffer(ctx.makerDb, uuidArg('key_id', onlyArg('revoke_offer', call, 'key_id')), offerCtx(call));
          const ev = offerRevokedEvent(offer);
          publishLogged(ctx, ev.topic, ev.args, { offer: formatUuid(offer.offer) });
          return ev.args[0];
        },

        [MarketMakerProcedure.getQuote]: async (call) => {
          const keyId = uuidArg('key_id', onlyArg('get_quote', call, 'key_id'));
          const q = quoteFor(ctx.makerDb, keyId, { now: nowNs() });
          if (q.kind === 'static') return q.quote;
          const price = await askSellerPrice(ctx.session, q.offer, quoteTimeoutMs);
          return dynamicQuote(q.offer, price, nowNs());
        },
      },
    };
  };
}
